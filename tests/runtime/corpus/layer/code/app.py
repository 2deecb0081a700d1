import os
import sys

import shared_util


def handler(event, context):
    task = sys.path.index(context_root())
    layer = sys.path.index(os.path.dirname(shared_util.__file__))
    return {"version": shared_util.VERSION, "from": shared_util.__file__.split("/")[-2:],
            "task_root_first": task == 0, "layer_after_task_root": layer > task}


def context_root():
    return os.environ["LAMBDA_TASK_ROOT"]
