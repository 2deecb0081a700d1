"""Lambda's wire format: errors as botocore reads them, FunctionName in all its forms, the region of the signature,
request bodies, and the FunctionConfiguration shape."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from console import get_console
from console.core.aliases import AliasExists, VersionInUse
from console.core.credentials import CredentialsError
from console.core.dependencies import FunctionNotReady
from console.core.function_rules import ROLE_PATTERN
from console.core.function_settings import SETTING_NAMES, ConstraintError, effective_logging
from console.core.functions import LATEST, FunctionConfig, FunctionError, FunctionExists, FunctionNotFound
from console.core.limits import MAX_EPHEMERAL_STORAGE, MAX_FUNCTION_NAME, MIN_EPHEMERAL_STORAGE
from console.core.zipcheck import PackageError
from console.engine import EngineError, RequestTooLargeError, TooManyRequestsError
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION
from console.lambda_api import bp

ACCOUNT = DEFAULT_ACCOUNT
log = logging.getLogger("lambda_console.api")
# Shown for functions made without a Role (in the web console): the account's usual basic execution role.
DEFAULT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda_basic_execution"
# botocore's FunctionName pattern, with groups: region, account, name, qualifier.
FUNCTION_NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)"
    r"(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_FUNCTION_NAME = re.compile(
    r"(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:[a-z]{2}(?:-gov)?-[a-z]+-\d:)?(?:\d{12}:)?(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?"
)
_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
ENV_NAME_PATTERN = r"[a-zA-Z]([a-zA-Z0-9_])+"
MAX_PAGE = 50  # ListFunctions and ListVersionsByFunction return at most 50 items a page, whatever MaxItems says
MAX_LIST_ITEMS = 10_000  # botocore's MaxListItems
LOG_TAIL_BYTES = 4096
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")


# -- errors ---------------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """An answer in Lambda's error format: its code, HTTP status and message."""

    def __init__(self, code: str, status: int, message: str, **extra: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.extra = extra


def invalid(message: str) -> ApiError:
    return ApiError("InvalidParameterValueException", 400, message)


def validation(value: object, field: str, constraint: str) -> ApiError:
    """A value that breaks the service model's constraints: AWS answers ValidationException (400), a code of its
    request validation that botocore's model does not list, in these words."""
    return ApiError("ValidationException", 400,
                    f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}")


def not_found(name: str, qualifier: str | None = None) -> ApiError:
    arn = function_arn(name) + (f":{qualifier}" if qualifier else "")
    return ApiError("ResourceNotFoundException", 404, f"Function not found: {arn}")


def unsupported() -> ApiError:
    """The answer to a request for an operation this console does not implement: a 4xx naming the operation, in
    Lambda's error format, so that an SDK or a deploy tool stops with a message instead of an HTML page."""
    from console.lambda_api.model import operation_for

    found = operation_for(request.method, request.path, request.args)
    if found is None:
        return ApiError("UnknownOperationException", 404,
                        f"{request.method} {request.path} is not an operation of the AWS Lambda API.")
    name, template = found
    return ApiError("UnknownOperationException", 404,
                    f"lambda-console does not implement {name} ({request.method} {template}) yet.")


def error_response(error: ApiError) -> Response:
    body = {"__type": error.code, "Type": "User", "message": error.message, **error.extra}
    response = Response(json.dumps(body), status=error.status, mimetype="application/json")
    response.headers["x-amzn-ErrorType"] = error.code
    if error.code == "TooManyRequestsException":
        response.headers["Retry-After"] = "1"
    return response


@bp.errorhandler(Exception)
def handle_exception(exc: Exception) -> Response:
    """Every failure of an API view, in Lambda's error format; never an HTML page, never a retried 5xx."""
    if isinstance(exc, ApiError):
        return error_response(exc)
    if isinstance(exc, CredentialsError):  # the function's role could not be assumed (--assume-role)
        return error_response(invalid(str(exc)))
    if isinstance(exc, AliasExists):
        return error_response(ApiError("ResourceConflictException", 409,
                                       f"Alias already exists: {function_arn(exc.function, exc.name)}"))
    if isinstance(exc, (FunctionExists, VersionInUse, FunctionNotReady)):
        return error_response(ApiError("ResourceConflictException", 409, str(exc)))
    if isinstance(exc, ConstraintError):
        return error_response(ApiError("ValidationException", 400, str(exc)))
    if isinstance(exc, (FunctionError, PackageError)):
        return error_response(invalid(str(exc)))
    if isinstance(exc, FunctionNotFound):
        # Deleted while the request ran: Lambda names it by its ARN.
        return error_response(not_found(exc.name, None if exc.version == LATEST else exc.version))
    if isinstance(exc, RequestTooLargeError):
        return error_response(ApiError("RequestEntityTooLargeException", 413, str(exc)))
    if isinstance(exc, TooManyRequestsError):
        return error_response(ApiError("TooManyRequestsException", 429, "Rate Exceeded.", Reason=exc.reason))
    if isinstance(exc, HTTPException) and exc.code == 413:
        return error_response(ApiError("RequestEntityTooLargeException", 413, _too_large_message()))
    if isinstance(exc, HTTPException):
        code = "RequestEntityTooLargeException" if exc.code == 413 else "InvalidRequestContentException"
        return error_response(ApiError(code, exc.code if exc.code and exc.code < 500 else 400, exc.description or ""))
    # Anything else is a fault of the console; a 400 says so without making the SDK retry it five times.
    log.exception("Lambda API: %s %s failed", request.method, request.path)
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    kind = "engine" if isinstance(exc, EngineError) else "console"
    return error_response(ApiError("ServiceException", 400, f"lambda-console could not do this ({kind} error): {detail}"))


def _too_large_message() -> str:
    """AWS's words for a request body over the limit: the limit is the largest zip's base64 (69905067 bytes for
    Lambda's 50 MB), named with the operation."""
    from console.lambda_api.model import operation_for

    found = operation_for(request.method, request.path, request.args)
    name = {"Invoke": "InvokeFunction"}.get(found[0], found[0]) if found else "this"
    limit = -(-get_console().config.max_zip_bytes * 4 // 3)
    return f"Request must be smaller than {limit} bytes for the {name} operation"


@bp.after_request
def add_request_id(response: Response) -> Response:
    response.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
    return response


# -- the request ----------------------------------------------------------------------------------------------------


def request_region() -> str:
    """The region the client signed for (SigV4 credential scope), else us-east-1."""
    scope = request.headers.get("Authorization", "") or request.args.get("X-Amz-Credential", "")
    match = _CREDENTIAL_REGION.search(scope if "Credential=" in scope else f"Credential={scope}")
    return match.group(1) if match else DEFAULT_REGION


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{request_region()}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


@dataclass(frozen=True)
class Target:
    """A FunctionName (in any of its forms) with its qualifier, from the name or the Qualifier parameter."""

    name: str
    qualifier: str | None

    @property
    def version(self) -> str:
        return self.qualifier or LATEST


def parse_function_name(raw: object, qualifier: str | None = None, field: str = "functionName") -> Target:
    """Read a name, `name:qualifier`, a partial ARN `123456789012:function:name` or a full ARN."""
    match = _FUNCTION_NAME.fullmatch(raw) if isinstance(raw, str) and len(raw) <= 140 else None
    if match is None:
        raise validation(raw, field, f"Member must satisfy regular expression pattern: {FUNCTION_NAME_PATTERN}")
    name, derived = match.group("name"), match.group("qualifier")
    if len(name) > MAX_FUNCTION_NAME:
        raise validation(raw, field, f"Member must have length less than or equal to {MAX_FUNCTION_NAME}")
    if derived and qualifier and derived != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    return Target(name, derived or qualifier or None)


def target_from_path(function_name: str, *, qualifier_allowed: bool = True) -> Target:
    target = parse_function_name(function_name, request.args.get("Qualifier") or None)
    if target.qualifier and not qualifier_allowed:
        raise invalid(
            f"{function_name} has the qualifier {target.qualifier!r}, which this operation does not take: "
            "name the function without it."
        )
    return target


def load_function(target: Target) -> FunctionConfig:
    """The function at the target's version; ResourceNotFoundException with Lambda's ARN when there is none."""
    try:
        return get_console().get_function(target.name, target.version)
    except FunctionNotFound:
        raise not_found(target.name, target.qualifier) from None


def unqualified_function(function_name: str) -> str:
    """The name of the existing function a path names, for operations on the function itself (not a version)."""
    return load_function(target_from_path(function_name, qualifier_allowed=False)).name


def json_body() -> dict:
    data = request.get_data(cache=False)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError("InvalidRequestContentException", 400, f"Could not parse request body into json: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(
            "InvalidRequestContentException", 400, "Could not parse request body into json: expected a JSON object"
        )
    return body


def no_content() -> Response:
    """204 with no body and no Content-Type, as Lambda answers a delete."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def json_response(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def check_role(role: object) -> str:
    if not isinstance(role, str) or not re.fullmatch(ROLE_PATTERN, role):
        raise validation(role, "role", f"Member must satisfy regular expression pattern: {ROLE_PATTERN}")
    return role


def check_revision(function: FunctionConfig, body: dict) -> None:
    revision = body.get("RevisionId")
    if revision is not None and revision != function.revision_id:
        raise ApiError(
            "PreconditionFailedException", 412,
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        )


def refuse_unsupported(body: dict) -> None:
    """Refuse what would make the code run differently from Lambda; everything else unknown is ignored."""
    if body.get("PackageType", "Zip") != "Zip":
        raise invalid("lambda-console runs .zip packages only: set PackageType to Zip and upload Code.ZipFile.")


def zip_file(value: object, field: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise invalid(
            f"{field} is required: lambda-console takes the package as a base64 .zip "
            "(aws lambda ... --zip-file fileb://package.zip); it has no S3 buckets or container images."
        )
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"{field} is not valid base64: {exc}") from None


def code_from(body: dict, field: str = "Code") -> bytes:
    code = body.get("Code") if field == "Code" else body
    if not isinstance(code, dict):
        raise invalid("Code is required: give Code.ZipFile, the deployment package (.zip) in base64.")
    if code.get("ImageUri") or code.get("S3Bucket") or code.get("S3Key"):
        raise invalid(
            "lambda-console has no S3 buckets or container images: upload the package itself as ZipFile "
            "(aws lambda ... --zip-file fileb://package.zip)."
        )
    return zip_file(code.get("ZipFile"), "Code.ZipFile" if field == "Code" else "ZipFile")


@contextmanager
def refused_zip(field: str) -> Iterator[None]:
    """A package the checks refuse: InvalidParameterValueException naming the field, then why, then what to do."""
    try:
        yield
    except PackageError as exc:
        raise invalid(f"Could not unzip uploaded file ({field}): {exc}") from None


def environment_from(body: dict) -> dict | None:
    if "Environment" not in body or body["Environment"] is None:
        return None
    environment = body["Environment"]
    if not isinstance(environment, dict):
        raise invalid("Environment must be an object: {\"Variables\": {\"NAME\": \"value\"}}.")
    variables = environment.get("Variables") or {}
    # botocore's EnvironmentVariableName pattern; the names are sensitive, so AWS's message shows no value.
    if isinstance(variables, dict) and any(not re.fullmatch(ENV_NAME_PATTERN, str(key)) for key in variables):
        raise ApiError("ValidationException", 400,
                       "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: "
                       f"Map keys must satisfy constraint: [Member must satisfy regular expression pattern: "
                       f"{ENV_NAME_PATTERN}]")
    return variables


def ephemeral_storage_from(body: dict) -> int | None:
    """EphemeralStorage.Size, the MB of /tmp, in Lambda's words when it is out of range (botocore's model gives the
    bounds, and Lambda words a broken one as for MemorySize); None when the body has no EphemeralStorage."""
    storage = body.get("EphemeralStorage")
    if storage is None:
        return None
    if not isinstance(storage, dict) or "Size" not in storage:
        raise invalid(
            f'EphemeralStorage must be an object with a Size: {{"Size": <MB of /tmp from {MIN_EPHEMERAL_STORAGE} '
            f"to {MAX_EPHEMERAL_STORAGE}>}}."
        )
    size = storage["Size"]
    if isinstance(size, bool) or not isinstance(size, int):
        raise invalid(f"EphemeralStorage.Size must be a whole number of MB, not {size!r}.")
    if size > MAX_EPHEMERAL_STORAGE:
        raise validation(size, "ephemeralStorage.size", f"Member must have value less than or equal to "
                                                        f"{MAX_EPHEMERAL_STORAGE}")
    if size < MIN_EPHEMERAL_STORAGE:
        raise validation(size, "ephemeralStorage.size", f"Member must have value greater than or equal to "
                                                        f"{MIN_EPHEMERAL_STORAGE}")
    return size


# -- shapes ---------------------------------------------------------------------------------------------------------


def configuration(function: FunctionConfig, *, qualified: bool | None = None) -> dict:
    """FunctionConfiguration: `qualified` puts the version in the ARN (the default for published versions)."""
    console = get_console()
    state = console.function_state(function)
    try:
        code_sha256, code_size = "", 0
        code = console.function_code(function)  # a stored package, or a folder's files as a zip
        code_sha256, code_size = code.code_sha256, code.size
    except FunctionError as exc:  # a folder function's folder is gone: it says so in its State
        state = replace(state, state="Failed", last_update_status="Failed", reason=str(exc))
    if qualified is None:
        qualified = function.version != LATEST
    shape = {
        "FunctionName": function.name,
        "FunctionArn": function_arn(function.name, function.version if qualified else None),
        "Runtime": function.runtime,
        "Role": function.role or DEFAULT_ROLE,  # each version keeps the role it was published with
        "Handler": function.handler,
        "CodeSize": code_size,
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory,
        "LastModified": function.last_modified,
        "CodeSha256": code_sha256,
        "Version": function.version,
        "TracingConfig": function.settings.get("TracingConfig", {"Mode": "PassThrough"}),
        "RevisionId": function.revision_id,
        "State": state.state,  # Pending while a folder's requirements.txt installs, Failed when pip failed
        "LastUpdateStatus": state.last_update_status,
        "PackageType": "Zip",
        "Architectures": function.settings.get("Architectures", ["x86_64"]),
        "EphemeralStorage": {"Size": function.ephemeral_storage},  # each version keeps its own
        "SnapStart": _snap_start(function),
        "LoggingConfig": effective_logging(function.settings, function.name),
    }
    if function.environment:
        shape["Environment"] = {"Variables": dict(function.environment)}
    if function.layers:
        shape["Layers"] = [{"Arn": layer.arn(request_region(), ACCOUNT), "CodeSize": layer.code_size}
                           for layer in function.layers]
    if state.state == "Pending":
        shape.update(StateReason=state.reason, StateReasonCode="Creating",
                     LastUpdateStatusReason=state.reason, LastUpdateStatusReasonCode="Creating")
    elif state.state == "Failed":
        shape.update(StateReason=state.reason, StateReasonCode="InternalError",
                     LastUpdateStatusReason=state.reason, LastUpdateStatusReasonCode="InternalError")
    if "VpcConfig" in function.settings:
        # Lambda names the subnets' VPC; the console has none to look up, so VpcId is empty, as Lambda's is when
        # the lists are.
        shape["VpcConfig"] = {**function.settings["VpcConfig"], "VpcId": ""}
    for name in ("DeadLetterConfig", "KMSKeyArn"):
        if name in function.settings:
            shape[name] = function.settings[name]
    return shape


def _snap_start(function: FunctionConfig) -> dict:
    """SnapStart as Lambda reports it: OptimizationStatus is On for published versions it applies to."""
    apply_on = function.settings.get("SnapStart", {}).get("ApplyOn", "None")
    applied = apply_on == "PublishedVersions" and function.version != LATEST
    return {"ApplyOn": apply_on, "OptimizationStatus": "On" if applied else "Off"}


def settings_from(body: dict, names: tuple[str, ...] = SETTING_NAMES) -> dict:
    """The further settings a request body names among `names` (each operation takes its own: CreateFunction all,
    UpdateFunctionConfiguration all but Architectures, UpdateFunctionCode only Architectures), for
    console.core.function_settings to check."""
    return {name: body[name] for name in names if body.get(name) is not None}


def page(items: list, key: Callable[[Any], tuple], marker_key: Callable[[str], tuple]) -> tuple[list, str | None]:
    """One page of `items` (sorted by `key`) after the request's Marker, at most MaxItems and 50."""
    raw = request.args.get("MaxItems")
    limit = MAX_PAGE
    if raw is not None:
        # ASCII digits, few enough for int() to read: '²' passes isdigit() and int() refuses 4,301 digits.
        if not (raw.isascii() and raw.lstrip("-").isdigit() and len(raw) <= 9):
            raise invalid(f"MaxItems {raw!r} is not a whole number: give one from 1 to {MAX_LIST_ITEMS}.")
        if int(raw) < 1:
            raise validation(raw, "maxItems", "Member must have value greater than or equal to 1")
        if int(raw) > MAX_LIST_ITEMS:
            raise validation(raw, "maxItems", f"Member must have value less than or equal to {MAX_LIST_ITEMS}")
        limit = min(int(raw), MAX_PAGE)
    marker = request.args.get("Marker")
    if marker:
        try:
            after = marker_key(marker)
        except ValueError:
            raise invalid(f"Marker {marker!r} is not valid: pass the NextMarker of the previous page.") from None
        items = [item for item in items if key(item) > after]
    chunk = items[:limit]
    next_marker = _marker(chunk[-1]) if len(items) > limit else None
    return chunk, next_marker


def _marker(function: FunctionConfig) -> str:
    # Opaque to clients; readable here: the last item's name and version.
    return base64.urlsafe_b64encode(f"{function.name}:{function.version}".encode()).decode()


def sort_key(function: FunctionConfig) -> tuple:
    return (function.name, -1 if function.version == LATEST else int(function.version))


def marker_key(marker: str) -> tuple:
    try:
        name, version = base64.urlsafe_b64decode(marker.encode()).decode().rsplit(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(marker) from None
    return (name, -1 if version == LATEST else int(version))

