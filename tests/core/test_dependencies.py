"""A folder function's requirements.txt installed by the console with real pip, from a local link page (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.dependencies import FunctionNotReady
from tests.processes import wait_until
from tests.wheels import LinkServer, make_wheel

USES_DEP = "import tinydep\n\ndef handler(event, context):\n    return tinydep.VALUE\n"


@pytest.fixture
def links(tmp_path: Path):
    make_wheel(tmp_path / "wheels")
    make_wheel(tmp_path / "wheels", version="2.0", value="from tinydep 2")
    server = LinkServer(tmp_path / "wheels")
    yield server
    server.close()


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        yield console


def folder_with(tmp_path: Path, name: str, requirements: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "app.py").write_text(USES_DEP)
    (folder / "requirements.txt").write_text(requirements)
    return folder


def state(console: Console, name: str) -> str:
    return console.function_state(console.get_function(name)).state


def test_requirements_are_installed_and_on_the_path(console, tmp_path, links):
    folder = folder_with(tmp_path, "deps", links.requirements("tinydep==1.0"))
    console.create_folder_function("deps", folder, "app.handler")
    # pip is waiting for the link page, which answers only when the test lets it.
    current = console.function_state(console.get_function("deps"))
    assert (current.state, current.last_update_status) == ("Pending", "InProgress")
    with pytest.raises(FunctionNotReady) as refused:
        console.invoke("deps", b"{}")
    assert str(refused.value) == ("The operation cannot be performed at this time. The function is currently in the "
                                  "following state: Pending")
    links.gate.set()
    wait_until(lambda: state(console, "deps") == "Active", "the install to finish")
    record = console.invoke("deps", b"{}")
    assert record.succeeded, record.payload
    assert json.loads(record.payload) == "from tinydep"
    install = console.function_state(console.get_function("deps")).install
    assert "Successfully installed tinydep-1.0" in install.log
    assert console.last_code_change("deps").message == "dependencies installed from requirements.txt"
    # The installed folder is complete and named after the file's hash and the Python version; nothing half-made.
    kept = [entry.name for entry in console.config.dependencies_dir.iterdir()]
    assert kept == [install.key] and (console.config.dependencies_dir / install.key / "tinydep").is_dir()

    # A second function with the same requirements uses the installed set: pip does not run, nothing is fetched.
    fetched = len(links.requests)
    other = folder_with(tmp_path, "same", links.requirements("tinydep==1.0"))
    console.create_folder_function("same", other, "app.handler")
    assert state(console, "same") == "Active"
    assert json.loads(console.invoke("same", b"{}").payload) == "from tinydep"
    assert len(links.requests) == fetched

    # A changed requirements.txt installs again, seen by the watcher with no request.
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")
    (folder / "requirements.txt").write_text(links.requirements("tinydep==2.0"))
    wait_until(lambda: console.function_state(console.get_function("deps")).install.key != install.key,
               "the new requirements to be seen")
    wait_until(lambda: state(console, "deps") == "Active", "the new install to finish")
    assert json.loads(console.invoke("deps", b"{}").payload) == "from tinydep 2"


def test_a_failed_install_says_what_pip_said(console, tmp_path, links):
    links.gate.set()
    folder = folder_with(tmp_path, "broken", links.requirements("nosuchpkg==1.0"))
    console.create_folder_function("broken", folder, "app.handler")
    wait_until(lambda: state(console, "broken") != "Pending", "pip to fail")
    current = console.function_state(console.get_function("broken"))
    assert (current.state, current.last_update_status) == ("Failed", "Failed")
    assert "No matching distribution found for nosuchpkg" in current.reason
    with pytest.raises(FunctionNotReady):
        console.invoke("broken", b"{}")
    # The function's history says so (recorded right after the state changes).
    change = wait_until(lambda: console.last_code_change("broken"), "the failure in the function's history")
    assert "nosuchpkg" in change.message
    # Nothing half-installed is kept.
    assert not [entry for entry in console.config.dependencies_dir.iterdir()]
    # Fixed and saved: installed with no request.
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")
    (folder / "requirements.txt").write_text(links.requirements("tinydep==1.0"))
    wait_until(lambda: state(console, "broken") == "Active", "the fixed requirements to install")
    assert json.loads(console.invoke("broken", b"{}").payload) == "from tinydep"


def test_publishing_keeps_the_dependencies_in_the_version(console, tmp_path, links):
    links.gate.set()
    folder = folder_with(tmp_path, "pub", links.requirements("tinydep==1.0"))
    console.create_folder_function("pub", folder, "app.handler")
    wait_until(lambda: state(console, "pub") == "Active", "the install to finish")
    version = console.publish_version("pub")
    package = console.get_package(version.package_sha256)
    assert (package.code_dir / "tinydep" / "__init__.py").is_file() and (package.code_dir / "app.py").is_file()
    assert json.loads(console.invoke("pub", b"{}", version="1").payload) == "from tinydep"
