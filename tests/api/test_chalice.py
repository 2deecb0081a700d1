"""A deploy tool against the REST API: Chalice deploys a pure-Lambda app (its own role, no API Gateway), invokes it,
redeploys changed code and deletes it, with AWS_ENDPOINT_URL_LAMBDA pointing at a live console. Chalice tags its
function, lists its tags and clears its reserved concurrency on every deploy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("chalice", reason="Chalice is in the test extra: pip install -e '.[test]'")

APP = '''from chalice import Chalice

app = Chalice(app_name="greeter")


@app.lambda_function()
def hello(event, context):
    return {"%s": event.get("name", "world")}
'''
CONFIG = {"version": "2.0", "app_name": "greeter", "stages": {"dev": {
    "manage_iam_role": False, "iam_role_arn": "arn:aws:iam::123456789012:role/greeter-role"}}}


def chalice(project: Path, url: str, *args: str, stdin: str = "") -> str:
    env = {**os.environ, "AWS_ENDPOINT_URL_LAMBDA": url, "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}
    script = Path(sys.executable).with_name("chalice")
    done = subprocess.run([str(script), *args], cwd=project, env=env, input=stdin, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_chalice_deploys_invokes_redeploys_and_deletes_a_function(api_server, lam, tmp_path):
    project = tmp_path / "greeter"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(APP % "hello")
    (project / "requirements.txt").write_text("")
    (project / ".chalice" / "config.json").write_text(json.dumps(CONFIG))

    said = chalice(project, api_server.url, "deploy")
    assert "arn:aws:lambda:us-east-1:123456789012:function:greeter-dev-hello" in said
    assert json.loads(chalice(project, api_server.url, "invoke", "-n", "hello", stdin='{"name": "ada"}')) == {
        "hello": "ada"}
    assert lam.list_tags(Resource="arn:aws:lambda:eu-west-1:123456789012:function:greeter-dev-hello")["Tags"] == {
        "aws-chalice": "version=" + __import__("chalice").__version__ + ":stage=dev:app=greeter"}

    (project / "app.py").write_text(APP % "hi")
    chalice(project, api_server.url, "deploy")
    assert json.loads(chalice(project, api_server.url, "invoke", "-n", "hello", stdin='{"name": "ada"}')) == {
        "hi": "ada"}

    chalice(project, api_server.url, "delete")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="greeter-dev-hello")
