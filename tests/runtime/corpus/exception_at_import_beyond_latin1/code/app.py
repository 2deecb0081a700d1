raise RuntimeError("設定が無効です")


def handler(event, context):
    return 1
