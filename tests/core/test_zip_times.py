"""Unpacked files keep their zip entries' modification times, so that the .pyc files pip compiled stay valid in the
read-only code folder (else every cold start compiles the package again)."""

from __future__ import annotations

import json
import os
import py_compile
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from console.core.packages import PackageStore
from console.core.unzip import entry_mtime, unpack_zip

SOURCE = "def handler(event, context):\n    return 'hi'\n"


def extended_timestamp(mtime: int) -> bytes:
    """Info-ZIP's extended timestamp extra field with the modification time only, as the zip tool writes it."""
    return struct.pack("<HHBi", 0x5455, 5, 1, mtime)


def zip_folder_keeping_times(folder: Path, zip_path: Path) -> Path:
    """Zip as the zip tool does on Unix: DOS time (local, 2-second steps) plus the exact time in an extra field."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            info = zipfile.ZipInfo.from_file(path, path.relative_to(folder).as_posix())
            info.extra = extended_timestamp(int(path.stat().st_mtime))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, b"" if path.is_dir() else path.read_bytes())
    return zip_path


def test_files_and_folders_get_the_times_their_entries_record(tmp_path):
    zip_path = tmp_path / "p.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("lib/", (2019, 3, 4, 5, 6, 8)), b"")
        archive.writestr(zipfile.ZipInfo("lib/old.py", (2020, 5, 17, 10, 30, 44)), SOURCE)  # DOS time only
        exact = zipfile.ZipInfo("lib/exact.py", (2021, 1, 1, 0, 0, 0))
        exact.extra = extended_timestamp(1_700_000_001)  # an odd second, which DOS time cannot hold
        archive.writestr(exact, SOURCE)
    unpack_zip(zip_path, tmp_path / "code", read_only=True)

    code = tmp_path / "code"
    assert os.stat(code / "lib/old.py").st_mtime == time.mktime((2020, 5, 17, 10, 30, 44, 0, 0, -1))
    assert os.stat(code / "lib/exact.py").st_mtime == 1_700_000_001
    assert os.stat(code / "lib").st_mtime == time.mktime((2019, 3, 4, 5, 6, 8, 0, 0, -1))
    with zipfile.ZipFile(zip_path) as archive:
        assert entry_mtime(archive.getinfo("lib/exact.py")) == 1_700_000_001


def make_compiled_package(tmp_path: Path) -> Path:
    """A module and the .pyc compiled for it (as pip leaves them), zipped with their times."""
    folder = tmp_path / "src"
    folder.mkdir()
    module = folder / "app.py"
    module.write_text(SOURCE)
    os.utime(module, (1_700_000_003, 1_700_000_003))
    py_compile.compile(str(module), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    return zip_folder_keeping_times(folder, tmp_path / "app.zip")


def test_a_stored_package_keeps_its_compiled_files_valid(store, tmp_path):
    packages = PackageStore(store, tmp_path / "packages")
    with open(make_compiled_package(tmp_path), "rb") as file:
        package = packages.add(file)
    packages.close()
    # Python says whether the .pyc matches its source when it imports it verbosely; the folder is read-only, so a
    # stale one would be compiled again in memory on every start.
    imported = subprocess.run([sys.executable, "-v", "-c", "import app"], cwd=package.code_dir, capture_output=True,
                              text=True, check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""})
    assert f"{package.code_dir}/__pycache__/app.{sys.implementation.cache_tag}.pyc matches" in imported.stderr


def test_the_command_line_invoke_of_a_zip_keeps_the_times(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text(
        "import os, struct, sys\n"
        "def handler(event, context):\n"
        "    pyc = os.path.join(os.path.dirname(__file__), '__pycache__', f'app.{sys.implementation.cache_tag}.pyc')\n"
        "    with open(pyc, 'rb') as f:\n"
        "        recorded = struct.unpack('<I', f.read(12)[8:12])[0]\n"
        "    return {'mtime': os.stat(__file__).st_mtime, 'pyc_matches': recorded == int(os.stat(__file__).st_mtime)}\n"
    )
    os.utime(folder / "app.py", (1_700_000_005, 1_700_000_005))
    py_compile.compile(str(folder / "app.py"), doraise=True)
    zip_path = zip_folder_keeping_times(folder, tmp_path / "app.zip")
    done = subprocess.run([sys.executable, "-m", "console", "invoke", str(zip_path), "--handler", "app.handler"],
                          capture_output=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout) == {"mtime": 1_700_000_005, "pyc_matches": True}
