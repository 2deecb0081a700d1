"""`lambda-console functions add`, run as a user runs it: a real process, then the function invoked from the folder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import run
from tests.wheels import LinkServer, make_wheel


def test_functions_add_runs_the_folder_where_it_is(tmp_path: Path):
    data = tmp_path / "data"
    folder = tmp_path / "hello"
    folder.mkdir()
    (folder / "app.py").write_text("import os\n\ndef handler(event, context):\n    return os.environ['WORD']\n")
    added = run("--data-dir", data, "functions", "add", "hello", "--code", folder, "--handler", "app.handler",
                "--timeout", "5", "--memory", "256", "--env", "WORD=first")
    assert added.returncode == 0, added.stderr
    assert added.stdout.decode() == f"Added hello: app.handler from {folder}\n"

    listed = json.loads(run("--data-dir", data, "functions", "--json").stdout)
    hello = next(row for row in listed if row["name"] == "hello")
    assert (hello["handler"], hello["memory"], hello["timeout"]) == ("app.handler", 256, 5)
    assert b"hello" in run("--data-dir", data, "functions").stdout

    tested = run("--data-dir", data, "test", "hello")
    assert tested.returncode == 0, tested.stderr
    assert json.loads(tested.stdout) == "first"
    # Its code is the folder itself: an edit is what the next run runs.
    (folder / "app.py").write_text("def handler(event, context):\n    return 'edited'\n")
    assert json.loads(run("--data-dir", data, "test", "hello").stdout) == "edited"


def test_functions_add_refuses_clearly(tmp_path: Path):
    data = tmp_path / "data"
    missing = run("--data-dir", data, "functions", "add", "ghost", "--code", tmp_path / "nowhere",
                  "--handler", "app.handler")
    assert missing.returncode == 2
    assert missing.stderr.decode() == (f"Error: --code: The folder {tmp_path / 'nowhere'} does not exist: check the "
                                       "path, or create the folder first.\n")
    (tmp_path / "code").mkdir()
    bad_name = run("--data-dir", data, "functions", "add", "no spaces", "--code", tmp_path / "code",
                   "--handler", "app.handler")
    assert bad_name.returncode == 2 and "NAME: Function name 'no spaces' is not valid" in bad_name.stderr.decode()
    names = [row["name"] for row in json.loads(run("--data-dir", data, "functions", "--json").stdout)]
    assert "ghost" not in names and "no spaces" not in names


def test_functions_add_waits_for_requirements(tmp_path: Path):
    make_wheel(tmp_path / "wheels")
    links = LinkServer(tmp_path / "wheels")
    links.gate.set()
    try:
        folder = tmp_path / "deps"
        folder.mkdir()
        (folder / "app.py").write_text("import tinydep\n\ndef handler(event, context):\n    return tinydep.VALUE\n")
        (folder / "requirements.txt").write_text(links.requirements("tinydep==1.0"))
        added = run("--data-dir", tmp_path / "data", "functions", "add", "deps", "--code", folder,
                    "--handler", "app.handler")
        assert added.returncode == 0, added.stderr
        assert "Installing the dependencies of requirements.txt" in added.stderr.decode()
        assert json.loads(run("--data-dir", tmp_path / "data", "test", "deps").stdout) == "from tinydep"

        (folder / "requirements.txt").write_text(links.requirements("nosuchpkg"))
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "requirements.txt").write_text(links.requirements("nosuchpkg"))
        failed = run("--data-dir", tmp_path / "data", "functions", "add", "other", "--code", tmp_path / "other",
                     "--handler", "app.handler")
        assert failed.returncode == 2
        assert "its dependencies failed to install: ERROR:" in failed.stderr.decode()
        assert "No matching distribution found for nosuchpkg" in failed.stderr.decode()
    finally:
        links.close()
