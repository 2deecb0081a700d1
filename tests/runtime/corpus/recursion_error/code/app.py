def walk(node):
    return walk({"child": node})


def handler(event, context):
    return walk(event)
