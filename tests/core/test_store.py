"""The database: migrations forward, refusal of a newer schema, concurrent writers, and a kill at any moment."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from console.core.store import MIGRATIONS, Store, StoreError


def test_new_database_is_at_the_latest_schema_in_wal_mode(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    assert store.version == len(MIGRATIONS)
    assert store.query_one("PRAGMA journal_mode")[0] == "wal"
    tables = {row["name"] for row in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"packages", "functions", "versions", "events", "invocations", "meta"} <= tables


def test_an_older_schema_is_migrated_forward_keeping_its_data(tmp_path):
    path = tmp_path / "db.sqlite3"
    old = Store(path, migrations=MIGRATIONS[:1])
    with old.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
    old.close()
    newer = [*MIGRATIONS, "ALTER TABLE meta ADD COLUMN note TEXT NOT NULL DEFAULT 'added';"]
    store = Store(path, migrations=newer)
    assert store.version == len(MIGRATIONS) + 1
    row = store.query_one("SELECT value, note FROM meta WHERE key = 'kept'")
    assert (row["value"], row["note"]) == ("yes", "added")


def test_a_failing_migration_leaves_the_old_schema_whole(tmp_path):
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    broken = [*MIGRATIONS, "ALTER TABLE meta ADD COLUMN a TEXT; ALTER TABLE nowhere ADD COLUMN b TEXT;"]
    with pytest.raises(sqlite3.OperationalError):
        Store(path, migrations=broken)
    store = Store(path)
    assert store.version == len(MIGRATIONS)
    assert "a" not in [row["name"] for row in store.query("PRAGMA table_info(meta)")]


def test_a_newer_schema_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "db.sqlite3"
    Store(path, migrations=[*MIGRATIONS, "CREATE TABLE later (x);"]).close()
    with pytest.raises(StoreError, match="newer than this lambda-console knows.*Upgrade lambda-console"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises((StoreError, sqlite3.DatabaseError)):
        Store(path)


def test_concurrent_writers_lose_nothing(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    errors = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                with store.write() as conn:
                    conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"{n}-{i}", "v"))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.query_one("SELECT count(*) FROM meta")[0] == 400


def test_a_failed_transaction_writes_nothing(tmp_path):
    store = Store(tmp_path / "db.sqlite3")
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
        raise RuntimeError("stop here")
    assert store.get_meta("half") is None


WRITER = textwrap.dedent(
    """
    import json, sys
    from console.core.store import Store
    store = Store(sys.argv[1])
    i = 0
    while True:
        body = json.dumps({"n": i, "payload": "x" * 5000})
        with store.write() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{i}", body))
            conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"twin{i}", body))
        i += 1
        if i == 20:
            print("writing", flush=True)
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5])
def test_killed_in_the_middle_of_writes_the_database_is_whole(tmp_path, delay):
    path = tmp_path / "db.sqlite3"
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=root, stdout=subprocess.PIPE)
    assert process.stdout.readline() == b"writing\n"
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = Store(path)
    assert store.query_one("PRAGMA integrity_check")[0] == "ok"
    rows = {row["key"]: row["value"] for row in store.query("SELECT key, value FROM meta")}
    written = [key for key in rows if key.startswith("k")]
    assert len(written) >= 20
    for key in written:
        # Each transaction wrote a pair: both are there, whole, or neither is.
        assert rows[key] == rows["twin" + key[1:]]
        assert len(rows[key]) > 5000


def test_roles_kept_in_meta_move_into_their_functions(tmp_path):
    """Schema 2 gave roles a column; a data folder that kept them in `meta` keeps them."""
    path = tmp_path / "db.sqlite3"
    old = Store(path, migrations=MIGRATIONS[:1])
    with old.write() as conn:
        conn.execute("INSERT INTO packages VALUES ('ab', 'q6s=', 1, 1, 1, '', 't')")
        for name, created in (("kept", "t1"), ("recreated", "t3")):
            conn.execute(
                "INSERT INTO functions (name, package_sha256, handler, runtime, timeout, memory, revision_id,"
                " created_at, last_modified) VALUES (?, 'ab', 'a.b', 'python3.12', 3, 128, 'r', ?, ?)",
                (name, created, created),
            )
        conn.execute("""INSERT INTO meta VALUES ('role:kept', '{"role": "arn:aws:iam::123456789012:role/a",
                        "created_at": "t1"}')""")
        # A role of an earlier function of the same name (deleted, then created again) does not carry over.
        conn.execute("""INSERT INTO meta VALUES ('role:recreated', '{"role": "arn:aws:iam::123456789012:role/b",
                        "created_at": "t2"}')""")
    old.close()
    store = Store(path)
    roles = {row["name"]: row["role"] for row in store.query("SELECT name, role FROM functions")}
    assert roles == {"kept": "arn:aws:iam::123456789012:role/a", "recreated": ""}
    assert store.query("SELECT * FROM meta WHERE key LIKE 'role:%'") == []


def test_functions_and_versions_stored_before_ephemeral_storage_get_lambdas_default(tmp_path):
    """Schema 5 gave functions and versions their /tmp size; those stored before keep everything and get 512 MB."""
    path = tmp_path / "db.sqlite3"
    old = Store(path, migrations=MIGRATIONS[:4])
    with old.write() as conn:
        conn.execute("INSERT INTO packages VALUES ('ab', 'q6s=', 1, 1, 1, '', 't')")
        conn.execute("INSERT INTO functions (name, package_sha256, handler, runtime, timeout, memory, revision_id,"
                     " created_at, last_modified) VALUES ('f', 'ab', 'a.b', 'python3.12', 7, 256, 'r', 't', 't')")
        conn.execute("INSERT INTO versions (function, version, package_sha256, handler, runtime, timeout, memory,"
                     " environment, description, runtime_client, revision_id, created_at)"
                     " VALUES ('f', 1, 'ab', 'a.b', 'python3.12', 5, 192, '{}', '', 'bootstrap', 'r1', 't')")
    old.close()
    store = Store(path)
    assert [tuple(row) for row in store.query("SELECT timeout, memory, ephemeral_storage FROM functions")] == [
        (7, 256, 512)]
    assert [tuple(row) for row in store.query("SELECT timeout, memory, ephemeral_storage FROM versions")] == [
        (5, 192, 512)]
