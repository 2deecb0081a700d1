def handler(event, context):
    raise ValueError("café ☕ 日本 — "+ str(event["n"]))
