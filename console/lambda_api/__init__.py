"""The AWS Lambda REST API (service `lambda`, rest-json, 2015-03-31) in AWS's wire format, over the Console.

boto3, the AWS CLI and any SDK talk to it unchanged (`endpoint_url="http://127.0.0.1:PORT"`). Functions made here
are the web console's functions: both call the one Console.

Operations: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
UpdateFunctionConfiguration, DeleteFunction, PublishVersion, ListVersionsByFunction and Invoke; TagResource,
UntagResource, ListTags, Put/Get/DeleteFunctionConcurrency and GetAccountSettings (console.lambda_api.settings); the function URL operations under /2021-10-31
(console.lambda_api.function_urls);
CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases (aliases, weighted ones included, wherever a
qualifier is taken); and
`GET /2015-03-31/code/<sha256>.zip`, the `Code.Location` of GetFunction, which downloads the stored zip. Every
other operation of the service model, under any of its date prefixes, answers UnknownOperationException (404) naming
the operation (console.lambda_api.model reads botocore's description of the service).

Errors go out as botocore reads them: `x-amzn-ErrorType: <Code>` and `{"__type", "Type", "message"}`, with Lambda's
codes and statuses. A 5xx or 429 makes SDKs retry, so only a full engine (429) answers with one.

InvokeWithResponseStream answers in AWS's event stream encoding (console.lambda_api.streaming); Put, Update, Get,
Delete and ListFunctionEventInvokeConfig(s) set the Event queue's retries and maximum event age
(console.lambda_api.event_invoke).

Architectures, TracingConfig, VpcConfig, DeadLetterConfig, KMSKeyArn, SnapStart, LoggingConfig and EphemeralStorage
are stored and reported as given (console.core.function_settings says which the console cannot honour). Other request
fields this console has no use for (FileSystemConfigs...) are accepted and ignored. Fields that would change what the
code sees and that cannot be honoured are refused with InvalidParameterValueException: `PackageType: Image`, and code
from S3 or a container image instead of `ZipFile`.

The layer operations (PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers, ListLayerVersions,
DeleteLayerVersion) live under their own date, `/2018-10-31/layers` (`layers_bp`, console.lambda_api.layers).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response
from werkzeug.routing import BaseConverter

bp: Blueprint = Blueprint("lambda_api", __name__, url_prefix="/2015-03-31")
# The API's other date prefixes (/2017-03-31/tags, /2018-10-31/layers, /2021-10-31/.../url...): their routes carry
# the prefix themselves; whatever this console does not implement there answers in Lambda's error format too.
dated: Blueprint = Blueprint("lambda_api_dated", __name__)
layers_bp: Blueprint = Blueprint("lambda_layers", __name__, url_prefix="/2018-10-31")


class ApiDate(BaseConverter):
    """The date of an API version at the start of a path (`2018-10-31`)."""

    regex = r"\d{4}-\d{2}-\d{2}"


# The modules register their error handlers and routes on `bp` when imported.
from console.lambda_api import (
    aliases,
    event_invoke,
    function_urls,
    functions,
    invoke,
    layers,
    settings,
    streaming,
    wire,
)
from console.lambda_api.wire import ApiError, add_request_id, error_response, handle_exception, unsupported


@dated.route("/<api_date:version>", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
@dated.route("/<api_date:version>/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
def unknown_dated_operation(version: str, rest: str) -> Response:
    raise unsupported()


dated.register_error_handler(Exception, handle_exception)
dated.after_request(add_request_id)


def init_app(app: Flask) -> None:
    """Serve the REST API under every date prefix of AWS Lambda's service model."""
    app.url_map.converters["api_date"] = ApiDate
    app.register_blueprint(bp)
    app.register_blueprint(layers_bp)
    app.register_blueprint(function_urls.bp)
    app.register_blueprint(dated)

# ApiError and error_response answer in Lambda's error format outside the views too (security.py's refusals).
__all__ = [
    "ApiError",
    "aliases",
    "bp",
    "dated",
    "error_response",
    "event_invoke",
    "function_urls",
    "functions",
    "init_app",
    "invoke",
    "layers",
    "layers_bp",
    "settings",
    "streaming",
    "wire",
]
