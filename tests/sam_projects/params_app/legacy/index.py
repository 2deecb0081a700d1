import os


def handler(event, context):
    return {"stage": os.environ["STAGE"]}
