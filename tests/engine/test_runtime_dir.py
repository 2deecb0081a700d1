"""The workers' runtime library folder (Lambda's /var/runtime) is built once and shared by this user's consoles and
commands, and never taken from a folder someone else could have written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from console.engine import Engine
from console.engine.runtime_libs import RUNTIME_DISTRIBUTIONS, _cache_key

from .conftest import body

WHERE_AND_BOTO3 = """
import os
import boto3
def handler(event, context):
    return {"dir": os.environ["LAMBDA_RUNTIME_DIR"], "planted": getattr(boto3, "PLANTED", False)}
"""


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory of the test's own, as TMPDIR names it for the console."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_engines_share_the_runtime_folder_and_closing_one_keeps_it(no_sandbox, private_tmp, make_function):
    spec = make_function(WHERE_AND_BOTO3)
    first, second = Engine(), Engine()
    try:
        seen_first = body(first.invoke(spec))
        seen_second = body(second.invoke(spec))
        assert seen_first["dir"] == seen_second["dir"]
        assert Path(seen_first["dir"]).parent == private_tmp / f"lambda-console-{os.getuid()}"
        first.close()
        assert Path(seen_first["dir"]).is_dir()
        second.retire(spec.name)
        assert body(second.invoke(spec)) == seen_second  # a new worker still finds boto3 there
    finally:
        first.close()
        second.close()


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="making another user's folder needs root")
@pytest.mark.parametrize("planted_as", ["writable by everyone", "owned by another user"])
def test_a_runtime_folder_planted_by_another_local_user_is_not_used(private_tmp, make_function, planted_as):
    # Another user makes the folder first and puts a boto3 of theirs where the workers would import it.
    shared = private_tmp / f"lambda-console-{os.getuid()}"
    planted = shared / f"runtime-{_cache_key(RUNTIME_DISTRIBUTIONS)}"
    planted.mkdir(parents=True)
    (planted / "boto3.py").write_text("PLANTED = True\n")
    if planted_as == "writable by everyone":
        shared.chmod(0o777)
    else:
        shared.chmod(0o700)
        os.chown(shared, 65534, 65534)
    spec = make_function(WHERE_AND_BOTO3)
    with Engine() as engine:
        seen = body(engine.invoke(spec))
        assert seen["planted"] is False
        assert not Path(seen["dir"]).is_relative_to(shared)
        runtime = Path(seen["dir"])
    assert not runtime.exists()  # a folder made for one engine alone goes with it
