"""A function's settings checked as Lambda checks them: name, handler, runtime, timeout, memory, ephemeral storage,
environment variables, description and runtime client. Each check returns the value to store or raises FunctionError naming the
setting (`field`) with a message that says what to do."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from console.core.limits import (
    ENVIRONMENT_NAME,
    FUNCTION_NAME,
    HANDLER,
    MAX_DESCRIPTION,
    MAX_ENVIRONMENT_BYTES,
    MAX_EPHEMERAL_STORAGE,
    MAX_FUNCTION_NAME,
    MAX_MEMORY,
    MAX_TIMEOUT,
    MIN_EPHEMERAL_STORAGE,
    MIN_MEMORY,
    MIN_TIMEOUT,
)
from console.engine.invocation import LOCAL_RUNTIME, RUNTIME_CLIENTS

# An execution role's ARN, as Lambda's CreateFunction checks its Role member.
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"

LATEST = "$LATEST"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The Python runtimes Lambda has offered (botocore's Runtime enum); a function may name any of them, and runs on that
# Python where one is installed (console.engine.interpreters), else on the console's own.
RUNTIMES = tuple(f"python3.{minor}" for minor in range(6, 15))
# When Lambda deprecated, or plans to deprecate, each (the AWS Lambda Developer Guide, "Lambda runtimes" and its
# "Deprecated runtimes" table). From that day the AWS console marks a function of that runtime "deprecated"; it still
# runs, as the functions of an old account do.
RUNTIME_DEPRECATION = {
    "python3.6": "2022-07-18",
    "python3.7": "2023-12-04",
    "python3.8": "2024-10-14",
    "python3.9": "2025-12-15",
    "python3.10": "2026-06-30",
    "python3.11": "2027-06-30",
    "python3.12": "2028-10-31",
    "python3.13": "2029-06-30",
    "python3.14": "2029-06-30",
}
# Variables Lambda sets itself and refuses in a function's configuration.
RESERVED_ENVIRONMENT = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)
CONFIG_FIELDS = (
    "handler", "runtime", "timeout", "memory", "ephemeral_storage", "environment", "description", "runtime_client"
)


class FunctionError(ValueError):
    """A configuration Lambda would refuse. `field` names the setting; the message says what to do."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class FunctionErrors(FunctionError):
    """Every setting refused at once, by field, so that a form shows each beside its field; `field` is the first."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()), next(iter(errors), ""))
        self.errors = errors


def check_each(changes: dict[str, object]) -> dict[str, object]:
    """Each setting checked by its rule in CHECKS; FunctionErrors naming every one refused."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for key, value in changes.items():
        try:
            values[key] = CHECKS[key](value)
        except FunctionError as exc:
            errors[exc.field or key] = str(exc)
    if errors:
        raise FunctionErrors(errors)
    return values


class FunctionNotFound(KeyError):
    """No function of that name, or no such version of it: `name` and `version` say which."""

    def __init__(self, name: str, version: str = LATEST, message: str | None = None) -> None:
        self.name = name
        self.version = version
        super().__init__(message or (f"Function not found: {name}" if version == LATEST else
                                     f"Function not found: {name}:{version}"))

    def __str__(self) -> str:  # KeyError's own would show the repr of its argument
        return str(self.args[0])


class FunctionExists(FunctionError):
    pass


# -- checks -----------------------------------------------------------------------------------------------------


def check_name(name: object) -> str:
    if not isinstance(name, str) or not FUNCTION_NAME.fullmatch(name):
        raise FunctionError(
            f"Function name {name!r} is not valid: use 1 to {MAX_FUNCTION_NAME} letters, digits, hyphens (-) and "
            "underscores (_).",
            "name",
        )
    return name


def _refuse_lone_surrogate(text: str, what: str, field: str) -> None:
    """JSON can escape half of a surrogate pair ("\\udc80"); it has no UTF-8 form to store or pass to a process."""
    half = next((char for char in text if "\ud800" <= char <= "\udfff"), None)
    if half is not None:
        raise FunctionError(
            f"{what} holds U+{ord(half):04X}, half of a surrogate pair, which has no UTF-8 form: remove it, or write"
            " the whole character.",
            field,
        )


def check_handler(handler: object) -> str:
    if isinstance(handler, str):
        _refuse_lone_surrogate(handler, "Handler", "handler")
    # Control characters fit Lambda's pattern, but no module or function has them and a process cannot be given them.
    if not isinstance(handler, str) or not HANDLER.fullmatch(handler) or _CONTROL.search(handler):
        raise FunctionError(
            f"Handler {handler!r} is not valid: write file.function (like hello_python.my_handler), "
            "1 to 128 characters without spaces.",
            "handler",
        )
    return handler


def check_runtime(runtime: object) -> str:
    if runtime is None or runtime == "":
        return LOCAL_RUNTIME
    if runtime not in RUNTIMES:
        raise FunctionError(
            f"Runtime {runtime!r} is not a Python runtime of Lambda: use one of {', '.join(RUNTIMES)}.", "runtime"
        )
    return str(runtime)


def deprecated_since(runtime: str, today: str | None = None) -> str | None:
    """The day (YYYY-MM-DD) Lambda deprecated `runtime`, or None while it is supported; `today` is UTC's by default."""
    day = RUNTIME_DEPRECATION.get(runtime)
    today = today or datetime.now(timezone.utc).date().isoformat()
    return day if day is not None and day <= today else None


def check_timeout(timeout: object) -> int:
    if isinstance(timeout, bool) or not isinstance(timeout, int) or not MIN_TIMEOUT <= timeout <= MAX_TIMEOUT:
        raise FunctionError(
            f"Timeout {timeout!r} is not valid: give a whole number of seconds from {MIN_TIMEOUT} to {MAX_TIMEOUT}.",
            "timeout",
        )
    return timeout


def check_memory(memory: object) -> int:
    if isinstance(memory, bool) or not isinstance(memory, int) or not MIN_MEMORY <= memory <= MAX_MEMORY:
        raise FunctionError(
            f"Memory {memory!r} is not valid: give a whole number of MB from {MIN_MEMORY} to {MAX_MEMORY}.", "memory"
        )
    return memory


def check_ephemeral_storage(size: object) -> int:
    """MB of /tmp (Lambda's EphemeralStorage.Size); None is Lambda's default, the least."""
    if size is None:
        return MIN_EPHEMERAL_STORAGE
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_EPHEMERAL_STORAGE <= size <= MAX_EPHEMERAL_STORAGE:
        raise FunctionError(
            f"Ephemeral storage {size!r} is not valid: give a whole number of MB of /tmp from {MIN_EPHEMERAL_STORAGE}"
            f" to {MAX_EPHEMERAL_STORAGE}.",
            "ephemeral_storage",
        )
    return size


def check_environment(environment: object) -> dict[str, str]:
    if environment is None:
        return {}
    if not isinstance(environment, dict):
        raise FunctionError("Environment variables must be a mapping of names to values.", "environment")
    for key, value in environment.items():
        if not isinstance(key, str) or not ENVIRONMENT_NAME.fullmatch(key):
            raise FunctionError(
                f"Environment variable name {key!r} is not valid: start with a letter, then at least one more "
                "letter, digit or underscore.",
                "environment",
            )
        if not isinstance(value, str):
            raise FunctionError(f"Environment variable {key} must have a text value.", "environment")
        _refuse_lone_surrogate(value, f"Environment variable {key}", "environment")
        if "\x00" in value:
            raise FunctionError(
                f"Environment variable {key} holds a NUL character, which no process environment can carry: "
                "remove it.",
                "environment",
            )
    reserved = sorted(RESERVED_ENVIRONMENT & environment.keys())
    if reserved:
        raise FunctionError(
            "Lambda sets these environment variables itself and does not let a function change them: "
            f"{', '.join(reserved)}. Choose other names.",
            "environment",
        )
    size = sum(len(k.encode()) + len(v.encode()) for k, v in environment.items())
    if size > MAX_ENVIRONMENT_BYTES:
        raise FunctionError(
            f"Environment variables take {size} bytes, more than Lambda's {MAX_ENVIRONMENT_BYTES}: "
            "shorten or remove some.",
            "environment",
        )
    return dict(environment)


def check_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise FunctionError(f"Description must be text of at most {MAX_DESCRIPTION} characters.", "description")
    _refuse_lone_surrogate(description, "Description", "description")
    return description


def check_runtime_client(client: object) -> str:
    if client is None or client == "":
        return "bootstrap"
    if client not in RUNTIME_CLIENTS:
        raise FunctionError(
            f"Runtime client {client!r} is not known: use {' or '.join(RUNTIME_CLIENTS)}.", "runtime_client"
        )
    return str(client)


CHECKS = {
    "handler": check_handler,
    "runtime": check_runtime,
    "timeout": check_timeout,
    "memory": check_memory,
    "ephemeral_storage": check_ephemeral_storage,
    "environment": check_environment,
    "description": check_description,
    "runtime_client": check_runtime_client,
    # The execution role's ARN: the REST API checks its form; the engine never uses it.
    "role": lambda role: role if isinstance(role, str) else "",
}
