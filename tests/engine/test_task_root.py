"""A failure's traceback names the code at /var/task as on Lambda, also where workers run without the sandbox."""

from __future__ import annotations

import json


def test_an_unsandboxed_failure_names_var_task_and_no_host_path(no_sandbox, engine, make_function) -> None:
    spec = make_function("""
        import os

        def handler(event, context):
            if event.get("where"):
                return os.path.join(os.environ["LAMBDA_TASK_ROOT"], "app.py")
            raise ValueError("bad input")
    """)
    failed = engine.invoke(spec)
    trace = json.loads(failed.payload)["stackTrace"]
    assert trace == ['  File "/var/task/app.py", line 7, in handler\n    raise ValueError("bad input")\n']
    assert str(spec.code_dir) not in failed.log and str(spec.code_dir) not in failed.payload.decode()
    # A success is the handler's own: its answer is left as it made it.
    answered = engine.invoke(spec, b'{"where": true}')
    assert json.loads(answered.payload) == f"{spec.code_dir}/app.py"
