"""Entry point of a worker process: `python -I -S -B bootstrap.py [--client bootstrap|awslambdaric] [--layer DIR ...]`.

The runtime client is the package this file sits in (`loop.main()`). A script is compiled from source on every
start, which for the whole client costs a cold start more than the interpreter's own start-up, so this stub stays
tiny and loads the package's modules through the import system's bytecode cache (`__pycache__` here, in the console's
own folder; `-B` still keeps the function's folders free of caches). The package is registered in sys.modules under
a private name only while it loads, then taken out: the function cannot import it, and it imports nothing of the
console.
"""

from __future__ import annotations

import sys
from _frozen_importlib import module_from_spec
from _frozen_importlib_external import spec_from_file_location

PACKAGE = "lambda_console_worker"


def _load_runtime():
    """The runtime's `loop` module, its package and their modules compiled once, then read from cached bytecode."""
    folder = __file__.rpartition("/")[0]
    spec = spec_from_file_location(PACKAGE, folder + "/__init__.py", submodule_search_locations=[folder])
    package = module_from_spec(spec)
    dont_write_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    sys.modules[PACKAGE] = package
    try:
        spec.loader.exec_module(package)
        __import__(PACKAGE + ".loop")
        return package.loop
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


if __name__ == "__main__":
    _load_runtime().main()
