import os


def required(name):
    if name not in os.environ:
        raise KeyError(name)
    return os.environ[name]


TABLE = required("TABLE_NAME")


def handler(event, context):
    return TABLE
