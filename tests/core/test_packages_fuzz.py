"""Random and malicious zips against the package checks: a clear refusal or a clean package, never anything else,
and never a byte written outside the store's folder."""

from __future__ import annotations

import io
import os
import stat
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from console.core.packages import PackageError, PackageStore
from console.core.store import Store

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Names a hostile zip might hold: climbing out, absolute, Windows forms, odd characters, empty parts.
_PARTS = st.sampled_from(["..", ".", "", "a", "b.py", "app.py", "..\\x", "C:", "C:\\x", "\\\\srv", "/", "~", "é",
                          "CON", "a" * 300, "\x00", "x\ny", " ", "%2e%2e"])
NAMES = st.one_of(
    st.lists(_PARTS, min_size=1, max_size=4).map("/".join),
    st.text(min_size=1, max_size=40),
    st.sampled_from(["../evil.py", "/etc/evil.py", "a/../../evil.py", "./app.py", "a//b.py", "\\evil.py"]),
)
# Unix mode bits in external_attr: regular files, folders, links, devices, fifos, sockets, setuid.
MODES = st.sampled_from([0o100644, 0o100755, 0o040755, 0o120777, 0o020644, 0o060644, 0o010644, 0o140644, 0o104755, 0])
ENTRIES = st.lists(
    st.tuples(NAMES, MODES, st.binary(max_size=2048), st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])),
    min_size=1,
    max_size=6,
)


def _zip(entries: list[tuple[str, int, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore")  # duplicate names are on purpose
        for name, mode, data, method in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = method
            try:
                archive.writestr(info, data)
            except (ValueError, UnicodeEncodeError):
                continue  # a name zipfile itself cannot write
    return buffer.getvalue()


def _snapshot(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def _check_store(tmp_path: Path, data: bytes) -> PackageError | None:
    """Add `data` to a store inside tmp_path/data; assert the outcome is a refusal or a clean package."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    before = {p for p in _snapshot(tmp_path) if not p.startswith("data")}
    refusal = None
    store = Store(tmp_path / "data" / "db.sqlite3")
    packages = PackageStore(store, tmp_path / "data" / "packages", max_zip_bytes=1 << 20,
                            max_unzipped_bytes=4 << 20)
    try:
        try:
            package = packages.add(data)
        except PackageError as exc:
            assert str(exc).strip()  # a message a person can act on, not an empty refusal
            refusal = exc
        else:
            code = package.code_dir.resolve()
            for path in code.rglob("*"):
                assert not path.is_symlink()
                mode = path.lstat().st_mode
                assert stat.S_ISREG(mode) or stat.S_ISDIR(mode)
                assert path.resolve().is_relative_to(code)
                assert not mode & (stat.S_ISUID | stat.S_ISGID)
        after = {p for p in _snapshot(tmp_path) if not p.startswith("data")}
        assert after == before, f"written outside the data folder: {after - before}"
    finally:
        packages.close()
        store.close()
    return refusal


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_refused_cleanly(tmp_path, data):
    _check_store(tmp_path, data)


@FUZZ
@given(entries=ENTRIES)
def test_hostile_entries_are_refused_or_stored_safely(tmp_path, entries):
    _check_store(tmp_path, _zip(entries))


@FUZZ
@given(entries=ENTRIES, flips=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8))
# Found here: an unknown zip version, a name flagged UTF-8 that is not, an offset beyond the file.
@example(entries=[("00\x80", 0o100644, b"\x00" * 4, zipfile.ZIP_STORED)], flips=[(565114, 64)])
@example(entries=[("00\x80", 0o100644, b"\x00" * 4, zipfile.ZIP_STORED)], flips=[(137, 1)])
@example(entries=[("0", 0o100644, b"", zipfile.ZIP_STORED)], flips=[(95, 1)])
def test_damaged_zips_are_refused_or_stored_safely(tmp_path, entries, flips):
    data = bytearray(_zip(entries))
    for position, value in flips:
        if data:
            data[position % len(data)] = value
    _check_store(tmp_path, bytes(data))


def test_a_hostile_name_never_lands_outside(tmp_path):
    """The classic: an entry climbing out, beside a real file. Refused, and nothing outside is touched."""
    data = _zip([("app.py", 0o100644, b"x = 1\n", zipfile.ZIP_DEFLATED),
                 ("../../outside/pwned.py", 0o100644, b"owned\n", zipfile.ZIP_STORED)])
    refusal = _check_store(tmp_path, data)
    assert refusal is not None and "../../outside/pwned.py" in str(refusal)
    assert not any(path.name == "pwned.py" for path in tmp_path.rglob("*"))
    assert os.listdir(tmp_path / "outside") == []
