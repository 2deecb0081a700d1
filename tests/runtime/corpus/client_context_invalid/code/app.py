def handler(event, context):
    return context.client_context.custom
