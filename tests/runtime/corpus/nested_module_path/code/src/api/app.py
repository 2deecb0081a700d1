from src.api import helpers


def handler(event, context):
    return {"module": __name__, "helper": helpers.shout(event["word"])}
