"""A function's code as files to read: which files are listed, which paths are refused, what is not shown."""

from __future__ import annotations

import os

import pytest

from console.core.code_files import CodePathError, handler_file, list_files, read_file


def test_the_handlers_file_is_listed_first_and_caches_are_not(tmp_path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "service.py").write_text("def handler(event, context): pass\n")
    (tmp_path / "a.py").write_text("A = 1\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref\n")
    assert handler_file("pkg.service.handler") == "pkg/service.py"
    assert [f.path for f in list_files(tmp_path, "pkg.service.handler")] == ["pkg/service.py", "a.py"]
    assert [f.path for f in list_files(tmp_path, "missing.handler")] == ["a.py", "pkg/service.py"]


@pytest.mark.parametrize("path", ["../secret.py", "pkg/../../secret.py", "/etc/passwd", "..\\secret.py", "C:/x.py"])
def test_paths_that_leave_the_code_are_refused(tmp_path, path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (tmp_path / "secret.py").write_text("KEY = 'x'\n")
    with pytest.raises(CodePathError, match="leaves the function's code"):
        read_file(code, path)


def test_a_link_to_a_folder_outside_is_not_followed(tmp_path) -> None:
    code = tmp_path / "code"
    code.mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.py").write_text("KEY = 'x'\n")
    os.symlink(tmp_path / "outside", code / "linked")
    with pytest.raises(CodePathError, match="has no file linked/secret.py"):
        read_file(code, "linked/secret.py")


def test_text_binary_and_large_files(tmp_path) -> None:
    (tmp_path / "app.py").write_text("print('héllo')\n", encoding="utf-8")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9")
    (tmp_path / "big.json").write_text("1" * (256 * 1024 + 1))
    assert read_file(tmp_path, "./app.py").text == "print('héllo')\n"
    assert read_file(tmp_path, "logo.png").reason == "logo.png is a binary file (10 bytes): it is not shown."
    assert read_file(tmp_path, "latin.txt").reason == "latin.txt is not UTF-8 text (4 bytes): it is not shown."
    big = read_file(tmp_path, "big.json")
    assert big.text is None and big.reason.startswith("big.json is 262,145 bytes, too large to show here")
