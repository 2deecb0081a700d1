"""Folder functions named in config.json, seen through the REST API by real boto3 against a live `serve`."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.request
import zipfile
from pathlib import Path

import botocore.exceptions
import pytest

from tests.api.conftest import boto3_client
from tests.conftest import LiveServer
from tests.wheels import LinkServer, make_wheel

USES_DEP = "import tinydep\n\ndef handler(event, context):\n    return {'value': tinydep.VALUE, 'event': event}\n"


@pytest.fixture
def links(tmp_path: Path):
    make_wheel(tmp_path / "wheels")
    server = LinkServer(tmp_path / "wheels")
    yield server
    server.close()


def test_requirements_install_as_boto3_waits_for_it(tmp_path, links):
    folders = {"with-deps": links.requirements("tinydep==1.0"), "bad-deps": links.requirements("nosuchpkg==1.0"),
               "plain": None}
    for name, requirements in folders.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "app.py").write_text(USES_DEP if requirements else "def handler(e, c):\n    return 'plain'\n")
        if requirements:
            (folder / "requirements.txt").write_text(requirements)
    data = tmp_path / "data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"load_samples": False, "functions": [
        {"name": "with-deps", "code": str(tmp_path / "with-deps"), "handler": "app.handler", "timeout": 30},
        {"name": "bad-deps", "code": str(tmp_path / "bad-deps"), "handler": "app.handler"},
        {"name": "plain", "code": "../plain", "handler": "app.handler", "memory": 256},  # relative to the data folder
    ]}))
    server = LiveServer(data)
    try:
        lam = boto3_client(server.url)
        # pip waits on the link page, which answers only when the test lets it: the function is Pending until then.
        configuration = lam.get_function(FunctionName="with-deps")["Configuration"]
        assert (configuration["State"], configuration["LastUpdateStatus"]) == ("Pending", "InProgress")
        assert configuration["CodeSize"] > 0 and configuration["CodeSha256"]
        with pytest.raises(lam.exceptions.ResourceConflictException) as refused:
            lam.invoke(FunctionName="with-deps", Payload=b"{}")
        assert refused.value.response["Error"]["Message"] == (
            "The operation cannot be performed at this time. The function is currently in the following state: Pending")

        links.gate.set()
        lam.get_waiter("function_active_v2").wait(FunctionName="with-deps", WaiterConfig={"Delay": 1})
        answer = lam.invoke(FunctionName="with-deps", Payload=b'{"n": 1}')
        assert json.loads(answer["Payload"].read()) == {"value": "from tinydep", "event": {"n": 1}}

        with pytest.raises(botocore.exceptions.WaiterError):
            lam.get_waiter("function_active_v2").wait(FunctionName="bad-deps", WaiterConfig={"Delay": 1})
        failed = lam.get_function(FunctionName="bad-deps")["Configuration"]
        assert (failed["State"], failed["LastUpdateStatus"]) == ("Failed", "Failed")
        assert "No matching distribution found for nosuchpkg" in failed["StateReason"]

        got = lam.get_function(FunctionName="plain")
        plain = got["Configuration"]
        with urllib.request.urlopen(got["Code"]["Location"]) as download:
            data = download.read()
        assert base64.b64encode(hashlib.sha256(data).digest()).decode() == plain["CodeSha256"]
        assert len(data) == plain["CodeSize"]
        assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["app.py"]
        assert (plain["State"], plain["MemorySize"], plain["Handler"]) == ("Active", 256, "app.handler")
        assert json.loads(lam.invoke(FunctionName="plain", Payload=b"{}")["Payload"].read()) == "plain"
        listed = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
        assert set(listed) == {"with-deps", "bad-deps", "plain"}
        assert listed["plain"]["CodeSha256"] == plain["CodeSha256"]
    finally:
        server.stop()


def test_a_bad_config_function_stops_the_start_with_a_clear_message(tmp_path):
    import subprocess
    import sys

    data = tmp_path / "data"
    data.mkdir()
    (data / "config.json").write_text(json.dumps({"functions": [
        {"name": "ghost", "code": str(tmp_path / "nowhere"), "handler": "app.handler"}]}))
    done = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(data), "functions"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "functions[0] ('ghost')" in done.stderr and "does not exist" in done.stderr
    assert "Traceback" not in done.stderr
