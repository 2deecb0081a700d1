"""The execution engine: runs Lambda Python handlers in worker processes over the Lambda Runtime API.

Plain Python, never imports flask. Everything else (the command line, the web console, the REST API) calls it:

    with Engine() as engine:
        spec = FunctionSpec(name="hello", code_dir=Path("handlers/hello_python"), handler="hello_python.my_handler")
        result = engine.invoke(spec, b'{"first_name": "Ada", "last_name": "Lovelace"}')
        result.payload   # b'{"message": "Hello Ada Lovelace!"}'
"""

from console.engine.invocation import FunctionSpec, InvocationResult
from console.engine.pool import (
    Engine,
    EngineClosedError,
    EngineError,
    EnvironmentInfo,
    RequestTooLargeError,
    TooManyRequestsError,
)

__all__ = [
    "Engine",
    "EngineClosedError",
    "EngineError",
    "EnvironmentInfo",
    "FunctionSpec",
    "InvocationResult",
    "RequestTooLargeError",
    "TooManyRequestsError",
]
