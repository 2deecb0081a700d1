"""Fixtures for the runtime client's tests: the runtime package itself, and the corpus of handler cases."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNTIME = REPO / "console" / "runtime"
BOOTSTRAP = RUNTIME / "bootstrap.py"
RUNTIME_MODULES = ("api_client", "context", "errors", "logs", "loop", "payload", "process")
CORPUS = Path(__file__).resolve().parent / "corpus"
RUNTIMES = ("python3.11", "python3.12")


def load_runtime(name: str = "lambda_console_worker_under_test") -> ModuleType:
    """The runtime package loaded privately, as bootstrap.py loads it: registered only while its modules load."""
    from importlib.util import module_from_spec, spec_from_file_location

    spec = spec_from_file_location(name, RUNTIME / "__init__.py", submodule_search_locations=[str(RUNTIME)])
    package = module_from_spec(spec)
    sys.modules[name] = package
    try:
        spec.loader.exec_module(package)
        for module in RUNTIME_MODULES:
            importlib.import_module(f"{name}.{module}")
    finally:
        for key in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
            del sys.modules[key]
    return package


@pytest.fixture(scope="session")
def runtime() -> ModuleType:
    return load_runtime()


@dataclass(frozen=True)
class Invocation:
    """One invocation of a corpus case: what is sent, and what both clients must answer."""

    payload: bytes
    client_context: str | None
    cognito_identity: str | None
    expect: dict


@dataclass(frozen=True)
class Case:
    """A corpus case: a code folder, a handler string, configuration and the invocations to run in one environment."""

    name: str
    folder: Path
    handler: str
    description: str
    environment: dict = field(default_factory=dict)
    layers: tuple[Path, ...] = ()
    compare_log: bool = True
    invocations: tuple[Invocation, ...] = ()

    @property
    def code_dir(self) -> Path:
        return self.folder / "code"

    def expectation(self, invocation: Invocation, runtime: str) -> dict:
        """The invocation's expectations on `runtime`: every field may be given per runtime."""
        expect = invocation.expect
        if set(expect) <= set(RUNTIMES):
            expect = expect[runtime]
        return {
            key: value[runtime] if isinstance(value, dict) and set(value) == set(RUNTIMES) else value
            for key, value in expect.items()
        }


def _payload(spec: dict) -> bytes:
    if "raw_hex" in spec:
        return bytes.fromhex(spec["raw_hex"])
    if "raw" in spec:
        return spec["raw"].encode()
    return json.dumps(spec.get("event", {})).encode()


def load_case(name: str) -> Case:
    folder = CORPUS / name
    data = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    invocations = tuple(
        Invocation(_payload(spec), spec.get("client_context"), spec.get("cognito_identity"), spec.get("expect", {}))
        for spec in data.get("invocations", [{}])
    )
    return Case(
        name=name,
        folder=folder,
        handler=data["handler"],
        description=data["description"],
        environment=data.get("environment", {}),
        layers=tuple(folder / layer for layer in data.get("layers", ())),
        compare_log=data.get("compare_log", True),
        invocations=invocations,
    )


CASES = sorted(path.name for path in CORPUS.iterdir() if (path / "case.json").is_file())
