"""The console's one SQLite database: schema, forward migrations, and transactions.

WAL mode, so readers never wait for a writer; one connection per thread at a time; every change inside `write()`, a
`BEGIN IMMEDIATE` transaction that commits whole or not at all. The schema version is `PRAGMA user_version`, and
`MIGRATIONS[n]` takes a database from version n to n + 1, each in its own transaction, on open.

A thread's connection lives until the thread hands it back with `release()` (at the end of a web request or a
background job: it goes to a small shelf of idle connections the next thread takes) or until the thread ends (it is
closed then), so the open files stay bounded however many threads come and go.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from console.core.store_errors import (  # noqa: F401 - StoreError and is_disk_full, where callers look for them
    SQLITE_CANTOPEN,
    SQLITE_CORRUPT,
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_NOTADB,
    SQLITE_READONLY,
    StoreError,
    cannot_open,
    check_writable_folder,
    damaged,
    is_disk_full,
    primary_code,
    read_only_file,
)

# Each entry moves the schema one version forward. Never edit a published entry: append a new one. An entry is SQL, or
# a function of the connection that returns the SQL (for a step that depends on the schema it finds).
MIGRATIONS: list[str | Callable[[sqlite3.Connection], str]] = [
    # 0 -> 1: the first schema.
    """
    CREATE TABLE packages (
        sha256 TEXT PRIMARY KEY,            -- hex digest of the zip
        code_sha256 TEXT NOT NULL,          -- Lambda's CodeSha256: base64 of the digest
        size INTEGER NOT NULL,              -- CodeSize: bytes of the zip
        unzipped_size INTEGER NOT NULL,
        files INTEGER NOT NULL,
        filename TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE functions (
        name TEXT PRIMARY KEY,
        package_sha256 TEXT NOT NULL REFERENCES packages(sha256),
        handler TEXT NOT NULL,
        runtime TEXT NOT NULL,
        timeout INTEGER NOT NULL,
        memory INTEGER NOT NULL,
        environment TEXT NOT NULL DEFAULT '{}',
        description TEXT NOT NULL DEFAULT '',
        runtime_client TEXT NOT NULL DEFAULT 'bootstrap',
        revision_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_modified TEXT NOT NULL
    );
    CREATE TABLE versions (
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        package_sha256 TEXT NOT NULL REFERENCES packages(sha256),
        handler TEXT NOT NULL,
        runtime TEXT NOT NULL,
        timeout INTEGER NOT NULL,
        memory INTEGER NOT NULL,
        environment TEXT NOT NULL,
        description TEXT NOT NULL,
        runtime_client TEXT NOT NULL,
        revision_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (function, version)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (function, name)
    );
    CREATE TABLE invocations (
        id INTEGER PRIMARY KEY,
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        version TEXT NOT NULL,
        request_id TEXT NOT NULL,
        source TEXT NOT NULL,
        event TEXT NOT NULL,
        succeeded INTEGER NOT NULL,
        payload BLOB NOT NULL,
        error_type TEXT,
        status TEXT,
        log TEXT NOT NULL,
        duration_ms REAL NOT NULL,
        billed_duration_ms INTEGER NOT NULL,
        init_duration_ms REAL,
        max_memory_used_mb INTEGER NOT NULL,
        memory_size_mb INTEGER NOT NULL,
        cold INTEGER NOT NULL,
        code_sha256 TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX invocations_by_function ON invocations (function, id);
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 1 -> 2: a function's execution role (Lambda's Role), kept as the REST API was given it.
    """
    ALTER TABLE functions ADD COLUMN role TEXT NOT NULL DEFAULT '';
    ALTER TABLE versions ADD COLUMN role TEXT NOT NULL DEFAULT '';
    UPDATE functions SET role = (
        SELECT json_extract(value, '$.role') FROM meta
        WHERE key = 'role:' || functions.name AND json_extract(value, '$.created_at') = functions.created_at
    ) WHERE EXISTS (SELECT 1 FROM meta WHERE key = 'role:' || functions.name
                    AND json_extract(value, '$.created_at') = functions.created_at);
    DELETE FROM meta WHERE key LIKE 'role:%';
    """,
    # 2 -> 3: the handlers found in each package, so that its files are read once, not on every page that asks.
    """
    CREATE TABLE discoveries (
        package_sha256 TEXT PRIMARY KEY REFERENCES packages(sha256) ON DELETE CASCADE,
        format INTEGER NOT NULL,            -- how it was found: a lambda-console that finds differently looks again
        result TEXT NOT NULL,               -- JSON: handlers, the folder mistake, files skipped
        created_at TEXT NOT NULL
    );
    """,
    # 3 -> 4: the Event (asynchronous) invocation queue: an accepted invocation stays here until it and its retries are
    # finished, so one accepted before a crash runs when the console starts again (console.core.event_queue).
    """
    CREATE TABLE event_queue (
        id INTEGER PRIMARY KEY,
        function TEXT NOT NULL,
        version TEXT NOT NULL,
        request_id TEXT NOT NULL,
        payload BLOB NOT NULL,
        client_context TEXT,
        region TEXT NOT NULL,
        account TEXT NOT NULL,
        retries INTEGER NOT NULL,               -- attempts allowed after the first
        attempts INTEGER NOT NULL DEFAULT 0,    -- attempts recorded in the history so far
        owner_pid INTEGER NOT NULL,             -- the console process running it
        created_at TEXT NOT NULL
    );
    """,
    # 4 -> 5: a function's ephemeral storage, the MB of its /tmp (Lambda's EphemeralStorage.Size; 512 by default).
    """
    ALTER TABLE functions ADD COLUMN ephemeral_storage INTEGER NOT NULL DEFAULT 512;
    ALTER TABLE versions ADD COLUMN ephemeral_storage INTEGER NOT NULL DEFAULT 512;
    """,
    # 5 -> 6: a function's tags (TagResource, CreateFunction's Tags), reserved concurrency (PutFunctionConcurrency;
    # NULL when none is reserved), aliases, and the highest version number ever published (never reused).
    """
    CREATE TABLE function_tags (
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (function, key)
    );
    ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER;
    ALTER TABLE functions ADD COLUMN versions_published INTEGER NOT NULL DEFAULT 0;
    UPDATE functions SET versions_published = COALESCE(
        (SELECT MAX(version) FROM versions WHERE versions.function = functions.name), 0);
    CREATE TABLE aliases (
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        name TEXT NOT NULL,
        version TEXT NOT NULL,                  -- a published version's number, or $LATEST
        description TEXT NOT NULL DEFAULT '',
        routing TEXT NOT NULL DEFAULT '{}',     -- AdditionalVersionWeights: {"version": weight}
        revision_id TEXT NOT NULL,
        PRIMARY KEY (function, name)
    );
    """,
    # 6 -> 7: layers (console.core.layers). A layer's versions are numbered 1, 2, ... and a number is never given
    # again after a delete, so `layers` keeps the last one given. A function version's layers are kept with the
    # package each one runs, so a function keeps running a layer version deleted after it was added, as on Lambda.
    """
    CREATE TABLE layers (
        name TEXT PRIMARY KEY,
        last_version INTEGER NOT NULL
    );
    CREATE TABLE layer_versions (
        name TEXT NOT NULL REFERENCES layers(name),
        version INTEGER NOT NULL,
        package_sha256 TEXT NOT NULL REFERENCES packages(sha256),
        description TEXT NOT NULL DEFAULT '',
        compatible_runtimes TEXT NOT NULL DEFAULT '[]',
        compatible_architectures TEXT NOT NULL DEFAULT '[]',
        license_info TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (name, version)
    );
    CREATE TABLE function_layers (
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        version TEXT NOT NULL,                 -- '$LATEST' or a published version's number
        position INTEGER NOT NULL,             -- Lambda's order: later layers' files replace earlier ones'
        layer TEXT NOT NULL,
        layer_version INTEGER NOT NULL,
        package_sha256 TEXT NOT NULL REFERENCES packages(sha256),
        PRIMARY KEY (function, version, position)
    );
    CREATE INDEX function_layers_by_package ON function_layers (package_sha256);
    """,
    # 7 -> 8: the Python each invocation ran on (python3.12), and the note when that was not the function's runtime.
    """
    ALTER TABLE invocations ADD COLUMN ran_on TEXT NOT NULL DEFAULT '';
    ALTER TABLE invocations ADD COLUMN interpreter_note TEXT NOT NULL DEFAULT '';
    """,
    # 8 -> 9: a function's code may be a folder on disk instead of a stored package, and code changes are recorded.
    lambda conn: _folder_functions(conn),
    # 9 -> 10: what a saved event's invocation must produce (console.core.expectations), and each function's last run
    # of its saved events as tests (console.core.test_runs).
    """
    CREATE TABLE expectations (
        event_id INTEGER PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
        response TEXT,                      -- JSON text of the expected subset; NULL: the response is not checked
        function_error INTEGER,             -- 1: must fail; 0: must succeed; NULL: either
        max_duration_ms REAL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE test_runs (
        function TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
        passed INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        duration_ms REAL NOT NULL,          -- the whole run's wall time
        results TEXT NOT NULL,              -- JSON: each event's outcome (console.core.test_runs.EventOutcome)
        finished_at TEXT NOT NULL
    );
    """,
    # 10 -> 11: function URLs (Lambda's FunctionUrlConfig), one per function and qualifier ('' for the unqualified one).
    """
    CREATE TABLE function_urls (
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL DEFAULT '',
        url_id TEXT NOT NULL UNIQUE,            -- the first label of the URL's host name
        region TEXT NOT NULL,
        auth_type TEXT NOT NULL,                -- NONE or AWS_IAM
        cors TEXT,                              -- JSON: Lambda's Cors, or NULL
        invoke_mode TEXT NOT NULL DEFAULT 'BUFFERED',
        created_at TEXT NOT NULL,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (function, qualifier)
    );
    """,
    # 11 -> 12: a function's further Lambda settings as given (Architectures, TracingConfig, VpcConfig,
    # DeadLetterConfig, KMSKeyArn, SnapStart, LoggingConfig): one JSON object under Lambda's names
    # (console.core.function_settings).
    """
    ALTER TABLE functions ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE versions ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
    """,
    # 12 -> 13: asynchronous invocation settings per function and qualifier (PutFunctionEventInvokeConfig;
    # console.core.event_invoke), and when each queued Event invocation expires (its MaximumEventAgeInSeconds).
    """
    CREATE TABLE event_invoke_configs (
        function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
        qualifier TEXT NOT NULL,                -- $LATEST, a version's number or an alias's name
        maximum_retry_attempts INTEGER,         -- NULL: Lambda's default, 2
        maximum_event_age INTEGER,              -- seconds; NULL: Lambda's default, 21600
        destination TEXT NOT NULL DEFAULT '{}', -- DestinationConfig as given
        last_modified REAL NOT NULL,            -- seconds since the epoch
        PRIMARY KEY (function, qualifier)
    );
    -- expires_at: seconds since the epoch, NULL for never.
    ALTER TABLE event_queue ADD COLUMN expires_at REAL;
    """,
    # 13 -> 14: the functions `serve --template` made from a SAM template (console.core.sam_load), so that reading the
    # template again updates and removes only those, never a function made by hand.
    """
    CREATE TABLE template_functions (
        function TEXT PRIMARY KEY REFERENCES functions(name) ON DELETE CASCADE,
        template TEXT NOT NULL,             -- the template's absolute path
        logical_id TEXT NOT NULL,
        loaded_at TEXT NOT NULL
    );
    """,
    # 14 -> 15: the saved event an invocation ran (empty: typed, edited, or from outside the console's pages)
    "ALTER TABLE invocations ADD COLUMN event_name TEXT NOT NULL DEFAULT ''",
    # 15 -> 16: named remote Lambda endpoints (console.core.remotes): where to go, never a secret.
    """
    CREATE TABLE remotes (
        name TEXT PRIMARY KEY,
        profile TEXT,                       -- an AWS profile (NULL for an endpoint URL)
        region TEXT NOT NULL,
        endpoint_url TEXT,                  -- a Lambda-compatible endpoint (NULL for AWS itself)
        created_at TEXT NOT NULL
    );
    """,
    # 16 -> 17: read-only viewer links for an audience (console.core.viewers): a digest of each token, never the token.
    """
    CREATE TABLE viewers (
        id INTEGER PRIMARY KEY,
        token_sha256 TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the link's token
        label TEXT NOT NULL,
        function TEXT REFERENCES functions(name) ON DELETE CASCADE,  -- NULL: every function's presenter page
        created_at REAL NOT NULL,           -- seconds since the epoch, as the other times here
        expires_at REAL,                    -- NULL: never
        revoked_at REAL,
        last_used_at REAL
    );
    """,
]

# Idle connections kept for the next thread that needs one; more than this are closed when handed back.
IDLE_CONNECTIONS = 4


class _Held:
    """A thread's connection, in the thread's local storage: when the thread ends, the storage goes and the
    connection is closed with it (sqlite3 connections cannot be weakly referenced; this holder can)."""

    __slots__ = ("__weakref__", "conn")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn: sqlite3.Connection | None = conn

    def take(self) -> sqlite3.Connection | None:
        conn, self.conn = self.conn, None
        return conn

    def __del__(self) -> None:
        conn = self.take()
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass


class Store:
    """The database file; safe to share between threads (each gets its own connection)."""

    def __init__(self, path: Path, *, migrations: list[str | Callable[[sqlite3.Connection], str]] | None = None) -> None:
        self.path = Path(path)
        self._migrations = MIGRATIONS if migrations is None else migrations
        self._local = threading.local()
        self._held: weakref.WeakSet[_Held] = weakref.WeakSet()
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        check_writable_folder(self.path.parent)
        self.check_integrity()
        try:
            self.migrate()
        except sqlite3.OperationalError as exc:
            if primary_code(exc) == SQLITE_READONLY:
                raise StoreError(read_only_file(self.path, exc)) from exc
            raise

    def _connect(self) -> sqlite3.Connection:
        held = getattr(self._local, "held", None)
        if held is not None and held.conn is not None:
            return held.conn
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            try:
                # Autocommit mode (isolation_level=None): transactions are opened explicitly, never implicitly.
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")  # with WAL: durable at each checkpoint, never torn
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA busy_timeout=30000")
            except sqlite3.DatabaseError as exc:
                if primary_code(exc) == SQLITE_CORRUPT:
                    raise StoreError(damaged(self.path, [str(exc)])) from exc
                if primary_code(exc) in (SQLITE_READONLY, SQLITE_CANTOPEN):
                    raise StoreError(read_only_file(self.path, exc)) from exc
                if primary_code(exc) in (SQLITE_IOERR, SQLITE_FULL):
                    raise StoreError(cannot_open(self.path, exc)) from exc
                raise StoreError(f"{self.path} is not a lambda-console database: {exc}") from exc
        held = _Held(conn)
        self._local.held = held
        with self._lock:
            self._held.add(held)
        return conn

    def release(self) -> None:
        """Hand back this thread's connection (at the end of a request or a job); the next use takes another."""
        held = self._local.__dict__.pop("held", None)
        conn = None if held is None else held.take()
        if conn is None:
            return
        if conn.in_transaction:  # never shelve a connection in the middle of a transaction
            conn.execute("ROLLBACK")
        with self._lock:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: everything inside commits together, or nothing does."""
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk does that), or the COMMIT itself may have failed.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads."""
        conn = self._connect()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self._connect().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self._connect().execute(sql, params).fetchone()

    @property
    def version(self) -> int:
        return self._connect().execute("PRAGMA user_version").fetchone()[0]

    def check_integrity(self) -> None:
        """Refuse a damaged database at start (SQLite's quick_check), rather than failing on the page that reads it."""
        try:
            rows = self._connect().execute("PRAGMA quick_check(5)").fetchall()
            problems = [row[0] for row in rows if row[0] != "ok"]
        except sqlite3.DatabaseError as exc:
            if primary_code(exc) == SQLITE_NOTADB:
                self.close()
                raise StoreError(f"{self.path} is not a lambda-console database: {exc}") from exc
            if primary_code(exc) != SQLITE_CORRUPT:
                raise
            problems = [str(exc)]
        if problems:
            self.close()
            raise StoreError(damaged(self.path, problems))

    def migrate(self) -> None:
        """Bring the schema forward to the latest version, one step per transaction."""
        target = len(self._migrations)
        conn = self._connect()
        # SQLite's way to change a table's definition (sqlite.org/lang_altertable.html, "other kinds of table schema
        # changes"): foreign keys off, so that rebuilding a parent table cascades nothing, and checked before commit.
        conn.execute("PRAGMA foreign_keys=OFF")
        try:
            while True:
                with self.write():
                    current = conn.execute("PRAGMA user_version").fetchone()[0]
                    if current > target:
                        raise StoreError(
                            f"{self.path} has schema version {current}, newer than this lambda-console knows "
                            f"({target}). Upgrade lambda-console, or point --data-dir at another folder."
                        )
                    if current == target:
                        return
                    step = self._migrations[current]
                    for statement in _statements(step(conn) if callable(step) else step):
                        conn.execute(statement)
                    if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                        raise StoreError(f"{self.path}: schema step {current} -> {current + 1} broke a reference")
                    conn.execute(f"PRAGMA user_version = {current + 1}")
        finally:
            conn.execute("PRAGMA foreign_keys=ON")

    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else row["value"]

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a `meta` value; None removes it."""
        with self.write() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self._lock:
            connections, self._idle = self._idle, []
            connections += [conn for held in list(self._held) if (conn := held.take()) is not None]
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._local = threading.local()


def _folder_functions(conn: sqlite3.Connection) -> str:
    """The step to schema 9: `functions.package_sha256` may be NULL (a folder function has no stored package), a new
    `code_folder` column holds the folder, and `code_changes` records what happened to a function's code.

    The table is rebuilt from its own definition and columns as found, so columns added by other steps stay."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'functions'").fetchone()
    definition = re.sub(r"package_sha256\s+TEXT\s+NOT\s+NULL", "package_sha256 TEXT", row[0], count=1)
    definition = re.sub(r'CREATE TABLE\s+"?functions"?', "CREATE TABLE functions_rebuilt", definition, count=1)
    columns = ", ".join(f'"{info[1]}"' for info in conn.execute("PRAGMA table_info(functions)"))
    extras = [found[0] for found in conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'functions' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
    )]
    return ";\n".join([
        definition,
        f"INSERT INTO functions_rebuilt ({columns}) SELECT {columns} FROM functions",
        "DROP TABLE functions",
        "ALTER TABLE functions_rebuilt RENAME TO functions",
        *extras,
        "ALTER TABLE functions ADD COLUMN code_folder TEXT",  # an absolute path; NULL for a stored package
        """CREATE TABLE code_changes (
            id INTEGER PRIMARY KEY,
            function TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE,
            kind TEXT NOT NULL,                 -- 'reloaded', 'dependencies'...
            message TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX code_changes_by_function ON code_changes (function, id)",
    ]) + ";"


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own, outside our transaction)."""
    statements, buffer = [], ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):  # false while the ';' is inside a string or a trigger body
            if buffer.strip(" \n\t;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements
