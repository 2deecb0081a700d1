"""The AWS Lambda REST API (service `lambda`, rest-json, 2015-03-31) in AWS's wire format, over the Console.

boto3, the AWS CLI and any SDK talk to it unchanged (`endpoint_url="http://127.0.0.1:PORT"`). Functions made here
are the web console's functions: both call the one Console.

Operations: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
UpdateFunctionConfiguration, DeleteFunction, PublishVersion, ListVersionsByFunction and Invoke; and
`GET /2015-03-31/code/<sha256>.zip`, the `Code.Location` of GetFunction, which downloads the stored zip.

Errors go out as botocore reads them: `x-amzn-ErrorType: <Code>` and `{"__type", "Type", "message"}`, with Lambda's
codes and statuses. A 5xx or 429 makes SDKs retry, so only a full engine (429) answers with one.

Request fields this console has no use for (VpcConfig, TracingConfig, Tags, KMSKeyArn, DeadLetterConfig,
FileSystemConfigs, EphemeralStorage, SnapStart, LoggingConfig, Architectures...) are accepted and ignored. Fields that
would change what the code sees and that cannot be honoured are refused with InvalidParameterValueException:
non-empty `Layers`, `PackageType: Image`, and code from S3 or a container image instead of `ZipFile`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Blueprint, Response, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from console import get_console
from console.core.functions import LATEST, FunctionConfig, FunctionError, FunctionExists, FunctionNotFound, check_name
from console.core.packages import PackageError, check_zip
from console.engine import EngineError, RequestTooLargeError, TooManyRequestsError
from console.engine.invocation import DEFAULT_ACCOUNT, DEFAULT_REGION, MAX_EVENT_REQUEST_BYTES, MAX_REQUEST_BYTES

bp = Blueprint("lambda_api", __name__, url_prefix="/2015-03-31")

ACCOUNT = DEFAULT_ACCOUNT
# Shown for functions made without a Role (in the web console): the account's usual basic execution role.
DEFAULT_ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda_basic_execution"
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"
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
    """Lambda's wording for a value that breaks the service model's constraints."""
    return invalid(f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}")


def not_found(name: str, qualifier: str | None = None) -> ApiError:
    arn = function_arn(name) + (f":{qualifier}" if qualifier else "")
    return ApiError("ResourceNotFoundException", 404, f"Function not found: {arn}")


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
    if isinstance(exc, FunctionExists):
        return error_response(ApiError("ResourceConflictException", 409, str(exc)))
    if isinstance(exc, (FunctionError, PackageError)):
        return error_response(invalid(str(exc)))
    if isinstance(exc, FunctionNotFound):
        return error_response(ApiError("ResourceNotFoundException", 404, str(exc)))
    if isinstance(exc, RequestTooLargeError):
        return error_response(ApiError("RequestEntityTooLargeException", 413, str(exc)))
    if isinstance(exc, TooManyRequestsError):
        return error_response(
            ApiError("TooManyRequestsException", 429, "Rate Exceeded.", Reason="ConcurrentInvocationLimitExceeded")
        )
    if isinstance(exc, HTTPException):
        code = "RequestEntityTooLargeException" if exc.code == 413 else "InvalidRequestContentException"
        return error_response(ApiError(code, exc.code if exc.code and exc.code < 500 else 400, exc.description or ""))
    # Anything else is a fault of the console; a 400 says so without making the SDK retry it five times.
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    kind = "engine" if isinstance(exc, EngineError) else "console"
    return error_response(ApiError("ServiceException", 400, f"lambda-console could not do this ({kind} error): {detail}"))


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
    if len(name) > 64:
        raise validation(raw, field, "Member must have length less than or equal to 64")
    if derived and qualifier and derived != qualifier:
        raise invalid("The derived qualifier from the function name does not match the specified qualifier.")
    return Target(name, derived or qualifier or None)


def target_from_path(function_name: str, *, qualifier_allowed: bool = True) -> Target:
    target = parse_function_name(function_name, request.args.get("Qualifier") or None)
    if target.qualifier and not qualifier_allowed:
        raise invalid(f"This operation changes $LATEST: remove the qualifier ':{target.qualifier}' from {function_name}.")
    return target


def load_function(target: Target) -> FunctionConfig:
    """The function at the target's version; ResourceNotFoundException with Lambda's ARN when there is none."""
    try:
        return get_console().functions.get(target.name, target.version)
    except FunctionNotFound:
        raise not_found(target.name, target.qualifier) from None


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
    if body.get("Layers"):
        raise invalid(
            "Layers are not supported by lambda-console: put the layers' libraries in the deployment package "
            "(pip install --target <package folder> ...) and leave Layers out."
        )
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
    return environment.get("Variables") or {}


# -- shapes ---------------------------------------------------------------------------------------------------------


def configuration(function: FunctionConfig, *, qualified: bool | None = None) -> dict:
    """FunctionConfiguration: `qualified` puts the version in the ARN (the default for published versions)."""
    console = get_console()
    package = console.packages.get(function.package_sha256)
    if qualified is None:
        qualified = function.version != LATEST
    shape = {
        "FunctionName": function.name,
        "FunctionArn": function_arn(function.name, function.version if qualified else None),
        "Runtime": function.runtime,
        "Role": console.function_role(function.name) or DEFAULT_ROLE,
        "Handler": function.handler,
        "CodeSize": package.size,
        "Description": function.description,
        "Timeout": function.timeout,
        "MemorySize": function.memory,
        "LastModified": function.last_modified,
        "CodeSha256": package.code_sha256,
        "Version": function.version,
        "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": function.revision_id,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "PackageType": "Zip",
        "Architectures": ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function.name}"},
    }
    if function.environment:
        shape["Environment"] = {"Variables": dict(function.environment)}
    return shape


def page(items: list, key: Callable[[object], tuple], marker_key: Callable[[str], tuple]) -> tuple[list, str | None]:
    """One page of `items` (sorted by `key`) after the request's Marker, at most MaxItems and 50."""
    raw = request.args.get("MaxItems")
    limit = MAX_PAGE
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIST_ITEMS:
            raise validation(raw, "maxItems", f"Member must be a whole number from 1 to {MAX_LIST_ITEMS}")
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


def _sort_key(function: FunctionConfig) -> tuple:
    return (function.name, -1 if function.version == LATEST else int(function.version))


def _marker_key(marker: str) -> tuple:
    try:
        name, version = base64.urlsafe_b64decode(marker.encode()).decode().rsplit(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError(marker) from None
    return (name, -1 if version == LATEST else int(version))


# -- functions ------------------------------------------------------------------------------------------------------


@bp.route("/functions", methods=["POST"])
@bp.route("/functions/", methods=["POST"])
def create_function() -> Response:
    """CreateFunction: 201 with the new function's configuration (version 1's when Publish is true)."""
    console = get_console()
    body = json_body()
    refuse_unsupported(body)
    if "FunctionName" not in body:
        raise invalid("FunctionName is required.")
    target = parse_function_name(body["FunctionName"])
    if target.qualifier:
        raise invalid(f"FunctionName {body['FunctionName']} has a qualifier: a new function is named without one.")
    check_name(target.name)
    if "Role" not in body:
        raise invalid("Role is required: the ARN of the function's execution role, arn:aws:iam::<account>:role/<name>.")
    role = check_role(body["Role"])
    settings = {
        "runtime": body.get("Runtime"),
        "timeout": body.get("Timeout", 3),
        "memory": body.get("MemorySize", 128),
        "environment": environment_from(body),
        "description": body.get("Description", ""),
    }
    _check_limits(settings)
    # Conflicts and configuration first, so a refused request stores no package.
    if console.functions.exists(target.name):
        raise ApiError("ResourceConflictException", 409, f"Function already exist: {target.name}")
    from console.core import functions as checks

    checks.check_handler(body.get("Handler"))
    checks.check_timeout(settings["timeout"])
    checks.check_memory(settings["memory"])
    checks.check_runtime(settings["runtime"])
    checks.check_environment(settings["environment"])
    checks.check_description(settings["description"])
    data = code_from(body)
    with refused_zip("Code.ZipFile"):
        function = console.create_function(target.name, data, body["Handler"], **settings)
    console.set_function_role(function.name, role)
    if body.get("Publish"):
        function = console.publish_version(function.name)
    return json_response(configuration(function), 201)


def _check_limits(settings: dict) -> None:
    """Lambda's wording for Timeout and MemorySize out of range (botocore lets too-large values through)."""
    timeout, memory = settings.get("timeout"), settings.get("memory")
    if isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 900:
        raise validation(timeout, "timeout", "Member must have value less than or equal to 900")
    if isinstance(memory, int) and not isinstance(memory, bool) and memory > 10240:
        raise validation(memory, "memorySize", "Member must have value less than or equal to 10240")
    for field, value in (("Timeout", timeout), ("MemorySize", memory)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise invalid(f"{field} must be a whole number, not {value!r}.")


@bp.route("/functions", methods=["GET"])
@bp.route("/functions/", methods=["GET"])
def list_functions() -> Response:
    """ListFunctions: `Functions` by name, paged by Marker and MaxItems; `FunctionVersion=ALL` adds versions."""
    console = get_console()
    every_version = request.args.get("FunctionVersion")
    if every_version not in (None, "ALL"):
        raise validation(every_version, "functionVersion", "Member must satisfy enum value set: [ALL]")
    functions: Iterable[FunctionConfig] = console.functions.list()
    if every_version:
        functions = [version for function in functions for version in _versions(function.name)]
    items, next_marker = page(sorted(functions, key=_sort_key), _sort_key, _marker_key)
    body: dict = {"Functions": [configuration(item, qualified=bool(every_version)) for item in items]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


def _versions(name: str) -> list[FunctionConfig]:
    try:
        return get_console().functions.versions(name)
    except FunctionNotFound:  # deleted meanwhile
        return []


@bp.route("/functions/<function_name>", methods=["GET"])
def get_function(function_name: str) -> Response:
    """GetFunction: the configuration, and where to download the code."""
    function = load_function(target_from_path(function_name))
    location = url_for("lambda_api.download_code", sha256=function.package_sha256, _external=True)
    return json_response({
        "Configuration": configuration(function),
        "Code": {"RepositoryType": "S3", "Location": location},
    })


@bp.route("/functions/<function_name>/configuration", methods=["GET"])
def get_function_configuration(function_name: str) -> Response:
    return json_response(configuration(load_function(target_from_path(function_name))))


@bp.route("/code/<sha256>.zip", methods=["GET"])
def download_code(sha256: str) -> Response:
    """The stored deployment package, as uploaded (GetFunction's Code.Location)."""
    try:
        package = get_console().packages.get(sha256)
    except (KeyError, ValueError):
        raise ApiError("ResourceNotFoundException", 404, f"No stored package has the SHA-256 {sha256}.") from None
    return send_file(package.zip_path, mimetype="application/zip", download_name=f"{sha256[:12]}.zip")


@bp.route("/functions/<function_name>/code", methods=["PUT"])
def update_function_code(function_name: str) -> Response:
    """UpdateFunctionCode: new code for $LATEST (hot reload); Publish, DryRun and RevisionId as Lambda has them."""
    console = get_console()
    target = target_from_path(function_name, qualifier_allowed=False)
    body = json_body()
    function = load_function(target)
    check_revision(function, body)
    data = code_from(body, field="ZipFile")
    if body.get("DryRun"):
        with refused_zip("ZipFile"):
            check_zip(io.BytesIO(data), max_unzipped_bytes=console.config.max_unzipped_bytes)
        shape = configuration(function)
        shape["CodeSha256"] = base64.b64encode(hashlib.sha256(data).digest()).decode()
        shape["CodeSize"] = len(data)
        return json_response(shape)
    with refused_zip("ZipFile"):
        function = console.update_function_code(target.name, data)
    if body.get("Publish"):
        function = console.publish_version(target.name)
    return json_response(configuration(function))


@bp.route("/functions/<function_name>/configuration", methods=["PUT"])
def update_function_configuration(function_name: str) -> Response:
    """UpdateFunctionConfiguration: Role, Handler, Runtime, Timeout, MemorySize, Environment, Description."""
    console = get_console()
    target = target_from_path(function_name, qualifier_allowed=False)
    body = json_body()
    refuse_unsupported({"Layers": body.get("Layers")})
    function = load_function(target)
    check_revision(function, body)
    names = {"Handler": "handler", "Runtime": "runtime", "Timeout": "timeout", "MemorySize": "memory",
             "Description": "description"}
    changes = {setting: body[field] for field, setting in names.items() if field in body}
    if "Environment" in body:
        changes["environment"] = environment_from(body) or {}
    _check_limits(changes)
    role = check_role(body["Role"]) if "Role" in body else None
    function = console.update_function_configuration(target.name, **changes)
    if role is not None:
        console.set_function_role(target.name, role)
    return json_response(configuration(function))


@bp.route("/functions/<function_name>", methods=["DELETE"])
def delete_function(function_name: str) -> Response:
    """DeleteFunction: the function with its versions, saved events and history; 204."""
    console = get_console()
    target = target_from_path(function_name)
    if target.qualifier == LATEST:
        raise invalid("$LATEST version cannot be deleted without deleting the function.")
    load_function(target)
    if target.qualifier:
        raise invalid(
            f"lambda-console does not delete single versions: delete {target.name} without a qualifier to delete it "
            "with all its versions."
        )
    console.delete_function(target.name)  # its role goes with its row
    return Response(status=204)


@bp.route("/functions/<function_name>/versions", methods=["POST"])
def publish_version(function_name: str) -> Response:
    """PublishVersion: $LATEST as the next version (or the last one, when nothing changed); 201."""
    console = get_console()
    target = target_from_path(function_name, qualifier_allowed=False)
    body = json_body()
    function = load_function(target)
    check_revision(function, body)
    expected = body.get("CodeSha256")
    if expected:
        current = console.packages.get(function.package_sha256).code_sha256
        if expected != current:
            raise invalid(
                f"CodeSHA256 ({expected}) is different from current CodeSHA256 in $LATEST ({current}). Please try again"
            )
    version = console.publish_version(target.name, body.get("Description"))
    return json_response(configuration(version), 201)


@bp.route("/functions/<function_name>/versions", methods=["GET"])
def list_versions(function_name: str) -> Response:
    """ListVersionsByFunction: $LATEST, then versions 1, 2, ..., with qualified ARNs; paged like ListFunctions."""
    target = target_from_path(function_name, qualifier_allowed=False)
    load_function(target)
    items, next_marker = page(_versions(target.name), _sort_key, _marker_key)
    body: dict = {"Versions": [configuration(item, qualified=True) for item in items]}
    if next_marker:
        body["NextMarker"] = next_marker
    return json_response(body)


# -- invoke ---------------------------------------------------------------------------------------------------------


@bp.route("/functions/<function_name>/invocations", methods=["POST"])
def invoke(function_name: str) -> Response:
    """Invoke: RequestResponse (200, the payload), Event (202, in the background with retries), DryRun (204)."""
    console = get_console()
    invocation_type = request.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
    if invocation_type not in INVOCATION_TYPES:
        raise validation(
            invocation_type, "invocationType", f"Member must satisfy enum value set: [{', '.join(INVOCATION_TYPES)}]"
        )
    log_type = request.headers.get("X-Amz-Log-Type") or "None"
    if log_type not in ("None", "Tail"):
        raise validation(log_type, "logType", "Member must satisfy enum value set: [None, Tail]")
    target = target_from_path(function_name)
    function = load_function(target)
    payload = request.get_data(cache=False) or b"{}"
    if invocation_type == "Event" and len(payload) > MAX_EVENT_REQUEST_BYTES:
        raise ApiError(
            "RequestEntityTooLargeException", 413,
            f"{len(payload)} byte payload is too large for the Event invocation type (limit {MAX_EVENT_REQUEST_BYTES} "
            "bytes)",
        )
    if len(payload) > MAX_REQUEST_BYTES:
        raise ApiError(
            "RequestEntityTooLargeException", 413,
            f"Request must be smaller than {MAX_REQUEST_BYTES} bytes for the InvokeFunction operation",
        )
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            "InvalidRequestContentException", 400,
            f"Could not parse request body into json: Could not parse payload into json: {exc}",
        ) from None
    client_context = _client_context()
    region = request_region()
    if invocation_type == "DryRun":
        return Response(status=204)
    if invocation_type == "Event":
        job = console.jobs.start(
            function.name, payload, version=function.version, source="event", retries=2,
            client_context=client_context, region=region, account=ACCOUNT,
        )
        response = Response(status=202)
        response.headers["x-amzn-RequestId"] = job.request_id
        return response
    request_id = str(uuid.uuid4())
    record = console.invoke(
        function.name, payload, version=function.version, source="api", client_context=client_context,
        region=region, account=ACCOUNT, request_id=request_id,
    )
    response = Response(record.payload, status=200, mimetype="application/json")
    response.headers["x-amzn-RequestId"] = record.request_id
    response.headers["X-Amz-Executed-Version"] = record.version
    if not record.succeeded:
        response.headers["X-Amz-Function-Error"] = "Unhandled"
    if log_type == "Tail":
        response.headers["X-Amz-Log-Result"] = base64.b64encode(record.log.encode()[-LOG_TAIL_BYTES:]).decode()
    return response


def _client_context() -> str | None:
    """X-Amz-Client-Context: base64 of a JSON object; the runtime receives the JSON itself."""
    raw = request.headers.get("X-Amz-Client-Context")
    if not raw:
        return None
    try:
        text = base64.b64decode(raw, validate=True).decode()
        value = json.loads(text)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise invalid("Client context must be a valid Base64-encoded JSON object.")
    return text


# -- anything else under /2015-03-31 ------------------------------------------------------------------------------


@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown_operation(rest: str) -> Response:
    """An operation this console does not implement: a 4xx in Lambda's format (never an HTML page)."""
    raise ApiError(
        "UnknownOperationException", 404,
        f"lambda-console does not implement {request.method} /2015-03-31/{rest}. It implements CreateFunction, "
        "GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration, "
        "DeleteFunction, PublishVersion, ListVersionsByFunction and Invoke.",
    )
