"""A handler behind API Gateway (REST proxy integration): it returns an HTTP response with an HTML page as its body."""

import html


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    # The name comes from the URL: escape it, it is going into HTML.
    name = html.escape(params.get("name", "world"))
    page = f"<!doctype html>\n<html><head><title>Hello</title></head><body><h1>Hello {name}!</h1></body></html>\n"
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "text/html; charset=utf-8"},
        "body": page,
        "isBase64Encoded": False,
    }
