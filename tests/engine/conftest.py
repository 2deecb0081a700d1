from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from console.engine import Engine, FunctionSpec


@pytest.fixture
def engine():
    with Engine(max_environments=6, idle_timeout=60) as engine:
        yield engine


@pytest.fixture
def make_function(tmp_path: Path) -> Callable[..., FunctionSpec]:
    """Write handler source into a fresh code folder and return a FunctionSpec for it."""
    counter = iter(range(1_000_000))

    def make(source: str, handler: str = "app.handler", *, name: str | None = None, module: str = "app.py",
             **config) -> FunctionSpec:
        n = next(counter)
        code = tmp_path / f"code{n}"
        code.mkdir()
        (code / module).write_text(textwrap.dedent(source))
        return FunctionSpec(name=name or f"fn{n}", code_dir=code, handler=handler, **config)

    return make


def body(result) -> object:
    return json.loads(result.payload)
