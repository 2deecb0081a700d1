import sys

import shared_util


def handler(event, context):
    task = sys.path.index(context_root())
    layer = next(i for i, p in enumerate(sys.path) if p.endswith("/layer/python"))
    return {"version": shared_util.VERSION, "from": shared_util.__file__.split("/")[-3:],
            "task_root_first": task == 0, "layer_after_task_root": layer > task}


def context_root():
    import os

    return os.environ["LAMBDA_TASK_ROOT"]
