"""Deployment packages: a zip checked before anything is kept, stored once by SHA-256, and unpacked read-only.

Layout under the store's root:

    zips/<sha256>.zip      the zip exactly as uploaded (CodeSize, CodeSha256 and a later download come from it)
    code/<sha256>/         its files, read-only (files 0444, or 0555 when the zip marks them executable; folders 0555)
    zips/.tmp-*, code/.tmp-*   work in progress: an upload being received, a zip being unpacked

A package's database row is inserted only after both its zip and its code folder are complete and in place, and each
of those appears under its final name by one rename. So a process killed at any moment leaves at worst temporary
files and finished-but-unrecorded files: a `PackageStore` opened later removes the temporary ones, and records a
complete zip that no row explains again (its row rebuilt from the zip), because such a zip may be the only copy of a
package whose database was lost, emptied or restored from an older backup. Nothing under a final name is deleted
unless the user deleted it: a deletion marks the package in the same transaction that removes its row, and only a
marked package's files are removed by a later start. A row always has its files.

The zip checks are console.core.zipcheck's and the unpacking console.core.unzip's.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, so a second store on the same folder is not detected there
    fcntl = None  # type: ignore[assignment]

from console.core.clock import precise_iso
from console.core.files import chunks, fsync_dir, remove_tree
from console.core.function_layers import layer_users
from console.core.limits import MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES, human_size
from console.core.store import Store
from console.core.unzip import unpack_zip
from console.core.zipcheck import (
    CHUNK,
    PackageError,
    ZipContents,
    check_zip,
    whose_limit,
)

log = logging.getLogger(__name__)

TEMP_PREFIX = ".tmp-"
DELETION_MARK = "deleting-package:"  # a `meta` key: the package's row is deleted, its files are being removed
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
class PackageNotFound(KeyError):
    """No stored package has that SHA-256."""

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        super().__init__(sha256)

    def __str__(self) -> str:  # KeyError's own would show the repr of its argument
        return f"No stored package has the SHA-256 {self.sha256}. Upload the package first."


class PackageInUse(PackageError):
    """A package that functions, published versions or layer versions still use, so it cannot be deleted."""

    def __init__(self, sha256: str, used_by: tuple[str, ...]) -> None:
        self.sha256 = sha256
        self.used_by = used_by
        names = ", ".join(used_by)
        super().__init__(
            f"the package {sha256[:12]} is used by {names}",
            "Delete those layer versions and functions, or give the functions other code and layers, before "
            "deleting the package." if any(user.startswith("layer:") for user in used_by) else
            "Delete those functions, or give them other code, before deleting the package.",
        )


# -- the store ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    """A stored deployment package."""

    sha256: str  # hex digest of the zip
    code_sha256: str  # Lambda's CodeSha256: base64 of the digest
    size: int  # CodeSize: bytes of the zip
    unzipped_size: int
    files: int
    filename: str
    created_at: str  # ISO 8601, UTC
    code_dir: Path
    zip_path: Path
    used_by: tuple[str, ...] = ()  # functions using it; published versions as name:version


def _clean_filename(filename: str) -> str:
    """Only the file's own name, as a browser or client may send a whole path."""
    return PurePosixPath(filename.replace("\\", "/")).name[:255]


class PackageStore:
    """Deployment packages, stored once by SHA-256 in `root` and recorded in the `packages` table."""

    def __init__(
        self,
        store: Store,
        root: Path,
        *,
        max_zip_bytes: int = MAX_ZIP_BYTES,
        max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    ) -> None:
        self._store = store
        self.root = Path(root)
        self.max_zip_bytes = max_zip_bytes
        self.max_unzipped_bytes = max_unzipped_bytes
        self._zips = self.root / "zips"
        self._code = self.root / "code"
        self._zips.mkdir(parents=True, exist_ok=True)
        self._code.mkdir(parents=True, exist_ok=True)
        # Within this process: the step from finished files to a recorded package, and deletion, one at a time.
        self._lock = threading.Lock()
        self._lock_file: IO[bytes] | None = None
        # Packages found stored but not in the database when the store opened, recorded again from their zips.
        self.recorded_again: tuple[str, ...] = ()
        if self._open_lock():
            self._recover()
        if self._lock_file is not None and fcntl is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_SH)

    def _open_lock(self) -> bool:
        """Share `root/.lock` with the other stores open on this folder; True when this is the only one.

        Only then is it safe to remove leftovers: another live store's upload in progress looks just like a leftover.
        The lock goes with the process, so a killed store never blocks the next one's recovery.
        """
        self._lock_file = open(self.root / ".lock", "a+b")  # noqa: SIM115 - held for the store's lifetime
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def close(self) -> None:
        """Let another store on the same folder recover leftovers when it opens."""
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _recover(self) -> None:
        """Finish what a killed process left: remove temporary files and the files of packages the user deleted,
        record again complete zips that no row explains, and unzip again a recorded package's missing code folder."""
        for key, sha256 in self._deletion_marks():
            self._remove_files(sha256)
            self._store.set_meta(key, None)
        for folder in (self._code, self._zips):
            for entry in list(folder.iterdir()):
                if entry.name.startswith(TEMP_PREFIX):
                    log.info("removing %s, left by an interrupted upload or deletion", entry)
                    remove_tree(entry)
        rows = {row["sha256"] for row in self._store.query("SELECT sha256 FROM packages")}
        recorded = [
            entry.stem for entry in sorted(self._zips.iterdir())
            if entry.suffix == ".zip" and SHA256_HEX.fullmatch(entry.stem) and entry.stem not in rows
            and self._record_again(entry.stem)
        ]
        if recorded:
            self.recorded_again = tuple(recorded)
            log.warning(
                "%d stored package(s) in %s were not in the database (an upload cut short just before it was "
                "recorded, or a database that is new, emptied or older than the packages); they are listed again "
                "under Packages. Functions, saved events and history cannot be rebuilt from packages: if the "
                "database was lost, stop the console and restore %s from a backup.",
                len(recorded), self._zips, self._store.path,
            )
        rows.update(recorded)
        for entry in list(self._code.iterdir()):
            if SHA256_HEX.fullmatch(entry.name) and entry.name not in rows:
                # Its zip is gone, so no upload finished with it: unzipped code of an upload killed before the end.
                log.info("removing %s, left by an interrupted upload", entry)
                remove_tree(entry)
        for sha256 in rows:
            if not (self._code / sha256).is_dir() and (self._zips / f"{sha256}.zip").is_file():
                # Only a crash of the whole machine (or a person) removes a recorded code folder: unzip it again.
                log.warning("unzipping package %s again: its code folder was missing", sha256)
                try:
                    self._unzip_again(sha256)
                except (PackageError, OSError) as exc:
                    log.error("package %s cannot be unzipped again: %s", sha256, exc)

    def _unzip_again(self, sha256: str) -> ZipContents:
        temp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self._code))
        try:
            # No size limit: the package was checked when it was stored, perhaps under other settings.
            contents = unpack_zip(self._zips / f"{sha256}.zip", temp, max_unzipped_bytes=1 << 62, read_only=True)
            os.rename(temp, self._code / sha256)
            return contents
        finally:
            remove_tree(temp)

    def _record_again(self, sha256: str) -> bool:
        """Rebuild the row of a stored zip the database does not list; False (and the zip left alone) if it cannot."""
        zip_path = self._zips / f"{sha256}.zip"
        try:
            digest = hashlib.sha256()
            with open(zip_path, "rb") as file:
                while chunk := file.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != sha256:
                log.warning("%s does not hold the package its name says; left as it is", zip_path)
                return False
            if (self._code / sha256).is_dir():
                contents = check_zip(zip_path, max_unzipped_bytes=1 << 62)  # the folder is complete: it was renamed
            else:
                contents = self._unzip_again(sha256)
            created = precise_iso(zip_path.stat().st_mtime)
        except (PackageError, OSError) as exc:
            log.warning("%s cannot be recorded again (%s); left as it is", zip_path, exc)
            return False
        with self._store.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO packages (sha256, code_sha256, size, unzipped_size, files, filename, created_at)"
                " VALUES (?, ?, ?, ?, ?, '', ?)",
                (sha256, _code_sha256(sha256), zip_path.stat().st_size, contents.unzipped_size, contents.files,
                 created),
            )
        return True

    def _deletion_marks(self) -> list[tuple[str, str]]:
        rows = self._store.query("SELECT key FROM meta WHERE key LIKE ?", (DELETION_MARK + "%",))
        marks = [(row["key"], row["key"][len(DELETION_MARK):]) for row in rows]
        return [(key, sha256) for key, sha256 in marks if SHA256_HEX.fullmatch(sha256)]

    def _remove_files(self, sha256: str) -> None:
        """Remove a deleted package's files, out of their final names first: a folder or zip under its final name is
        always complete, even if this process is killed halfway through removing."""
        for path in (self._code / sha256, self._zips / f"{sha256}.zip"):
            if os.path.lexists(path):
                doomed = path.with_name(f"{TEMP_PREFIX}deleted-{uuid.uuid4().hex}")
                os.rename(path, doomed)
                remove_tree(doomed)

    # -- adding -------------------------------------------------------------------------------------------------

    def add(self, data: bytes | IO[bytes], filename: str = "") -> Package:
        """Check and store a zip given as bytes or a binary stream; the same bytes again give the stored Package.

        Raises PackageError (see `check_zip`, and over `max_zip_bytes`) before anything is stored.
        """
        temp_zip, sha256, size = self._receive(data)
        temp_code: Path | None = None
        try:
            if (existing := self._find(sha256)) is not None:
                return existing
            temp_code = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=self._code))
            contents = unpack_zip(temp_zip, temp_code, max_unzipped_bytes=self.max_unzipped_bytes, read_only=True)
            with self._lock:
                return self._commit(sha256, size, contents, _clean_filename(filename), temp_zip, temp_code)
        finally:
            if temp_code is not None:
                remove_tree(temp_code)
            remove_tree(temp_zip)

    def _receive(self, data: bytes | IO[bytes]) -> tuple[Path, str, int]:
        """Write the zip to a temporary file in the store's folder, hashing as it goes and stopping over the limit."""
        if isinstance(data, (bytes, bytearray, memoryview)) and len(data) > self.max_zip_bytes:
            raise self._too_large(len(data))
        fd, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".zip", dir=self._zips)
        temp = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks(data, CHUNK):
                    size += len(chunk)
                    if size > self.max_zip_bytes:
                        raise self._too_large(None)  # a stream: stop reading, its size is unknown
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())  # the zip is the copy a lost code folder is restored from
        except BaseException:
            remove_tree(temp)
            raise
        return temp, digest.hexdigest(), size

    def _too_large(self, size: int | None) -> PackageError:
        limit = self.max_zip_bytes
        size_text = "larger than" if size is None else f"{size:,} bytes, more than"
        return PackageError(
            f"the zip is {size_text} the {limit:,}-byte ({human_size(limit)}) limit for an uploaded package "
            f"({whose_limit(limit, MAX_ZIP_BYTES)})",
            "Make it smaller: leave out what the function does not need (tests, documentation, and boto3, "
            "which the runtime provides).",
        )

    def _commit(
        self, sha256: str, size: int, contents: ZipContents, filename: str, temp_zip: Path, temp_code: Path
    ) -> Package:
        """Move the finished files to their names, then record the package: the row comes last."""
        if (existing := self._find(sha256)) is not None:
            return existing  # another thread stored the same bytes meanwhile
        code_dir, zip_path = self._code / sha256, self._zips / f"{sha256}.zip"
        # A folder or zip already under the final name is complete (it only gets that name by a rename once
        # finished) and holds the same bytes: keep it.
        if not code_dir.exists():
            os.rename(temp_code, code_dir)
        if not zip_path.exists():
            os.rename(temp_zip, zip_path)
        fsync_dir(self._code)
        fsync_dir(self._zips)
        with self._store.write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO packages (sha256, code_sha256, size, unzipped_size, files, filename, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, _code_sha256(sha256), size, contents.unzipped_size, contents.files, filename, precise_iso()),
            )
        return self.get(sha256)

    # -- reading ------------------------------------------------------------------------------------------------

    def _find(self, sha256: str) -> Package | None:
        try:
            return self.get(sha256)
        except PackageNotFound:
            return None

    def get(self, sha256: str) -> Package:
        """The stored package with this SHA-256 (hex), with the functions using it."""
        # Plain reads, no transaction of their own: a caller may ask from inside its own `store.write()`.
        row = self._store.query_one("SELECT * FROM packages WHERE sha256 = ?", (sha256,))
        if row is None:
            raise PackageNotFound(sha256)
        return self._package(row, _users(self._store.query, sha256).get(sha256, ()))

    def all(self) -> list[Package]:
        """Every stored package, newest first, each with the functions and versions using it."""
        rows = self._store.query("SELECT * FROM packages ORDER BY created_at DESC, rowid DESC")
        users = _users(self._store.query)
        return [self._package(row, users.get(row["sha256"], ())) for row in rows]

    def _package(self, row, used_by: tuple[str, ...]) -> Package:
        return Package(
            sha256=row["sha256"],
            code_sha256=row["code_sha256"],
            size=row["size"],
            unzipped_size=row["unzipped_size"],
            files=row["files"],
            filename=row["filename"],
            created_at=row["created_at"],
            code_dir=self._code / row["sha256"],
            zip_path=self._zips / f"{row['sha256']}.zip",
            used_by=used_by,
        )

    # -- deleting -----------------------------------------------------------------------------------------------

    def delete(self, sha256: str) -> None:
        """Remove a package's row and files; PackageInUse when functions or published versions use it."""
        with self._lock:
            with self._store.write() as conn:
                if conn.execute("SELECT 1 FROM packages WHERE sha256 = ?", (sha256,)).fetchone() is None:
                    raise PackageNotFound(sha256)
                used_by = _users(lambda sql, params: conn.execute(sql, params).fetchall(), sha256).get(sha256, ())
                if used_by:
                    raise PackageInUse(sha256, used_by)
                conn.execute("DELETE FROM packages WHERE sha256 = ?", (sha256,))
                # The mark tells a later start that files without a row were deleted by the user, not lost by the
                # database: it finishes removing them if this process is killed before it does.
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (DELETION_MARK + sha256, precise_iso()))
            # After the commit, so that a row never lacks its files.
            self._remove_files(sha256)
            self._store.set_meta(DELETION_MARK + sha256, None)


def _users(query: Callable[[str, tuple], list], sha256: str | None = None) -> dict[str, tuple[str, ...]]:
    """Package -> the functions ($LATEST, by name) and published versions (name:version) that use it."""
    where, params = ("WHERE package_sha256 = ?", (sha256,)) if sha256 else ("", ())
    found: dict[str, list[tuple[str, int]]] = {}
    for row in query(f"SELECT package_sha256, name FROM functions {where}", params):
        found.setdefault(row["package_sha256"], []).append((row["name"], -1))
    for row in query(f"SELECT package_sha256, function, version FROM versions {where}", params):
        found.setdefault(row["package_sha256"], []).append((row["function"], row["version"]))
    users = {
        sha: [name if version < 0 else f"{name}:{version}" for name, version in sorted(users)]
        for sha, users in found.items()
    }
    # Layer versions, and function versions that run the package as one of their layers, use it too.
    for sha, layer_users_of_sha in layer_users(query, sha256).items():
        users[sha] = list(dict.fromkeys([*users.get(sha, []), *layer_users_of_sha]))
    return {sha: tuple(names) for sha, names in users.items()}


def _code_sha256(sha256: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
