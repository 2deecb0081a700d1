import requests


def handler(event, context):
    return requests.get("https://example.com").status_code
