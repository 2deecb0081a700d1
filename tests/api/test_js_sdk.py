"""The AWS SDK for JavaScript v3 (`@aws-sdk/client-lambda` from npm, tests/api/js) driven by Node.js against a live
console: create with settings and tags, the Active waiter, Invoke with the log tail, InvokeWithResponseStream's
events, UpdateFunctionConfiguration, PublishVersion, EventInvokeConfig, ListTags, the ListFunctions paginator and
DeleteFunction, each answer read by the SDK's own deserializers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.conftest import ECHO_ZIP, unique

JS = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """tests/api/js with its npm dependencies installed (CI installs them; a checkout gets them here once)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are not installed")
    if not (JS / "node_modules" / "@aws-sdk" / "client-lambda").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, check=True, capture_output=True, timeout=600)
    return JS


def test_the_javascript_sdk_v3_drives_the_api(api_server, node_sdk: Path, tmp_path: Path) -> None:
    package = tmp_path / "echo.zip"
    package.write_bytes(ECHO_ZIP)
    name = unique("js")
    result = subprocess.run(["node", str(node_sdk / "lambda_v3.mjs"), api_server.url, name, str(package)],
                            capture_output=True, text=True, timeout=300, cwd=node_sdk, check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["created"] == {
        "arn": f"arn:aws:lambda:eu-west-1:123456789012:function:{name}", "architectures": ["arm64"],
        "tracing": {"Mode": "Active"},
        "logging": {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "INFO",
                    "LogGroup": f"/aws/lambda/{name}"},
    }
    assert out["invoked"]["status"] == 200
    assert out["invoked"]["payload"]["event"] == {"from": "js"}
    assert '"type":"platform.report"' in out["invoked"]["log"]  # the JSON log format
    assert json.loads(out["streamed"][0]["chunk"])["event"] == {"streamed": True}
    assert out["streamed"][1] == {"complete": {}}
    assert out["updated"] == {"vpc": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"], "VpcId": ""},
                              "timeout": 9}
    assert out["published"] == "1"
    assert out["eventInvokeConfig"] == {"retries": 0, "lastModifiedIsDate": True}
    assert out["tags"] == {"team": "js"}
    assert out["gotVersion"] == {"version": "1", "architectures": ["arm64"]}
    assert out["listed"] is True
    assert out["afterDelete"] == {"name": "ResourceNotFoundException", "status": 404}
