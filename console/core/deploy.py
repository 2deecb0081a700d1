"""Deploying a local function to a remote: its code and configuration, as Lambda's own API takes them.

A function the remote does not have is made with CreateFunction (an execution role's ARN is required, and checked as
Lambda checks it); one it has gets UpdateFunctionCode, then UpdateFunctionConfiguration. After each step the deploy
waits as boto3's waiters do (`function_active_v2` for State, `function_updated_v2` for LastUpdateStatus), and says
where it is. The code is the stored package's zip, or a folder function's folder zipped as the console stores it
(console.core.folders.write_zip: the same files give the same bytes). Layers and the console's own settings stay local:
a remote's layer ARNs are its own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.core.folders import write_zip
from console.core.function_rules import ROLE_PATTERN
from console.core.remotes import Remote, RemoteError, RemoteRefused, remote_failure

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.functions import FunctionConfig

# How often the waiters ask, and how many times: boto3's waiters for Lambda ask every second, up to 300 times.
WAIT_DELAY_SECONDS = 1
WAIT_MAX_ATTEMPTS = 300


class DeployError(RemoteError):
    """A deploy that cannot start or did not finish; the message says why and what to do."""


class RoleError(DeployError):
    """No execution role for a new function, or one that is not a role's ARN."""


@dataclass(frozen=True)
class Deployed:
    """What the remote has after a deploy."""

    function: str
    created: bool  # made by this deploy, rather than updated
    code_sha256: str
    version: str | None  # the version published, when asked
    function_arn: str


def function_zip(console: Console, function: FunctionConfig) -> bytes:
    """The function's code as a zip: the stored package's, or its folder's (with installed dependencies)."""
    if not function.code_folder:
        return console.packages.get(function.package_sha256).zip_path.read_bytes()
    code = console.sources.ready_code(function)
    out = io.BytesIO()
    write_zip([*code.extra_dirs, code.code_dir], out)
    return out.getvalue()


def configuration(function: FunctionConfig) -> dict[str, Any]:
    """The settings a deploy carries, under Lambda's names."""
    return {
        "Handler": function.handler, "Runtime": function.runtime, "Timeout": function.timeout,
        "MemorySize": function.memory, "Description": function.description,
        "Environment": {"Variables": dict(function.environment)},
        "EphemeralStorage": {"Size": function.ephemeral_storage},
    }


def check_role(role: str) -> None:
    if not re.fullmatch(ROLE_PATTERN, role):
        raise RoleError(f"--role {role}: not an IAM role's ARN. Give the execution role the function runs with, "
                          "like arn:aws:iam::123456789012:role/lambda-basic-execution.")


def deploy(console: Console, name: str, remote_name: str, *, role: str | None = None, publish: bool = False,
           progress: Callable[[str], None] = lambda line: None) -> Deployed:
    """Deploy the local function `name` ($LATEST) to the remote; `progress` is told each step."""
    function = console.functions.get(name)
    remote = console.get_remote(remote_name)
    if role is not None:
        check_role(role)
    client = console.remote_client(remote_name)
    code = function_zip(console, function)
    try:
        exists = _exists(client, remote, name)
        if not exists and role is None:
            raise RoleError(f"{name} is not on remote {remote.name} yet: a new function needs --role ARN, the "
                              "execution role it runs with (like arn:aws:iam::123456789012:role/lambda-basic-execution).")
        if not exists:
            progress(f"Creating {name} on {remote.name} ({len(code)} bytes of code)...")
            answer = client.create_function(FunctionName=name, Role=role, Code={"ZipFile": code}, Publish=False,
                                            Architectures=[function.architecture], **configuration(function))
            _wait(client, remote, "function_active_v2", name, progress, "State Active")
        else:
            progress(f"Updating the code of {name} on {remote.name} ({len(code)} bytes)...")
            client.update_function_code(FunctionName=name, ZipFile=code)
            _wait(client, remote, "function_updated_v2", name, progress, "LastUpdateStatus Successful")
            progress(f"Updating the configuration of {name}...")
            answer = client.update_function_configuration(FunctionName=name, **configuration(function),
                                                           **({"Role": role} if role else {}))
            _wait(client, remote, "function_updated_v2", name, progress, "LastUpdateStatus Successful")
        version = None
        if publish:
            progress(f"Publishing a version of {name}...")
            version = client.publish_version(FunctionName=name, CodeSha256=answer["CodeSha256"])["Version"]
            progress(f"Published version {version}.")
    except RemoteError:
        raise
    except Exception as exc:
        failure = remote_failure(remote, exc)
        if failure is None:
            raise
        raise failure from None
    return Deployed(name, not exists, answer["CodeSha256"], version, answer["FunctionArn"])


def _exists(client: Any, remote: Remote, name: str) -> bool:
    try:
        client.get_function(FunctionName=name)
    except Exception as exc:
        failure = remote_failure(remote, exc)
        if isinstance(failure, RemoteRefused) and failure.code == "ResourceNotFoundException":
            return False
        raise
    return True


def _wait(client: Any, remote: Remote, waiter: str, name: str, progress: Callable[[str], None], goal: str) -> None:
    """Wait as boto3's waiter does; DeployError when the function ends Failed or never gets there."""
    from botocore.exceptions import WaiterError

    progress(f"Waiting for {goal}...")
    try:
        client.get_waiter(waiter).wait(FunctionName=name, WaiterConfig={"Delay": WAIT_DELAY_SECONDS,
                                                                        "MaxAttempts": WAIT_MAX_ATTEMPTS})
    except WaiterError as exc:
        last = exc.last_response or {}
        config = last.get("Configuration", last)
        reason = config.get("StateReason") or config.get("LastUpdateStatusReason") or exc.kwargs.get("reason", "")
        if "Error" in last:
            raise remote_failure(remote, _client_error(last)) or DeployError(str(exc)) from None
        raise DeployError(f"{name} on remote {remote.name} did not reach {goal}: {reason or exc}.") from None
    progress(f"{goal}.")


def _client_error(response: dict) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(response, "GetFunction")
