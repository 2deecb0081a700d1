from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from console.engine import Engine, FunctionSpec
from console.engine.sandbox import SANDBOX_VARIABLE, TASK_ROOT, unsandboxed_reason


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


# Whether workers run inside bubblewrap here (Lambda's /var/task layout) or on the console's own file system.
SANDBOXED = unsandboxed_reason() is None


def task_root(spec: FunctionSpec) -> str:
    """The code folder as the handler sees it: /var/task in the sandbox, its own folder without it."""
    return TASK_ROOT if SANDBOXED else str(spec.code_dir)


@pytest.fixture
def no_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers run without the sandbox, for tests whose handlers write to the test's own folders or report their
    process ids to the host; the sandbox's own tests (test_sandbox.py) cover the same attacks in both modes."""
    monkeypatch.setenv(SANDBOX_VARIABLE, "off")
