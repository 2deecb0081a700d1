def handler(event, context):
    return {7: "int", None: "none", 2.5: "float", True: "true", False: "false", float("nan"): "nan",
            -float("inf"): "-inf", "s": "str"}
