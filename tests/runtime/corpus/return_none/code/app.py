def handler(event, context):
    print("nothing to return")
