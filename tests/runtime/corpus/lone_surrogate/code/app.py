def handler(event, context):
    return {"text": "half a pair: \ud83d"}
