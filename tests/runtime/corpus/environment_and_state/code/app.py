import os
import sys

COLD = {"count": 0}


def handler(event, context):
    COLD["count"] += 1
    trace = os.environ.get("_X_AMZN_TRACE_ID", "")
    return {
        "invocation": COLD["count"],
        "trace_id_set": trace.startswith("Root=1-"),
        "argv": [os.path.basename(sys.argv[0])],
        "cwd_is_task_root": os.getcwd() == os.environ["LAMBDA_TASK_ROOT"],
        "execution_env": os.environ["AWS_EXECUTION_ENV"],
        "handler_env": os.environ["_HANDLER"],
        "own_variable": os.environ.get("GREETING"),
    }
