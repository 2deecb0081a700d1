class Empty(Exception):
    pass


def handler(event, context):
    if event.get("key"):
        return {}[event["key"]]
    raise Empty()
