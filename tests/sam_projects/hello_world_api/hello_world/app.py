import json


def lambda_handler(event, context):
    """Sample pure Lambda function behind an API Gateway REST API (payload format 1.0).

    Returns an API Gateway Lambda proxy output: statusCode, headers and a JSON body.
    """
    return {
        "statusCode": 200,
        "body": json.dumps({
            "message": "hello world",
            "path": event.get("path"),
            "method": event.get("httpMethod"),
            "function": context.function_name,
        }),
    }
