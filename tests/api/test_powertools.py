"""A real-world handler built on Powertools for AWS Lambda, packaged with pip and driven through boto3.

Logger with `inject_lambda_context`, Metrics with `log_metrics(capture_cold_start_metric=True)` and an
`APIGatewayRestResolver` answering the API Gateway event of the Test tab's template.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from console.core.templates import get_template
from tests.api.conftest import unique
from tests.conftest import zip_contents

APP = '''
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()
app = APIGatewayRestResolver()


@app.get("/hello/<name>")
def hello(name):
    metrics.add_metric(name="Greetings", unit=MetricUnit.Count, value=1)
    logger.info("greeting", extra={"who": name})
    return {"message": f"hello {name}"}


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event, context):
    return app.resolve(event, context)
'''


@pytest.fixture(scope="session")
def powertools_zip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The handler with Powertools installed beside it by pip, zipped: built once per test session."""
    root = tmp_path_factory.mktemp("powertools")
    package = root / "package"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--target", str(package), "aws-lambda-powertools"],
        check=True, capture_output=True, timeout=300,
    )
    (package / "app.py").write_text(APP)
    return zip_contents(package, root / "powertools.zip").read_bytes()


def api_gateway_event(path: str, method: str = "GET") -> bytes:
    event = get_template("apigateway-aws-proxy").value
    event.update(path=path, httpMethod=method, resource="/hello/{name}", body=None,
                 pathParameters={"name": path.rsplit("/", 1)[-1]})
    event["requestContext"].update(path=f"/prod{path}", httpMethod=method, resourcePath="/hello/{name}")
    return json.dumps(event).encode()


def logger_line(log_result: str, message: str) -> dict:
    """The Logger's JSON line with that message, from Invoke's base64 log tail."""
    for line in base64.b64decode(log_result).decode().splitlines():
        if line.startswith("{") and json.loads(line).get("message") == message:
            return json.loads(line)
    raise AssertionError(f"no Logger line {message!r} in:\n{base64.b64decode(log_result).decode()}")


def test_a_powertools_api_handler_answers_and_reports_cold_start(lam, create, powertools_zip: bytes) -> None:
    name = unique("powertools")
    create(powertools_zip, "app.handler", FunctionName=name, Timeout=30, MemorySize=256,
           Environment={"Variables": {"POWERTOOLS_SERVICE_NAME": "greeter", "POWERTOOLS_METRICS_NAMESPACE": "Tests"}})

    first = lam.invoke(FunctionName=name, Payload=api_gateway_event("/hello/ada"), LogType="Tail")
    assert "FunctionError" not in first, first["Payload"].read()
    response = json.loads(first["Payload"].read())
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"message": "hello ada"}
    line = logger_line(first["LogResult"], "greeting")
    assert (line["cold_start"], line["who"], line["service"], line["function_name"]) == (True, "ada", "greeter", name)
    assert line["function_request_id"] == first["ResponseMetadata"]["RequestId"]
    assert line["function_memory_size"] == "256"
    log = base64.b64decode(first["LogResult"]).decode()
    assert '"ColdStart"' in log and '"Tests"' in log  # the metrics, in Embedded Metric Format

    second = lam.invoke(FunctionName=name, Payload=api_gateway_event("/hello/grace"), LogType="Tail")
    assert json.loads(json.loads(second["Payload"].read())["body"]) == {"message": "hello grace"}
    assert logger_line(second["LogResult"], "greeting")["cold_start"] is False

    missing = lam.invoke(FunctionName=name, Payload=api_gateway_event("/nowhere"))
    assert json.loads(missing["Payload"].read())["statusCode"] == 404

