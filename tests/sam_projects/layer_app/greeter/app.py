from greetings import greet


def lambda_handler(event, context):
    return {"greeting": greet(event.get("name", "stranger"))}
