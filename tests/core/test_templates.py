"""Event templates: each is the event its AWS service sends, as Powertools' own models (which handlers use) read it."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json

import pytest
from aws_lambda_powertools.utilities.parser import models, parse

from console.core.events import parse_event
from console.core.templates import EventTemplate, get_template, list_templates

# Each template with the Powertools model of its source; the CloudFront (Lambda@Edge) event has none.
MODELS = {
    "apigateway-aws-proxy": models.APIGatewayProxyEventModel,
    "apigateway-http-api-proxy": models.APIGatewayProxyEventV2Model,
    "alb": models.AlbModel,
    "s3-put": models.S3Model,
    "s3-delete": models.S3Model,
    "sqs": models.SqsModel,
    "sns": models.SnsModel,
    "dynamodb-stream": models.DynamoDBStreamModel,
    "kinesis": models.KinesisDataStreamModel,
    "eventbridge-scheduled": models.EventBridgeModel,
    "cloudwatch-logs": models.CloudWatchLogsModel,
    "cloudformation-create-request": models.CloudFormationCustomResourceCreateModel,
    "cognito-user-pool-pre-signup": models.CognitoPreSignupTriggerModel,
    "ses": models.SesModel,
    "lambda-function-url": models.LambdaFunctionUrlModel,
}
NAMES = ["hello-world", *MODELS, "cloudfront"]
ACCOUNT = "123456789012"


def value(name: str) -> object:
    return parse_event(get_template(name).body)


def test_the_templates_a_user_can_pick() -> None:
    templates = list_templates()
    assert sorted(template.name for template in templates) == sorted(NAMES)
    assert templates[0].name == "hello-world"  # the AWS console's default event comes first
    titles = [template.title for template in templates[1:]]
    assert titles == sorted(titles, key=str.casefold)
    assert all(template.title and template.service for template in templates)


def test_hello_world_is_the_console_default() -> None:
    assert value("hello-world") == {"key1": "value1", "key2": "value2", "key3": "value3"}
    assert get_template("hello-world").body == '{\n  "key1": "value1",\n  "key2": "value2",\n  "key3": "value3"\n}'


@pytest.mark.parametrize("name", NAMES)
def test_every_template_is_a_valid_event_pretty_printed(name: str) -> None:
    template = get_template(name)
    assert isinstance(template, EventTemplate) and template.name == name
    event = parse_event(template.body)
    assert template.body == json.dumps(event, indent=2, ensure_ascii=False)
    assert template.value == event


@pytest.mark.parametrize("name", list(MODELS))
def test_every_template_parses_with_the_powertools_model_of_its_source(name: str) -> None:
    parse(event=value(name), model=MODELS[name])


@pytest.mark.parametrize("name", NAMES)
def test_templates_use_the_example_account_and_region(name: str) -> None:
    text = get_template(name).body
    for arn in (word.strip('",') for word in text.split() if word.strip('",').startswith("arn:aws:")):
        parts = arn.split(":")
        if parts[2] not in ("s3", "iam"):  # S3 and IAM ARNs carry no region
            assert parts[3] == "us-east-1", arn
        if parts[2] != "s3":
            assert parts[4] == ACCOUNT, arn


def test_unknown_template_names_the_known_ones() -> None:
    with pytest.raises(KeyError) as info:
        get_template("s3-get")
    message = str(info.value)
    assert message.startswith("No event template named 's3-get'. The templates are: alb, apigateway-aws-proxy,")
    assert all(name in message for name in NAMES)


# -- the fields a handler reads ---------------------------------------------------------------------------------


def test_rest_api_proxy() -> None:
    event = parse(event=value("apigateway-aws-proxy"), model=models.APIGatewayProxyEventModel)
    assert (event.httpMethod, event.path, event.resource) == ("POST", "/path/to/resource", "/{proxy+}")
    assert json.loads(event.body) == {"message": "hello world"}
    assert event.requestContext.accountId == ACCOUNT
    assert event.requestContext.stage == "prod"
    assert event.multiValueHeaders["Host"] == [event.headers["Host"]]


def test_http_api_proxy() -> None:
    event = parse(event=value("apigateway-http-api-proxy"), model=models.APIGatewayProxyEventV2Model)
    assert (event.requestContext.http.method, event.rawPath) == ("POST", "/orders/1234")
    assert event.pathParameters == {"orderId": "1234"}
    assert json.loads(event.body) == {"status": "PLACED", "quantity": 2}


def test_alb() -> None:
    event = parse(event=value("alb"), model=models.AlbModel)
    assert (event.httpMethod, event.path, event.queryStringParameters) == ("GET", "/lambda", {"query": "1234ABCD"})
    assert event.requestContext.elb.targetGroupArn.startswith(f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:")


def test_s3_put_and_delete() -> None:
    put = parse(event=value("s3-put"), model=models.S3Model).Records[0]
    assert (put.eventName, put.s3.bucket.name, put.s3.object.key) == (
        "ObjectCreated:Put",
        "amzn-s3-demo-bucket",
        "images/HappyFace.jpg",
    )
    assert put.s3.object.size == 1024
    removed = parse(event=value("s3-delete"), model=models.S3Model).Records[0]
    assert (removed.eventName, removed.s3.bucket.name, removed.s3.object.key) == (
        "ObjectRemoved:Delete",
        "amzn-s3-demo-bucket",
        "images/HappyFace.jpg",
    )
    assert removed.s3.object.size is None  # a deleted object has no size


def test_sqs() -> None:
    records = parse(event=value("sqs"), model=models.SqsModel).Records
    assert [record.body for record in records] == ["Hello from SQS!", '{"orderId": "1234", "status": "PLACED"}']
    assert records[0].eventSourceARN == f"arn:aws:sqs:us-east-1:{ACCOUNT}:my-queue"
    assert records[1].messageAttributes["source"].stringValue == "checkout"
    # md5OfBody is what SQS computes, so a handler that checks it finds it right.
    raw = value("sqs")["Records"]
    assert all(hashlib.md5(record["body"].encode()).hexdigest() == record["md5OfBody"] for record in raw)


def test_sns() -> None:
    record = parse(event=value("sns"), model=models.SnsModel).Records[0]
    assert (record.Sns.Subject, record.Sns.Message) == ("Order placed", "Order 1234 was placed.")
    assert record.Sns.TopicArn == f"arn:aws:sns:us-east-1:{ACCOUNT}:my-topic"


def test_dynamodb_stream() -> None:
    records = parse(event=value("dynamodb-stream"), model=models.DynamoDBStreamModel).Records
    assert [record.eventName for record in records] == ["INSERT", "MODIFY", "REMOVE"]
    modify = records[1].dynamodb
    assert (modify.OldImage["Message"], modify.NewImage["Message"]) == ("New item!", "This item has changed")
    assert modify.Keys == {"Id": 101}


def test_kinesis_data_is_base64() -> None:
    records = parse(event=value("kinesis"), model=models.KinesisDataStreamModel).Records
    assert records[0].kinesis.data == b"Hello, this is a test."
    assert json.loads(records[1].kinesis.data) == {"orderId": "1234", "status": "PLACED"}
    assert value("kinesis")["Records"][0]["kinesis"]["data"] == "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="


def test_eventbridge_scheduled() -> None:
    event = parse(event=value("eventbridge-scheduled"), model=models.EventBridgeModel)
    assert (event.source, event.detail_type, event.detail) == ("aws.events", "Scheduled Event", {})
    assert event.resources == [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/my-schedule"]


def test_cloudwatch_logs_data_is_gzip_and_base64() -> None:
    data = value("cloudwatch-logs")["awslogs"]["data"]
    batch = json.loads(gzip.decompress(base64.b64decode(data, validate=True)))
    assert batch["logGroup"] == "/aws/lambda/my-function"
    decoded = parse(event=value("cloudwatch-logs"), model=models.CloudWatchLogsModel).awslogs.decoded_data
    assert decoded.messageType == "DATA_MESSAGE"
    assert decoded.owner == ACCOUNT
    messages = [log_event.message for log_event in decoded.logEvents]
    assert messages[0].startswith("START RequestId: 8f5f4a0e-2b1c-4d3e-9f6a-7b8c9d0e1f2a Version: $LATEST")
    assert "Payment declined for order 1234" in messages[1]
    assert messages[3].startswith("REPORT RequestId: ")
    # No timestamp in the gzip header, so the template's text is the same on every run.
    assert base64.b64decode(data)[4:8] == b"\0\0\0\0"


def test_cloudformation_create_request() -> None:
    event = parse(event=value("cloudformation-create-request"), model=models.CloudFormationCustomResourceCreateModel)
    assert (event.request_type, event.resource_type) == ("Create", "Custom::MyCustomResource")
    assert event.resource_properties["BucketName"] == "amzn-s3-demo-bucket"
    assert str(event.response_url).startswith("https://cloudformation-custom-resource-response-useast1.s3")


def test_cognito_pre_signup() -> None:
    event = parse(event=value("cognito-user-pool-pre-signup"), model=models.CognitoPreSignupTriggerModel)
    assert (event.triggerSource, event.userName) == ("PreSignUp_SignUp", "diego")
    assert event.request.userAttributes["email"] == "diego@example.com"
    assert event.response.autoConfirmUser is False


def test_ses() -> None:
    mail = parse(event=value("ses"), model=models.SesModel).Records[0].ses.mail
    assert (mail.source, mail.destination, mail.commonHeaders.subject) == (
        "janedoe@example.com",
        ["johndoe@example.com"],
        "Test Subject",
    )


def test_lambda_function_url() -> None:
    event = parse(event=value("lambda-function-url"), model=models.LambdaFunctionUrlModel)
    assert event.requestContext.domainName.endswith(".lambda-url.us-east-1.on.aws")
    assert json.loads(event.body) == {"message": "hello world"}


def test_cloudfront_viewer_request() -> None:
    # Powertools has no model for Lambda@Edge: check the fields its documentation shows a handler reading.
    cf = value("cloudfront")["Records"][0]["cf"]
    assert cf["config"]["eventType"] == "viewer-request"
    request = cf["request"]
    assert (request["method"], request["uri"], request["querystring"]) == ("GET", "/images/picture.jpg", "size=large")
    assert request["headers"]["host"] == [{"key": "Host", "value": "d111111abcdef8.cloudfront.net"}]
