def handle(event, context):
    return 1
