"""Handler discovery is done once per package and kept in the database, and bounded per file and per package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.discovery import MAX_FILE_BYTES, MAX_TOTAL_BYTES
from tests.zips import zip_bytes as make_zip

HANDLER = "def handler(event, context):\n    return 'hi'\n"


def generated(size: int) -> str:
    """Generated code as tools write it: many small top-level functions, `size` bytes or a little more."""
    lines, total, n = [], 0, 0
    while total < size:
        line = f"def f{n}(event, context):\n    return {n}\n"
        lines.append(line)
        total += len(line)
        n += 1
    return "".join(lines)




@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        yield console


def test_a_package_is_discovered_once_and_an_over_the_cap_file_is_reported_skipped(console):
    big = generated(MAX_FILE_BYTES + 1)
    package = console.upload_package(make_zip({"app.py": HANDLER, "gen/models.py": big}))

    first = console.discover_handlers(package.sha256)
    assert first.handlers == ("app.handler",)  # nothing from the generated file: it was not parsed
    assert first.skipped == ("gen/models.py: 256 KB, over the 256 KB read per file",)  # 256 KB and 43 bytes
    assert console.discoveries.stored(package.sha256) == first

    # The files are not read again: with the unpacked folder gone, the kept discovery still answers.
    moved = package.code_dir.with_name("moved-away")
    os.rename(package.code_dir, moved)
    try:
        assert console.discover_handlers(package.sha256) == first
    finally:
        os.rename(moved, package.code_dir)


def test_the_files_parsed_per_package_are_bounded(console):
    part = generated(MAX_FILE_BYTES - 1024)
    count = MAX_TOTAL_BYTES // len(part) + 2
    files = {"app.py": HANDLER, **{f"gen/part{n:02}.py": part for n in range(count)}}
    discovery = console.discover_handlers(console.upload_package(make_zip(files)).sha256)
    assert discovery.handlers[0] == "app.handler"
    past = [line for line in discovery.skipped if "past the 4 MB read per package" in line]
    assert past and len(past) < count  # the first files were read, the rest skipped and named
    assert past[-1].startswith(f"gen/part{count - 1:02}.py")


def test_a_deleted_package_takes_its_discovery_with_it(console):
    package = console.upload_package(make_zip({"app.py": HANDLER}))
    console.discover_handlers(package.sha256)
    console.packages.delete(package.sha256)
    assert console.discoveries.stored(package.sha256) is None
    assert console.store.query_one("SELECT count(*) FROM discoveries")[0] == 0


def test_the_configuration_page_names_the_files_not_read(tmp_path):
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "CONSOLE": {"load_samples": False}})
    try:
        console = app.extensions[EXTENSION]
        big = generated(2 * MAX_FILE_BYTES)
        package = console.upload_package(make_zip({"app.py": HANDLER, "gen/models.py": big}))
        page = app.test_client().get(f"/functions/new?package={package.sha256}").get_data(as_text=True)
        assert "Handlers found: <code>app.handler</code>" in page
        assert "Not read for handlers: gen/models.py: 512 KB, over the 256 KB read per file." in page
    finally:
        app.extensions[EXTENSION].close()
