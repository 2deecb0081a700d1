"""The package store as an upload meets it: every refusal with the message a user reads, storage, use, deletion."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import unicodedata
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from console.core.functions import FunctionStore
from console.core.packages import (
    PackageError,
    PackageInUse,
    PackageNotFound,
    PackageStore,
    check_zip,
    unpack_zip,
)
from console.core.store import Store

HELLO = "def my_handler(event, context):\n    return {'message': 'Hello'}\n"


# -- building zips ---------------------------------------------------------------------------------------------------


def zip_of(*entries: tuple[str | zipfile.ZipInfo, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name or ZipInfo, content) entries, in that order, as written by Python's zipfile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": the duplicate is the point of one test
        for name, content in entries:
            if isinstance(name, zipfile.ZipInfo):
                name.compress_type = method
            archive.writestr(name, content)
    return buffer.getvalue()


def entry(name: str, mode: int) -> zipfile.ZipInfo:
    """A ZipInfo with a Unix mode (file type and permissions) in its external attributes, as zip -y writes them."""
    info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
    info.create_system = 3  # Unix
    info.external_attr = mode << 16
    return info


def renamed(data: bytes, placeholder: str, name: str) -> bytes:
    """The zip with an entry's name replaced in its raw bytes (local header and central directory), for names a
    zip tool might clean up when writing."""
    old, new = placeholder.encode(), name.encode()
    assert len(old) == len(new) and data.count(old) == 2
    return data.replace(old, new)


def patched(data: bytes, *, flags: int = 0, method: int | None = None) -> bytes:
    """A one-entry zip with general-purpose flag bits set and/or its compression method replaced, in both headers."""
    raw = bytearray(data)
    for signature, flags_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = raw.index(signature)
        old_flags = int.from_bytes(raw[start + flags_at : start + flags_at + 2], "little")
        raw[start + flags_at : start + flags_at + 2] = (old_flags | flags).to_bytes(2, "little")
        if method is not None:
            raw[start + method_at : start + method_at + 2] = method.to_bytes(2, "little")
    return bytes(raw)


def leftovers(packages: PackageStore) -> list[str]:
    """Everything in the store's folders, as names relative to its root."""
    return sorted(
        f"{folder}/{child.name}" for folder in ("zips", "code") for child in (packages.root / folder).iterdir()
    )


def refusal(packages: PackageStore, data: bytes) -> str:
    """The message a refused upload gets; and the store is left as it was (empty)."""
    with pytest.raises(PackageError) as caught:
        packages.add(data, "package.zip")
    assert packages.all() == []
    assert leftovers(packages) == []
    return str(caught.value)


# -- refusals: each names the entry or the limit and says what to do -------------------------------------------------

REZIP = "Zip the package's files from inside its folder."
RELATIVE = "Zip the package's files from inside its folder, so that their paths are relative to it."
BACKSLASH = (
    "uses backslashes ('\\') between folders, which Lambda reads as part of a file name. Create the zip with a tool "
    "that writes '/' between folders (zip, 7-Zip, or PowerShell 7's Compress-Archive)."
)


@pytest.mark.parametrize(
    ("placeholder", "name", "message"),
    [
        ("xx/evil.py", "../evil.py", f"The zip's entry '../evil.py' points outside the package ('..'). {REZIP}"),
        (
            "lib/xx/xx/evil.py",
            "lib/../../evil.py",
            f"The zip's entry 'lib/../../evil.py' points outside the package ('..'). {REZIP}",
        ),
        ("xetc/evil.py", "/etc/evil.py", f"The zip's entry '/etc/evil.py' has an absolute path. {RELATIVE}"),
        ("xxxevil.py", "C:/evil.py", f"The zip's entry 'C:/evil.py' has an absolute path. {RELATIVE}"),
        ("xxxevil.py", "C:\\evil.py", f"The zip's entry 'C:\\evil.py' has an absolute path. {RELATIVE}"),
        (
            "xxserver/share/evil.py",
            "\\\\server\\share\\evil.py",
            f"The zip's entry '\\\\server\\share\\evil.py' has an absolute path. {RELATIVE}",
        ),
        ("xx/evil.py", "..\\evil.py", f"The zip's entry '..\\evil.py' {BACKSLASH}"),
        ("src/app.py", "src\\app.py", f"The zip's entry 'src\\app.py' {BACKSLASH}"),
    ],
)
def test_a_name_that_could_land_outside_the_package_is_refused(packages, placeholder, name, message):
    data = renamed(zip_of(("app.py", HELLO), (placeholder, "print('owned')\n")), placeholder, name)
    assert refusal(packages, data) == message
    assert not (packages.root.parent / "evil.py").exists()


@pytest.mark.parametrize(
    ("file_type", "message"),
    [
        (
            stat.S_IFLNK,
            (
                "The zip's entry 'lib/passwd' is a symbolic link. "
                "Zip the file it points to instead (leave out zip's -y / --symlinks option)."
            ),
        ),
        (
            stat.S_IFCHR,
            (
                "The zip's entry 'lib/passwd' is a character device, not a regular file. "
                "Leave it out: a package holds only regular files and folders."
            ),
        ),
        (
            stat.S_IFBLK,
            (
                "The zip's entry 'lib/passwd' is a block device, not a regular file. "
                "Leave it out: a package holds only regular files and folders."
            ),
        ),
        (
            stat.S_IFIFO,
            (
                "The zip's entry 'lib/passwd' is a named pipe (FIFO), not a regular file. "
                "Leave it out: a package holds only regular files and folders."
            ),
        ),
    ],
)
def test_links_devices_and_pipes_are_refused(packages, file_type, message):
    data = zip_of(("app.py", HELLO), (entry("lib/passwd", file_type | 0o777), "/etc/passwd"))
    assert refusal(packages, data) == message


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["app.py", "app.py"], "The zip holds 'app.py' twice. Create the zip again with each file once."),
        (
            ["lib/app.py", "lib//./app.py"],
            "The zip holds 'lib/app.py' and 'lib//./app.py', the same file. Create the zip again with each file once.",
        ),
        (
            [unicodedata.normalize("NFC", "café.py"), unicodedata.normalize("NFD", "café.py")],
            "The zip holds 'café.py' and 'café.py', the same file. Create the zip again with each file once.",
        ),
        (
            ["lib", "lib/app.py"],
            (
                "The zip's entry 'lib' is a file, but other entries need a folder of that name. "
                "Create the zip again from the folder as it is on disk."
            ),
        ),
    ],
)
def test_two_entries_for_one_file_are_refused(packages, names, message):
    data = zip_of(*((name, f"# {n}\n") for n, name in enumerate(names)))
    assert unicodedata.normalize("NFC", refusal(packages, data)) == unicodedata.normalize("NFC", message)


def test_an_encrypted_entry_is_refused(packages):
    data = patched(zip_of(("secret.py", HELLO)), flags=0x1)
    assert refusal(packages, data) == "The zip's entry 'secret.py' is encrypted. Create the zip without a password."


def test_an_entry_compressed_with_an_unreadable_method_is_refused(packages):
    data = patched(zip_of(("app.py", HELLO)), method=9)
    assert refusal(packages, data) == (
        "The zip's entry 'app.py' is compressed with Deflate64, which this console cannot unzip. "
        "Create the zip again with ordinary Deflate compression (zip -r, or your tool's default)."
    )


UPLOAD = "Upload the deployment package: a .zip of your code and its dependencies."


def test_an_empty_file_is_refused(packages):
    assert refusal(packages, b"") == f"The file is empty (0 bytes), not a zip. {UPLOAD}"


def test_a_file_that_is_not_a_zip_is_refused(packages):
    assert refusal(packages, HELLO.encode()) == f"Not a zip file. {UPLOAD}"


def test_a_zip_without_files_is_refused(packages):
    assert refusal(packages, zip_of(("lib/", ""))) == (
        "The zip holds no files. Zip your function's code, with the handler's file at the top."
    )


def test_a_truncated_zip_is_refused(packages):
    whole = zip_of(("app.py", HELLO), ("data.bin", os.urandom(5000)))
    half = whole[: len(whole) // 2]
    assert refusal(packages, half) == (
        f"Truncated zip file ({len(half):,} bytes, ending before the zip's table of contents). "
        "The upload or copy was cut short: create or download the zip again and send the whole file."
    )


def test_a_damaged_zip_is_refused(packages):
    data = zip_of(("app.py", "def handler(event, context):\n    return 1\n"), method=zipfile.ZIP_STORED)
    damaged = data.replace(b"return 1", b"return 2")
    assert refusal(packages, damaged) == "Damaged zip file (Bad CRC-32 for file 'app.py'). Create the zip again."


def test_a_zip_over_the_upload_limit_is_refused(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages", max_zip_bytes=10_000)
    data = zip_of(("data.bin", os.urandom(20_000)))
    assert refusal(packages, data) == (
        f"The zip is {len(data):,} bytes, more than the 10,000-byte (9.8 KB) limit for an uploaded package "
        "(this console's limit). Make it smaller: leave out what the function does not need (tests, documentation, "
        "and boto3, which the runtime provides)."
    )


def test_a_stream_over_the_upload_limit_is_not_read_to_its_end(store, tmp_path):
    class Endless(io.RawIOBase):
        """An upload that never ends: refusing it must not wait for its end."""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            buffer[:] = bytes(len(buffer))
            return len(buffer)

    packages = PackageStore(store, tmp_path / "packages", max_zip_bytes=3 * 1024 * 1024)
    with pytest.raises(PackageError) as caught:
        packages.add(io.BufferedReader(Endless()), "endless.zip")
    assert str(caught.value).startswith(
        "The zip is larger than the 3,145,728-byte (3 MB) limit for an uploaded package (this console's limit). "
    )
    assert leftovers(packages) == []


def test_a_zip_over_the_unzipped_limit_is_refused(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages", max_unzipped_bytes=10_000)
    data = zip_of(("app.py", HELLO), ("data.bin", os.urandom(20_000)))
    unzipped = len(HELLO) + 20_000
    assert refusal(packages, data) == (
        f"The package unzips to {unzipped:,} bytes, more than the 10,000-byte limit for unzipped code "
        "(this console's limit). Leave large files out of the package (tests, documentation, and boto3, which the "
        "runtime provides)."
    )


def test_headers_that_understate_the_size_do_not_get_more_past_the_limit(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages", max_unzipped_bytes=10_000)
    real = zip_of(("data.bin", os.urandom(20_000)), method=zipfile.ZIP_STORED)
    # The central directory says 100 bytes; the entry holds 20,000.
    raw = bytearray(real)
    central = raw.index(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (100).to_bytes(4, "little")
    message = refusal(packages, bytes(raw))
    assert message == "Damaged zip file (Bad CRC-32 for file 'data.bin'). Create the zip again."


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """300 MB of zeros, deflated to a few hundred kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", HELLO)
        with archive.open("zeros.bin", "w") as out:
            megabyte = bytes(1024 * 1024)
            for _ in range(300):
                out.write(megabyte)
    return buffer.getvalue()


def test_a_zip_bomb_entry_is_refused_before_anything_is_unzipped(packages, bomb):
    message = refusal(packages, bomb)
    assert re.fullmatch(
        r"The zip's entry 'zeros\.bin' unzips from [\d.]+ KB to 300 MB \([\d,]+:1\), more than the 100:1 allowed "
        r"for a file over 1 MB, which makes it look like a zip bomb\. If the file is real, leave it out of the "
        r"package and create it in /tmp when the function starts\.",
        message,
    ), message


def test_many_small_bombs_together_are_refused(packages):
    # Each entry stays at 1 MB (not over), so only the package's total ratio gives it away.
    data = zip_of(*((f"zeros{n}.bin", bytes(1024 * 1024)) for n in range(20)))
    message = refusal(packages, data)
    assert re.fullmatch(
        r"The zip unzips from [\d.]+ KB to 20 MB in all \([\d,]+:1\), more than the 100:1 allowed for a package over "
        r"10 MB, which makes it look like a zip bomb\. Create the zip again from the package's real files\.",
        message,
    ), message


def test_real_files_that_compress_well_are_accepted(packages):
    # Source code compresses about 5:1; a megabyte of it is no bomb.
    source = "".join(f"def function_{n}(event, context):\n    return {n}\n\n\n" for n in range(20_000))
    package = packages.add(zip_of(("app.py", source)))
    assert (package.code_dir / "app.py").read_text() == source


# -- storing ------------------------------------------------------------------------------------------------------


def test_a_package_is_stored_once_by_sha256_and_unpacked_read_only(packages):
    data = zip_of(
        ("hello_python.py", HELLO),
        (entry("bin/run.sh", stat.S_IFREG | 0o755), "#!/bin/sh\necho hi\n"),
        (entry("lib/data.json", stat.S_IFREG | 0o666), '{"a": 1}'),
        ("docs/", ""),
    )
    package = packages.add(data, "C:\\Users\\ada\\hello.zip")
    digest = hashlib.sha256(data).digest()
    assert package.sha256 == digest.hex()
    assert package.code_sha256 == base64.b64encode(digest).decode()  # Lambda's CodeSha256
    assert (package.size, package.files, package.filename) == (len(data), 3, "hello.zip")
    assert package.unzipped_size == len(HELLO) + len("#!/bin/sh\necho hi\n") + len('{"a": 1}')
    assert package.used_by == ()
    assert datetime.fromisoformat(package.created_at.replace("Z", "+00:00")).utcoffset().total_seconds() == 0
    assert package.zip_path == packages.root / "zips" / f"{package.sha256}.zip"
    assert package.zip_path.read_bytes() == data
    assert package.code_dir == packages.root / "code" / package.sha256
    assert (package.code_dir / "hello_python.py").read_text() == HELLO
    modes = {
        path.relative_to(package.code_dir).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [package.code_dir, *package.code_dir.rglob("*")]
    }
    # Read-only like Lambda's /var/task; the execute bit of a script is kept.
    assert modes == {
        ".": 0o555,
        "hello_python.py": 0o444,
        "bin": 0o555,
        "bin/run.sh": 0o555,
        "lib": 0o555,
        "lib/data.json": 0o444,
        "docs": 0o555,
    }
    assert packages.get(package.sha256) == package
    assert leftovers(packages) == [f"code/{package.sha256}", f"zips/{package.sha256}.zip"]


def test_the_same_zip_twice_is_one_package(packages):
    data = zip_of(("hello_python.py", HELLO))
    first = packages.add(data, "first.zip")
    again = packages.add(io.BytesIO(data), "second.zip")
    assert again == first and again.filename == "first.zip"
    assert packages.all() == [first]
    assert len(leftovers(packages)) == 2


def test_the_same_zip_from_many_threads_at_once_is_one_package(packages):
    data = zip_of(*((f"module{n}.py", HELLO) for n in range(200)))
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(packages.add(data))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 6
    assert packages.all() == [results[0]]
    assert len(leftovers(packages)) == 2


def test_unpack_zip_without_a_store_keeps_files_writable(tmp_path):
    data = tmp_path / "p.zip"
    data.write_bytes(zip_of(("app.py", HELLO), (entry("run.sh", stat.S_IFREG | 0o700), "#!/bin/sh\n")))
    into = tmp_path / "code"
    into.mkdir()
    assert check_zip(data).files == 2
    contents = unpack_zip(data, into)
    assert (contents.files, contents.unzipped_size) == (2, len(HELLO) + len("#!/bin/sh\n"))
    assert stat.S_IMODE((into / "app.py").stat().st_mode) == 0o644
    assert stat.S_IMODE((into / "run.sh").stat().st_mode) == 0o755


# -- listing, use, deletion ---------------------------------------------------------------------------------------


def test_list_is_newest_first_and_says_which_functions_use_each_package(packages, store):
    functions = FunctionStore(store)
    old = packages.add(zip_of(("app.py", "def handler(event, context):\n    return 'old'\n")), "old.zip")
    new = packages.add(zip_of(("app.py", "def handler(event, context):\n    return 'new'\n")), "new.zip")
    unused = packages.add(zip_of(("app.py", "def handler(event, context):\n    return 'unused'\n")), "unused.zip")
    functions.create("hello", old.sha256, "app.handler")
    functions.publish("hello")  # hello:1 runs the old code
    functions.update_code("hello", new.sha256)
    functions.create("other", old.sha256, "app.handler")
    listed = packages.all()
    assert [p.filename for p in listed] == ["unused.zip", "new.zip", "old.zip"]
    assert {p.filename: p.used_by for p in listed} == {
        "unused.zip": (),
        "new.zip": ("hello",),
        "old.zip": ("hello:1", "other"),
    }
    assert packages.get(old.sha256).used_by == ("hello:1", "other")
    assert unused.used_by == ()


def test_a_package_in_use_is_not_deleted(packages, store):
    functions = FunctionStore(store)
    package = packages.add(zip_of(("app.py", HELLO)))
    functions.create("hello", package.sha256, "app.my_handler")
    functions.publish("hello")
    with pytest.raises(PackageInUse) as caught:
        packages.delete(package.sha256)
    assert str(caught.value) == (
        f"The package {package.sha256[:12]} is used by hello, hello:1. "
        "Delete those functions, or give them other code, before deleting the package."
    )
    assert packages.get(package.sha256).code_dir.is_dir()
    functions.delete("hello")
    packages.delete(package.sha256)
    assert packages.all() == [] and leftovers(packages) == []


def test_deleting_removes_the_row_and_the_read_only_files(packages):
    keep = packages.add(zip_of(("keep.py", HELLO)))
    gone = packages.add(zip_of(("lib/app.py", HELLO), ("lib/deeper/more.py", HELLO)))
    packages.delete(gone.sha256)
    assert packages.all() == [keep]
    assert leftovers(packages) == [f"code/{keep.sha256}", f"zips/{keep.sha256}.zip"]
    with pytest.raises(PackageNotFound) as caught:
        packages.get(gone.sha256)
    assert str(caught.value) == f"No stored package has the SHA-256 {gone.sha256}. Upload the package first."
    with pytest.raises(PackageNotFound):
        packages.delete(gone.sha256)
    with pytest.raises(PackageNotFound):
        packages.get("not-a-sha")


# -- recovery -----------------------------------------------------------------------------------------------------


def make_read_only_tree(folder: Path) -> None:
    (folder / "inner").mkdir(parents=True)
    (folder / "inner" / "app.py").write_text(HELLO)
    for path in (folder / "inner" / "app.py", folder / "inner", folder):
        path.chmod(0o555)


def test_opening_the_store_removes_what_an_interrupted_upload_left(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages")
    kept = packages.add(zip_of(("app.py", HELLO)))
    packages.close()
    orphan = "0" * 64
    (tmp_path / "packages/zips/.tmp-upload.zip").write_bytes(b"PK\x03\x04 half an upload")
    make_read_only_tree(tmp_path / "packages/code/.tmp-unzipping")
    make_read_only_tree(tmp_path / "packages/code" / orphan)  # unzipped and renamed, but its zip never was
    (tmp_path / "packages/code/notes.txt").write_text("not the store's: left alone")

    reopened = PackageStore(store, tmp_path / "packages")
    assert reopened.all() == [kept]
    assert leftovers(reopened) == [f"code/{kept.sha256}", "code/notes.txt", f"zips/{kept.sha256}.zip"]
    reopened.close()


def test_a_stored_zip_the_database_does_not_list_is_recorded_again_not_deleted(store, tmp_path):
    data = zip_of(("lib/app.py", HELLO))
    sha256 = hashlib.sha256(data).hexdigest()
    (tmp_path / "packages/zips").mkdir(parents=True)
    (tmp_path / "packages/zips" / f"{sha256}.zip").write_bytes(data)  # the only copy; no row, no code folder
    wrong = "1" * 64
    (tmp_path / "packages/zips" / f"{wrong}.zip").write_bytes(b"PK not what its name says")

    packages = PackageStore(store, tmp_path / "packages")
    [package] = packages.all()
    assert (package.sha256, package.size, package.files) == (sha256, len(data), 1)
    assert (package.code_dir / "lib" / "app.py").read_text() == HELLO
    assert packages.recorded_again == (sha256,)
    # A zip whose bytes do not match its name is not the store's to judge: it stays, unrecorded.
    assert (tmp_path / "packages/zips" / f"{wrong}.zip").read_bytes() == b"PK not what its name says"
    packages.close()


def test_a_deleted_package_killed_before_its_files_went_is_not_recorded_again(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages")
    package = packages.add(zip_of(("app.py", HELLO)))
    packages.close()
    # What a kill right after the deletion's commit leaves: no row, the mark, the files under their final names.
    with store.write() as conn:
        conn.execute("DELETE FROM packages")
        conn.execute("INSERT INTO meta (key, value) VALUES (?, 'now')", (f"deleting-package:{package.sha256}",))

    reopened = PackageStore(store, tmp_path / "packages")
    assert reopened.all() == [] and leftovers(reopened) == []
    assert store.get_meta(f"deleting-package:{package.sha256}") is None
    reopened.close()


def test_a_missing_code_folder_is_unzipped_again_from_the_stored_zip(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages")
    package = packages.add(zip_of(("lib/app.py", HELLO)))
    packages.close()
    for folder in (package.code_dir / "lib", package.code_dir):
        folder.chmod(0o755)
    (package.code_dir / "lib" / "app.py").unlink()
    (package.code_dir / "lib").rmdir()
    package.code_dir.rmdir()

    reopened = PackageStore(store, tmp_path / "packages")
    assert (package.code_dir / "lib" / "app.py").read_text() == HELLO
    assert stat.S_IMODE(package.code_dir.stat().st_mode) == 0o555
    reopened.close()


def test_a_store_opened_beside_a_live_one_leaves_its_work_in_progress_alone(store, tmp_path):
    first = PackageStore(store, tmp_path / "packages")
    in_progress = tmp_path / "packages/zips/.tmp-receiving.zip"
    in_progress.write_bytes(b"PK\x03\x04 arriving")
    second = PackageStore(Store(tmp_path / "lambda-console.sqlite3"), tmp_path / "packages")
    assert in_progress.exists()  # the first store may still be writing it
    first.close()
    second.close()
    third = PackageStore(store, tmp_path / "packages")
    assert not in_progress.exists()
    third.close()


# -- killed at any moment ---------------------------------------------------------------------------------------

# The uploader: a real process that opens the store and adds the zip it reads from stdin, as a web request would;
# or, given a SHA-256, deletes that package once stdin closes.
UPLOADER = """
import sys
from pathlib import Path
from console.core.packages import PackageStore
from console.core.store import Store

root = Path(sys.argv[1])
packages = PackageStore(Store(root / "lambda-console.sqlite3"), root / "packages")
print("open", flush=True)
if len(sys.argv) > 2:
    sys.stdin.buffer.read()
    packages.delete(sys.argv[2])
    print("deleted", flush=True)
else:
    package = packages.add(sys.stdin.buffer, "big.zip")
    print("stored", package.sha256, flush=True)
"""


@pytest.fixture(scope="module")
def big_zip() -> bytes:
    """8 MB in 2,000 files: big enough that receiving, unzipping and removing it take a while."""
    return zip_of(
        *((f"lib/part{n // 100}/module{n}.py", os.urandom(4096)) for n in range(2000)), method=zipfile.ZIP_STORED
    )


class Uploader:
    """The uploader process, and what it has left on disk so far."""

    def __init__(self, root: Path, *delete: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-c", UPLOADER, str(root), *delete], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdout.readline() == b"open\n"  # the store is open; now it waits for the zip

    def send(self, data: bytes, *, close: bool = True) -> None:
        """Write to its stdin from a thread: a pipe takes only so much before the reader catches up."""

        def write() -> None:
            try:
                self.process.stdin.write(data)
                if close:
                    self.process.stdin.close()
            except (BrokenPipeError, ValueError):
                pass  # killed before it read everything

        threading.Thread(target=write, daemon=True).start()

    def files(self, folder: str) -> list[str]:
        return sorted(child.name for child in (self.root / "packages" / folder).iterdir())

    def temporary(self, folder: str, prefix: str = ".tmp-") -> list[Path]:
        return [self.root / "packages" / folder / name for name in self.files(folder) if name.startswith(prefix)]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except BrokenPipeError:
                pass


def unzipping(uploader: Uploader) -> bool:
    """Whether unzipped files are appearing in a temporary code folder, which may be renamed into place meanwhile."""
    try:
        return any(any(folder.rglob("*.py")) for folder in uploader.temporary("code"))
    except FileNotFoundError:
        return False


def wait_until(condition, what: str) -> None:
    """Poll for a state of the uploader. The deadline only keeps a broken test from hanging; nothing is timed."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.0005)


class DatabaseLock:
    """The database's write lock, held by the test so that the uploader cannot record its package yet."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def assert_consistent(root: Path, expected: set[str], zips: dict[str, bytes]) -> None:
    """Reopened, the store lists exactly the complete packages, with their files, and nothing else is left."""
    packages = PackageStore(Store(root / "lambda-console.sqlite3"), root / "packages")
    try:
        listed = packages.all()
        assert {p.sha256 for p in listed} == expected
        for package in listed:
            data = package.zip_path.read_bytes()
            assert hashlib.sha256(data).hexdigest() == package.sha256 and data == zips[package.sha256]
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for info in archive.infolist():
                    assert (package.code_dir / info.filename).read_bytes() == archive.read(info)
            unzipped = sorted(p.relative_to(package.code_dir).as_posix() for p in package.code_dir.rglob("*.py"))
            assert unzipped == sorted(i.filename for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
        assert leftovers(packages) == sorted(
            [f"code/{sha}" for sha in expected] + [f"zips/{sha}.zip" for sha in expected]
        )
    finally:
        packages.close()


def test_killed_at_any_moment_the_reopened_store_is_consistent(tmp_path, big_zip):
    big_sha = hashlib.sha256(big_zip).hexdigest()
    small = zip_of(("app.py", HELLO))
    store = Store(tmp_path / "lambda-console.sqlite3")
    first = PackageStore(store, tmp_path / "packages")
    small_sha = first.add(small).sha256
    first.close()
    store.close()
    zips = {small_sha: small, big_sha: big_zip}

    # 1. Receiving: half the zip has arrived, the rest never will.
    uploader = Uploader(tmp_path)
    uploader.send(big_zip[: len(big_zip) // 2], close=False)
    wait_until(lambda: any(p.stat().st_size for p in uploader.temporary("zips")), "part of the upload on disk")
    uploader.kill()
    assert len(uploader.temporary("zips")) == 1 and uploader.files("code") == [small_sha]
    assert_consistent(tmp_path, {small_sha}, zips)

    # 2. Unzipping: files are appearing in a temporary folder. The test holds the database, so the uploader cannot
    # get further than renaming; it is frozen (SIGSTOP) to see where it was, then killed.
    for _attempt in range(3):
        uploader = Uploader(tmp_path)
        lock = DatabaseLock(tmp_path / "lambda-console.sqlite3")
        uploader.send(big_zip)
        wait_until(lambda u=uploader: unzipping(u) or big_sha in u.files("code"), "files unzipped")
        uploader.process.send_signal(signal.SIGSTOP)
        caught_unzipping = big_sha not in uploader.files("code")
        left = uploader.temporary("zips"), uploader.temporary("code")
        uploader.kill()
        lock.release()
        assert_consistent(tmp_path, {small_sha}, zips)
        if caught_unzipping:
            break  # else it had finished unzipping before the test looked: try again
    assert caught_unzipping and len(left[0]) == 1 and len(left[1]) == 1

    # 3. Unzipped and renamed into place, waiting for the database to record it.
    uploader = Uploader(tmp_path)
    lock = DatabaseLock(tmp_path / "lambda-console.sqlite3")
    uploader.send(big_zip)
    wait_until(lambda: big_sha in uploader.files("code") and f"{big_sha}.zip" in uploader.files("zips"), "renames")
    uploader.kill()
    lock.release()
    assert uploader.files("code") == sorted([small_sha, big_sha])  # complete files, but no row
    # The zip may be the only copy of the package (the database may be the one lost): it is recorded again.
    assert_consistent(tmp_path, {small_sha, big_sha}, zips)

    # 4. Recorded: the package is complete and stays.
    uploader = Uploader(tmp_path)
    uploader.send(big_zip)
    assert uploader.process.stdout.readline() == f"stored {big_sha}\n".encode()
    uploader.kill()
    assert_consistent(tmp_path, {small_sha, big_sha}, zips)

    # 5. Deleting: the row is gone and the files are being removed, out of their final names first.
    for _attempt in range(3):
        uploader = Uploader(tmp_path, big_sha)
        uploader.send(b"")
        wait_until(lambda u=uploader: u.temporary("code", ".tmp-deleted-") or u.process.poll() is not None,
                   "the files being removed")
        uploader.process.send_signal(signal.SIGSTOP)
        code = uploader.files("code"), uploader.temporary("code", ".tmp-deleted-")
        caught_removing = bool(code[1])
        uploader.kill()
        assert_consistent(tmp_path, {small_sha}, zips)
        if caught_removing:
            break
        # It had removed everything before the test looked: store the package again and try again.
        uploader = Uploader(tmp_path)
        uploader.send(big_zip)
        assert uploader.process.stdout.readline() == f"stored {big_sha}\n".encode()
        uploader.kill()
    assert caught_removing and code[0] == sorted([small_sha, *(p.name for p in code[1])])
