"""The AWS Lambda REST API (service `lambda`, rest-json, 2015-03-31) in AWS's wire format, over the Console.

boto3, the AWS CLI and any SDK talk to it unchanged (`endpoint_url="http://127.0.0.1:PORT"`). Functions made here
are the web console's functions: both call the one Console.

Operations: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionCode,
UpdateFunctionConfiguration, DeleteFunction, PublishVersion, ListVersionsByFunction and Invoke; the function URL
operations under /2021-10-31 (console.lambda_api.function_urls); and
`GET /2015-03-31/code/<sha256>.zip`, the `Code.Location` of GetFunction, which downloads the stored zip.

Errors go out as botocore reads them: `x-amzn-ErrorType: <Code>` and `{"__type", "Type", "message"}`, with Lambda's
codes and statuses. A 5xx or 429 makes SDKs retry, so only a full engine (429) answers with one.

Request fields this console has no use for (VpcConfig, TracingConfig, Tags, KMSKeyArn, DeadLetterConfig,
FileSystemConfigs, EphemeralStorage, SnapStart, LoggingConfig, Architectures...) are accepted and ignored. Fields that
would change what the code sees and that cannot be honoured are refused with InvalidParameterValueException:
non-empty `Layers`, `PackageType: Image`, and code from S3 or a container image instead of `ZipFile`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lambda_api", __name__, url_prefix="/2015-03-31")

# The modules register their error handlers and routes on `bp` when imported.
from console.lambda_api import function_urls, functions, invoke, wire
from console.lambda_api.wire import ApiError, error_response

# ApiError and error_response answer in Lambda's error format outside the views too (security.py's refusals).
__all__ = ["ApiError", "bp", "error_response", "function_urls", "functions", "invoke", "wire"]
