import json


def handler(event, context):
    """Answers with the stage and method it was called for, and CORS headers of its own: a REST API's proxy
    integration passes them on, an HTTP API with a CorsConfiguration puts its own in their place."""
    context_ = event.get("requestContext") or {}
    method = event.get("httpMethod") or context_.get("http", {}).get("method")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "https://own.example",
                    "X-Request-Count": "1"},
        "body": json.dumps({"function": context.function_name, "stage": context_.get("stage"), "method": method,
                            "body": event.get("body")}),
    }
