"""Fixtures for the REST API suite: one live `lambda-console serve`, real boto3 and AWS CLI clients, handler zips."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import HANDLERS, LiveServer
from tests.zips import zip_bytes

REGION = "eu-west-1"  # not the default: proves the region is read from the request's signature
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda_basic_execution"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}

HELLO_ZIP = zip_bytes({"hello_python.py": (HANDLERS / "hello_python" / "hello_python.py").read_text()})

# Handlers the tests need besides the samples.
ECHO = '''
import json, os

def handler(event, context):
    cc = context.client_context
    return {
        "event": event,
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "region": os.environ["AWS_REGION"],
        "greeting": os.environ.get("GREETING"),
        "client_context": None if cc is None else {"custom": cc.custom, "env": cc.env},
    }
'''
FAIL = '''
def handler(event, context):
    print("failing on purpose")
    raise RuntimeError("always fails")
'''
ECHO_ZIP = zip_bytes({"echo.py": ECHO})
FAIL_ZIP = zip_bytes({"fail.py": FAIL})


def unique(prefix: str) -> str:
    """A function name no other test uses (the server is shared by the whole session)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One live console for the API suite; Event retries wait 50 ms instead of Lambda's minutes."""
    server = LiveServer(tmp_path_factory.mktemp("api") / "data", env={"LAMBDA_CONSOLE_EVENT_RETRY_DELAY": "0.05"})
    yield server
    # SIGTERM ends `serve` at once, as Ctrl-C does, even while a boto3 client keeps a connection open. (SIGINT
    # itself would not do: a process started in the background by a non-interactive shell ignores it.)
    server.stop()


def boto3_client(url: str, region: str = REGION):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=120),
    )


@pytest.fixture(scope="session")
def lam(api_server: LiveServer) -> Iterator:
    """A boto3 Lambda client of the shared server, signing for eu-west-1, that never retries."""
    client = boto3_client(api_server.url)
    yield client
    client.close()  # `serve` stops on SIGTERM once its clients hang up


@pytest.fixture
def create(lam) -> Callable[..., dict]:
    """create(zip_bytes, handler, **fields) -> CreateFunction's answer, for a function with a fresh name."""

    def make(package: bytes = HELLO_ZIP, handler: str = "hello_python.my_handler", **fields: object) -> dict:
        fields.setdefault("FunctionName", unique("fn"))
        fields.setdefault("Runtime", "python3.12")
        return lam.create_function(Role=ROLE, Handler=handler, Code={"ZipFile": package}, **fields)

    return make


class History:
    """Reads the server's invocation history straight from its database (read-only), as the web console shows it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "lambda-console.sqlite3"

    def rows(self, function: str) -> list[dict]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            query = "SELECT * FROM invocations WHERE function = ? ORDER BY id"
            return [dict(row) for row in conn.execute(query, (function,))]
        finally:
            conn.close()


@pytest.fixture(scope="session")
def history(api_server: LiveServer) -> History:
    return History(api_server.data_dir)


class Aws:
    """The AWS CLI v1 run as a user runs it: `aws lambda ... --endpoint-url URL --region eu-west-1`."""

    def __init__(self, url: str, cwd: Path) -> None:
        self.url = url
        self.cwd = cwd

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # The AWS CLI v1 has no pager, and so no --no-cli-pager option (v2 added both).
        command = [sys.executable, "-m", "awscli", "lambda", *args, "--endpoint-url", self.url, "--region", REGION]
        env = {**os.environ, **CREDENTIALS, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
        result = subprocess.run(command, check=False, cwd=self.cwd, env=env, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self(*args).stdout)


@pytest.fixture
def aws(api_server: LiveServer, tmp_path: Path) -> Aws:
    return Aws(api_server.url, tmp_path)
