import os


def handler(event, context):
    name = (event.get("pathParameters") or {}).get("name") or event.get("name", "visitor")
    return {
        "message": f"{os.environ['GREETING']}, {name}! ({os.environ['STAGE']})",
        "prefix": os.environ["PREFIX"],
        "log_level": os.environ["LOG_LEVEL"],
        "table": os.environ["TABLE_NAME"],
    }
