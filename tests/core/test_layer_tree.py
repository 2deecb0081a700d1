"""Layers merged into one folder as Lambda unpacks them into /opt: real files, links and permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from console.core.layer_tree import LayerTrees


def folder(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def read_tree(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


def test_later_files_replace_earlier_ones_and_folders_merge(tmp_path: Path) -> None:
    first = folder(tmp_path / "first", {"python/a.py": "first a", "python/pkg/one.py": "1", "bin/tool": "first",
                                        "data": "a file"})
    second = folder(tmp_path / "second", {"python/a.py": "second a", "python/pkg/two.py": "2",
                                          "data/inside": "a folder now"})
    trees = LayerTrees(tmp_path / "merged")
    merged = trees.merged([first, second])
    assert read_tree(merged) == {"bin/tool": "first", "data/inside": "a folder now", "python/a.py": "second a",
                                 "python/pkg/one.py": "1", "python/pkg/two.py": "2"}
    assert os.path.samefile(merged / "python/a.py", second / "python/a.py")  # a link, not a copy
    assert trees.merged([first, second]) == merged  # built once, then reused
    reversed_order = trees.merged([second, first])
    assert reversed_order != merged
    assert read_tree(reversed_order)["python/a.py"] == "first a"
    assert read_tree(reversed_order)["data"] == "a file"  # the later file replaced the earlier folder
    assert trees.merged([first]) == first  # one layer needs no merging


def test_the_merged_tree_is_read_only_and_forgotten_with_its_package(tmp_path: Path) -> None:
    first = folder(tmp_path / "first", {"python/a.py": "a"})
    second = folder(tmp_path / "second", {"python/b.py": "b"})
    third = folder(tmp_path / "third", {"python/c.py": "c"})
    trees = LayerTrees(tmp_path / "merged")
    merged, other = trees.merged([first, second]), trees.merged([third, second])
    assert (merged.stat().st_mode & 0o777) == 0o555 and ((merged / "python").stat().st_mode & 0o777) == 0o555
    if os.geteuid() != 0:  # root writes anywhere
        with pytest.raises(PermissionError):
            (merged / "python" / "new.py").write_text("")
    trees.forget(first)
    assert not merged.exists() and other.is_dir()
    assert sorted(p.name for p in (tmp_path / "merged").iterdir()) == sorted([other.name, other.name + ".sources"])
