"""A handler that does its work and returns nothing: Lambda answers `null`."""


def handler(event, context):
    print(f"received {len(event)} keys, returning nothing")
