def handler(event, context):
    node = {"name": "loop"}
    node["self"] = [node]
    return node
