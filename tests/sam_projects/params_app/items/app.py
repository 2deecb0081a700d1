import json
import os


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"table": os.environ["TABLE_NAME"], "items": []})}
