import greeting_lib


def handler(event, context):
    return greeting_lib.greet(event.get("name", "world"))
