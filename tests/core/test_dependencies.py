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


def _other_python():
    import sys

    from console.engine.interpreters import find

    own = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for runtime in ("python3.12", "python3.13", "python3.10"):
        if runtime != own:
            found, _ = find(runtime)
            if found is not None:
                return found
    pytest.skip("no Python 3.10-3.13 besides the console's own is installed (pyenv or uv): install one for this test")


def marked_requirements(tmp_path: Path, runtime: str) -> str:
    """A wheel required only on `runtime`'s Python version (a marker), so that it is installed only by that Python."""
    wheel = make_wheel(tmp_path / "wheels")
    return f"tinydep @ {wheel.as_uri()} ; python_version == \"{runtime.removeprefix('python')}\"\n"


def test_requirements_are_installed_by_the_interpreter_that_runs_the_function(console, tmp_path):
    python = _other_python()
    folder = folder_with(tmp_path, "versioned", marked_requirements(tmp_path, python.runtime))
    console.create_folder_function("versioned", folder, "app.handler", runtime=python.runtime)
    wait_until(lambda: state(console, "versioned") != "Pending", "the install to finish")
    install = console.function_state(console.get_function("versioned")).install
    assert state(console, "versioned") == "Active", install.log
    assert install.key.endswith(f"-{python.runtime}")
    assert f"$ {python.path} -m pip install" in install.log
    # The marker held for the function's Python: the console's own would have left tinydep out.
    assert json.loads(console.invoke("versioned", b"{}").payload) == "from tinydep"


def test_an_interpreter_without_pip_runs_the_consoles_pip(tmp_path):
    import subprocess

    python = _other_python()
    venv = tmp_path / "nopip"
    subprocess.run([python.path, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    bare = venv / "bin" / "python"
    config = load_config(tmp_path / "data", {"load_samples": False,
                                             "interpreters": f"{python.runtime}={bare}"})
    folder = folder_with(tmp_path, "bare", marked_requirements(tmp_path, python.runtime))
    with Console(config) as console:
        console.create_folder_function("bare", folder, "app.handler", runtime=python.runtime)
        wait_until(lambda: state(console, "bare") != "Pending", "the install to finish")
        install = console.function_state(console.get_function("bare")).install
        assert state(console, "bare") == "Active", install.log
        assert f"{bare} has no pip: it runs the console's own pip" in install.log
        assert f"$ {bare} -m pip install" in install.log
        record = console.invoke("bare", b"{}")
        assert record.ran_on == python.runtime
        # The marker was read for the function's Python, not the console's.
        assert json.loads(record.payload) == "from tinydep"
    assert [entry.name for entry in config.dependencies_dir.iterdir()] == [install.key]  # the pip link is gone
