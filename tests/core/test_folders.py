"""Folder functions through the Console: real folders, a real watcher, real workers, a real SQLite file."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.folders import write_zip
from console.core.functions import FunctionError
from console.core.store import MIGRATIONS, Store
from tests.processes import wait_until


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        yield console


def write_handler(folder: Path, value: str, name: str = "app.py") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"def handler(event, context):\n    return {value!r}\n")


def answer(console: Console, name: str, version: str = "$LATEST") -> object:
    record = console.invoke(name, b"{}", version=version)
    return json.loads(record.payload)


def saved(console: Console, name: str, after: int) -> bool:
    """Whether a reload was recorded for the function after the change with id `after`."""
    latest = console.last_code_change(name)
    return latest is not None and latest.id > after and latest.message.startswith("code changed, reloaded")


def test_a_saved_file_reloads_the_function_with_no_request(console, tmp_path):
    folder = tmp_path / "hello"
    write_handler(folder, "one")
    console.create_folder_function("hello", folder, "app.handler")
    assert console.get_function("hello").code_folder == str(folder)
    assert answer(console, "hello") == "one"
    first_pid = console.engine.environments()[0].pid
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")

    write_handler(folder, "two")
    # No invocation in between: the watcher alone retires the warm environment and records the reload.
    wait_until(lambda: saved(console, "hello", 0), "the reload to be recorded")
    wait_until(lambda: not console.engine.environments(), "the warm environment to retire")
    assert console.last_code_change("hello").message == "code changed, reloaded (app.py)"
    assert answer(console, "hello") == "two"
    assert console.engine.environments()[0].pid != first_pid


def test_reload_is_quick(console, tmp_path):
    folder = tmp_path / "quick"
    write_handler(folder, "one")
    console.create_folder_function("quick", folder, "app.handler")
    answer(console, "quick")
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")
    time.sleep(0.2)  # the watch's own start-up
    saved_at = time.monotonic()
    write_handler(folder, "two")
    wait_until(lambda: not console.engine.environments(), "the warm environment to retire")
    assert time.monotonic() - saved_at < 1.0


def test_caches_and_editor_files_never_reload(console, tmp_path, monkeypatch):
    monkeypatch.setenv("LAMBDA_CONSOLE_SANDBOX", "off")  # an unsandboxed worker, as one that could write caches
    folder = tmp_path / "quiet"
    write_handler(folder, "same")
    console.create_folder_function("quiet", folder, "app.handler")
    assert answer(console, "quiet") == "same"
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0" * 16)
    (folder / ".app.py.swp").write_text("swap")
    (folder / "app.py~").write_text("backup")
    (folder / ".git").mkdir()
    (folder / ".git" / "index").write_text("x")
    time.sleep(1.0)  # several debounce periods
    assert console.last_code_change("quiet") is None
    assert len(console.engine.environments()) == 1
    # And the digest (CodeSha256) is that of the code alone.
    (folder / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\1" * 16)
    clean = tmp_path / "clean"
    write_handler(clean, "same")
    assert console.function_code(console.get_function("quiet")).code_sha256 == write_zip(clean).code_sha256


def test_syntax_error_shows_as_lambda_shows_it(console, tmp_path):
    folder = tmp_path / "broken"
    write_handler(folder, "fine")
    console.create_folder_function("broken", folder, "app.handler")
    assert answer(console, "broken") == "fine"
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")
    (folder / "app.py").write_text("def handler(event, context)\n    return 1\n")
    wait_until(lambda: saved(console, "broken", 0), "the reload to be recorded")
    record = console.invoke("broken", b"{}")
    assert not record.succeeded
    error = json.loads(record.payload)
    assert error["errorType"] == "Runtime.UserCodeSyntaxError"
    assert "Syntax error in module 'app'" in error["errorMessage"]


def test_code_sha256_is_a_zip_of_the_folder_and_changes_with_it(console, tmp_path):
    folder = tmp_path / "digest"
    write_handler(folder, "a")
    function = console.create_folder_function("digest", folder, "app.handler")
    first = console.function_code(function)
    assert first.size > 0 and len(first.code_sha256) == 44
    os.utime(folder / "app.py", (1, 1))  # a touched file is the same code
    assert console.function_code(function).code_sha256 == first.code_sha256
    write_handler(folder, "b")
    assert console.function_code(function).code_sha256 != first.code_sha256


def test_publishing_snapshots_the_folder(console, tmp_path):
    folder = tmp_path / "snap"
    write_handler(folder, "old")
    console.create_folder_function("snap", folder, "app.handler")
    code = console.function_code(console.get_function("snap"))
    version = console.publish_version("snap")
    assert version.version == "1" and version.package_sha256
    assert console.get_package(version.package_sha256).code_sha256 == code.code_sha256  # CodeSha256 as for a zip
    write_handler(folder, "new")
    assert answer(console, "snap") == "new"
    assert answer(console, "snap", "1") == "old"
    assert console.publish_version("snap").version == "2"
    assert answer(console, "snap", "1") == "old" and answer(console, "snap", "2") == "new"


def test_bad_folders_are_refused_clearly(console, tmp_path):
    (tmp_path / "file.py").write_text("x = 1\n")
    cases = {
        str(tmp_path / "missing"): "does not exist",
        str(tmp_path / "file.py"): "is a file, not a folder",
        "relative/path": "is not an absolute path",
        "": "Give the folder",
    }
    for folder, words in cases.items():
        with pytest.raises(FunctionError) as refused:
            console.create_folder_function("bad", folder, "app.handler")
        assert words in str(refused.value) and refused.value.field == "code"
    assert not console.function_exists("bad")


def test_a_function_moves_between_package_and_folder(console, tmp_path):
    from tests.zips import zip_bytes

    folder = tmp_path / "moving"
    write_handler(folder, "from the folder")
    console.create_function("moving", zip_bytes({"app.py": "def handler(e, c):\n    return 'zipped'\n"}), "app.handler")
    assert answer(console, "moving") == "zipped"
    console.update_function_code_folder("moving", folder)
    assert answer(console, "moving") == "from the folder"
    assert console.discover_folder_handlers(folder).handlers == ("app.handler",)
    assert console.sources.watcher is not None
    wait_until(lambda: folder in console.sources.watcher.watching, "the folder to be watched")
    console.delete_function("moving")
    wait_until(lambda: not console.sources.watcher.watching, "the watch to end")


def test_schema_step_keeps_functions_and_their_history(tmp_path):
    """A database made before folder functions keeps its functions, versions, events and history."""
    path = tmp_path / "old.sqlite3"
    old = Store(path, migrations=MIGRATIONS[:5])
    with old.write() as conn:
        conn.execute("INSERT INTO packages VALUES ('ab', 'q6s=', 1, 1, 1, '', 'now')")
        conn.execute("INSERT INTO functions (name, package_sha256, handler, runtime, timeout, memory, revision_id,"
                     " created_at, last_modified) VALUES ('f', 'ab', 'a.b', 'python3.12', 3, 128, 'r', 'c', 'l')")
        conn.execute("INSERT INTO events (function, name, body, created_at, updated_at) VALUES ('f', 'e', '{}', 'c', 'u')")
    old.close()
    store = Store(path)
    assert store.version == len(MIGRATIONS)
    assert store.query_one("SELECT package_sha256, code_folder FROM functions")[:] == ("ab", None)
    assert store.query_one("SELECT name FROM events")["name"] == "e"
    with store.write() as conn:  # the references still hold: deleting the function takes its events along
        conn.execute("DELETE FROM functions WHERE name = 'f'")
    assert store.query_one("SELECT count(*) FROM events")[0] == 0
    store.close()


def test_a_folder_that_is_gone_says_so(console, tmp_path):
    folder = tmp_path / "gone"
    write_handler(folder, "here")
    console.create_folder_function("gone", folder, "app.handler")
    assert answer(console, "gone") == "here"
    moved = folder.rename(tmp_path / "elsewhere")
    state = console.function_state(console.get_function("gone"))
    assert state.state == "Failed" and f"The function's folder {folder} is gone" in state.reason
    with pytest.raises(FunctionError, match="is gone: restore it"):
        console.invoke("gone", b"{}")
    moved.rename(folder)
    assert console.function_state(console.get_function("gone")).state == "Active"
    assert answer(console, "gone") == "here"


def test_functions_sharing_a_folder_all_reload(console, tmp_path):
    folder = tmp_path / "shared"
    write_handler(folder, "v1")
    (folder / "other.py").write_text("def handler(event, context):\n    return 'other v1'\n")
    console.create_folder_function("first", folder, "app.handler")
    console.create_folder_function("second", folder, "other.handler")
    assert (answer(console, "first"), answer(console, "second")) == ("v1", "other v1")
    wait_until(lambda: console.sources.watcher.ready.is_set(), "the watch to start")
    (folder / "other.py").write_text("def handler(event, context):\n    return 'other v2'\n")
    wait_until(lambda: saved(console, "first", 0) and saved(console, "second", 0), "both reloads to be recorded")
    assert (answer(console, "first"), answer(console, "second")) == ("v1", "other v2")
    assert {change.message for change in console.code_changes("second")} == {"code changed, reloaded (other.py)"}
