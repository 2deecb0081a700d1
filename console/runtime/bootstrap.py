"""Entry point of a worker process: `python -I -S -B bootstrap.py [--client bootstrap|awslambdaric] [--layer DIR ...]`.

The runtime client itself is `worker.py` beside this file. A script is compiled from source on every start, which for
the whole client costs a cold start more than the interpreter's own start-up, so this stub stays tiny and loads
`worker.py` through the import system's bytecode cache (`__pycache__` here, in the console's own folder; `-B` still
keeps the function's folders free of caches). The worker is not registered in sys.modules: the function cannot import
it, and it imports nothing of the console.
"""

import sys
from _frozen_importlib import module_from_spec
from _frozen_importlib_external import spec_from_file_location


def _load_worker():
    """worker.py as a private module, compiled once and then read from its cached bytecode."""
    spec = spec_from_file_location("lambda_console_worker", __file__.rpartition("/")[0] + "/worker.py")
    module = module_from_spec(spec)
    dont_write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
    return module


if __name__ == "__main__":
    _load_worker().main()
