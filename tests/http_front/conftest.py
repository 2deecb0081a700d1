"""A live console with its function URL listener, boto3 against its REST API, and plain HTTP to its function URLs."""

from __future__ import annotations

import http.client
import sqlite3
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.conftest import LiveServer
from tests.zips import zip_bytes

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/lambda_basic_execution"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


def fetch(server: LiveServer, function_url: str, path: str = "/", *, method: str = "GET", body: bytes | None = None,
          headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """One plain HTTP request to a function URL. `*.localhost` names loopback (browsers and curl resolve it
    themselves; Python's resolver may not), so the request goes to 127.0.0.1 with the URL's host in Host."""
    host = urlsplit(function_url).netloc
    connection = http.client.HTTPConnection("127.0.0.1", server.api_port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def boto3_client(url: str):
    import boto3
    from botocore.config import Config

    # A session of its own: the default one would keep whatever profile the environment named first.
    return boto3.session.Session().client(
        "lambda", endpoint_url=url, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, read_timeout=120))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("front") / "data", args=("--api-port", "0"))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def lam(server: LiveServer) -> Iterator:
    client = boto3_client(server.url)
    yield client
    client.close()


@pytest.fixture(scope="module")
def deploy(lam) -> Callable[..., tuple[str, dict]]:
    """deploy(files, handler, auth="NONE", cors=None, **fields) -> (function name, CreateFunctionUrlConfig's answer)."""

    def make(files: dict[str, str], handler: str, auth: str = "NONE", cors: dict | None = None,
             **fields: object) -> tuple[str, dict]:
        name = f"fn-{uuid.uuid4().hex[:8]}"
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler=handler,
                            Code={"ZipFile": zip_bytes(files)}, **fields)
        extra = {"Cors": cors} if cors is not None else {}
        return name, lam.create_function_url_config(FunctionName=name, AuthType=auth, **extra)

    return make


def history(server: LiveServer, function: str) -> list[dict]:
    """The function's history entries as the server's database holds them (read-only), oldest first."""
    conn = sqlite3.connect(f"file:{server.data_dir / 'lambda-console.sqlite3'}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute("SELECT * FROM invocations WHERE function = ? ORDER BY id",
                                                   (function,))]
    finally:
        conn.close()


def call(server: LiveServer, path: str, method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"{server.api_url}{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
