"""Stored data is never lost: a lost or emptied database keeps the packages, a damaged one is refused at start, a
read-only data folder is named as such, and a full disk still shows the result it could not keep."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.store import Store, StoreError
from tests.filesystems import fill, remount_read_only, tmpfs
from tests.zips import zip_bytes as make_zip

GREETER = make_zip({"app.py": "def handler(event, context):\n    return 'hello ' + event.get('name', 'nobody')\n"})
BIG_ANSWER = make_zip({"app.py": "def handler(event, context):\n    return 'x' * 400_000\n"})


def open_console(data_dir: Path) -> Console:
    return Console(load_config(data_dir, {"load_samples": False}))


def database_files(data_dir: Path) -> list[Path]:
    db = data_dir / "lambda-console.sqlite3"
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


# -- a lost or emptied database ---------------------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["empty", "missing"])
def test_a_lost_database_keeps_every_stored_package_and_lists_it_again(tmp_path, loss, caplog):
    data = tmp_path / "data"
    with open_console(data) as console:
        console.create_function("greet", GREETER, "app.handler")
        package = console.packages.get(console.functions.get("greet").package_sha256)
    for path in database_files(data):
        path.unlink(missing_ok=True)
    if loss == "empty":
        database_files(data)[0].write_bytes(b"")  # 0 bytes: SQLite reads it as a new database

    with open_console(data) as console:
        assert console.functions.all() == []  # functions live only in the database
        [again] = console.packages.all()
        assert (again.sha256, again.size, again.code_sha256) == (package.sha256, package.size, package.code_sha256)
        assert again.zip_path.read_bytes() == GREETER
        # Usable as before: a function can be made from it again.
        console.create_function("greet", again.sha256, "app.handler")
        assert console.invoke("greet", b'{"name": "Ada"}').payload == b'"hello Ada"'
    assert "listed again under Packages" in caplog.text and "restore" in caplog.text


# -- a damaged database -----------------------------------------------------------------------------------------


def test_a_database_damaged_in_the_middle_is_refused_at_start_and_left_as_it_was(tmp_path):
    data = tmp_path / "data"
    with open_console(data) as console:
        console.create_function("greet", GREETER, "app.handler")
        for n in range(300):
            console.save_event("greet", f"event-{n}", '{"name": "%s"}' % ("x" * 500))
    db = database_files(data)[0]
    assert not database_files(data)[1].exists()  # closed cleanly: everything is in the main file
    page = 4096
    pages = db.stat().st_size // page
    with open(db, "r+b") as file:  # overwrite three pages in the middle of the file
        file.seek(pages // 2 * page)
        file.write(os.urandom(3 * page))
    damaged = db.read_bytes()

    with pytest.raises(StoreError) as refused:
        open_console(data)
    message = str(refused.value)
    assert f"The database {db} is damaged" in message
    assert "restore the file from a backup, or move it aside" in message
    assert db.read_bytes() == damaged  # nothing written to it
    assert any((data / "packages" / "zips").iterdir())  # and the packages are where they were


def test_a_file_that_is_not_a_database_is_named(tmp_path):
    db = tmp_path / "lambda-console.sqlite3"
    db.write_bytes(b"these are notes, not a database\n" * 200)
    with pytest.raises(StoreError, match="is not a lambda-console database"):
        Store(db)


# -- a read-only data folder ------------------------------------------------------------------------------------


@pytest.mark.parametrize("existing", [True, False], ids=["existing-data", "new-data-folder"])
def test_a_read_only_data_folder_is_named_as_such(tmp_path, existing):
    with tmpfs(tmp_path / "mount", "8m") as mount:
        data = mount / "data"
        if existing:
            with open_console(data) as console:
                console.create_function("greet", GREETER, "app.handler")
        remount_read_only(mount)
        with pytest.raises(StoreError) as refused:
            open_console(data)
    message = str(refused.value)
    assert f"The data folder {data} is on a read-only file system" in message
    assert "--data-dir" in message and "not a lambda-console database" not in message


# -- a full disk ------------------------------------------------------------------------------------------------


def test_a_result_that_cannot_be_recorded_is_still_returned_saying_so(tmp_path):
    with tmpfs(tmp_path / "mount", "4m") as mount, open_console(mount / "data") as console:
        console.create_function("big", BIG_ANSWER, "app.handler")
        kept = console.invoke("big")
        assert kept.not_kept is None and kept.id
        fill(mount)

        record = console.invoke("big")
        assert record.succeeded and record.payload == b'"' + b"x" * 400_000 + b'"'
        assert record.log.startswith("START RequestId:") and "REPORT RequestId:" in record.log
        assert record.not_kept.startswith("This result was not kept in the history: the disk holding")
        assert "is full" in record.not_kept
        assert [entry.id for entry in console.history.for_function("big")] == [kept.id]

        (mount / "filler").unlink()  # space again: the next result is kept, and the database is whole
        again = console.invoke("big")
        assert again.not_kept is None
        assert [entry.id for entry in console.history.for_function("big")] == [again.id, kept.id]
        assert console.store.query_one("PRAGMA quick_check")[0] == "ok"


def test_a_database_at_its_size_limit_still_returns_the_result(tmp_path):
    with open_console(tmp_path / "data") as console:
        console.create_function("big", BIG_ANSWER, "app.handler")
        pages = console.store.query_one("PRAGMA page_count")[0]
        console.store.query(f"PRAGMA max_page_count = {pages + 5}")  # this connection's limit: full for it
        record = console.invoke("big")
        assert record.succeeded and len(record.payload) == 400_002
        assert "is full" in record.not_kept
        assert console.history.for_function("big") == []
        # The condition really was the database being full.
        with pytest.raises(sqlite3.OperationalError), console.store.write() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('k', ?)", ("v" * 100_000,))


def test_the_command_line_says_the_data_folder_is_read_only(tmp_path):
    with tmpfs(tmp_path / "mount", "8m") as mount:
        data = mount / "data"
        with open_console(data) as console:
            console.create_function("greet", GREETER, "app.handler")
        remount_read_only(mount)
        done = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(data), "functions"],
                              capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: The data folder {data} is on a read-only file system.")
    assert "Traceback" not in done.stderr
