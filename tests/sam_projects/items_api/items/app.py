import json


def handler(event, context):
    """Answers with the parts of the API Gateway event a web handler reads, in either payload format."""
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({
            "function": context.function_name,
            "version": event.get("version", "1.0"),
            "routeKey": event.get("routeKey"),
            "resource": event.get("resource"),
            "httpMethod": event.get("httpMethod") or event.get("requestContext", {}).get("http", {}).get("method"),
            "pathParameters": event.get("pathParameters"),
            "query": event.get("queryStringParameters"),
            "body": event.get("body"),
        }),
    }


def broken(event, context):
    """Fails for a `fail` query parameter, else answers with something that is not an API Gateway response."""
    if (event.get("queryStringParameters") or {}).get("fail"):
        raise RuntimeError("broken on purpose")
    return {"statusCode": "teapot", "body": ["not", "a", "string"]}
