"""The execution engine: runs Lambda Python handlers in worker processes over the Lambda Runtime API.

Plain Python, never imports flask. Everything else (the command line, the web console, the REST API) calls it:

    engine = Engine()
    spec = FunctionSpec(name="hello", code_dir=Path("handlers/hello_python"), handler="hello_python.my_handler")
    result = engine.invoke(spec, b'{"first_name": "Ada", "last_name": "Lovelace"}')
    result.payload   # b'{"message": "Hello Ada Lovelace!"}'
    engine.close()
"""

from console.engine.invocation import FunctionSpec, InvocationResult

__all__ = ["FunctionSpec", "InvocationResult"]
