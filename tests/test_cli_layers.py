"""`lambda-console layers`: the layer versions a data folder holds, as a table and as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from console.config import load_config
from console.core.console import Console
from tests.zips import zip_bytes


def lambda_console(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console", *map(str, args)], capture_output=True, text=True,
                          timeout=60, check=False)


def test_layers_lists_each_version_newest_first(tmp_path: Path) -> None:
    data = tmp_path / "data"
    empty = lambda_console("--data-dir", data, "layers")
    assert empty.returncode == 0 and empty.stdout.startswith("No layers yet.")
    with Console(load_config(data, {"load_samples": False})) as console:
        console.publish_layer_version("shared", zip_bytes({"python/a.py": ""}), description="first",
                                      compatible_runtimes=["python3.12"])
        console.publish_layer_version("shared", zip_bytes({"python/b.py": ""}), description="second")
    table = lambda_console("--data-dir", data, "layers")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "RUNTIMES", "SIZE", "DESCRIPTION"]
    assert [line.split()[:3] for line in lines[1:]] == [["shared", "2", "-"], ["shared", "1", "python3.12"]]
    listed = json.loads(lambda_console("--data-dir", data, "layers", "--json").stdout)
    assert [(v["version"], v["description"]) for v in listed] == [(2, "second"), (1, "first")]
    assert listed[0]["arn"] == "arn:aws:lambda:us-east-1:123456789012:layer:shared:2"
