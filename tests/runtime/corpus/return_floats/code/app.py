def handler(event, context):
    return [float("nan"), float("inf"), -float("inf"), -0.0, 1e16, 0.1 + 0.2, 1e-7, 2**64, True, None]
