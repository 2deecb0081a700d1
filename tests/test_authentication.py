"""Authentication, where the console is reachable by others: named after the attacks it stops."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from console import EXTENSION, create_app
from console.security import SESSION_COOKIE, Authentication
from tests.conftest import LiveServer

AUTH = Authentication.create("the-token", "AKIDTESTCONSOLE", "the-secret")


@pytest.fixture
def guarded(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "AUTHENTICATION": AUTH,
                      "CONSOLE": {"load_samples": False}})
    yield app.test_client()
    app.extensions[EXTENSION].close()


def test_a_visitor_without_the_token_is_turned_away(guarded):
    response = guarded.get("/", headers={"Host": "console.example:8000"})
    assert response.status_code == 401
    assert b"needs its access token" in response.data


def test_a_guessed_token_is_refused(guarded):
    response = guarded.get("/?token=guess")
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("Set-Cookie", "")


def test_the_token_becomes_a_strict_httponly_cookie_and_leaves_the_url(guarded):
    response = guarded.get("/functions/new?token=the-token&tab=test", headers={"Host": "127.0.0.1:8000"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    # The sign-in page's script goes on to the address without the token.
    assert b'<meta name="lambda-console-next" content="/functions/new?tab=test">' in response.data
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}_8000=") and "the-token" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert guarded.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200  # the client keeps the cookie


def test_a_forged_session_cookie_is_refused(guarded):
    guarded.set_cookie(f"{SESSION_COOKIE}_80", "the-token")
    assert guarded.get("/").status_code == 401


def test_an_unsigned_api_request_gets_awss_403(guarded):
    response = guarded.get("/2015-03-31/functions/")
    assert response.status_code == 403
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert json.loads(response.data)["message"] == "Missing Authentication Token"


def test_the_token_does_not_open_the_api(guarded):
    guarded.get("/?token=the-token")
    assert guarded.get("/2015-03-31/functions/").status_code == 403


@pytest.fixture
def guarded_server(tmp_path):
    env = {"LAMBDA_CONSOLE_ACCESS_KEY_ID": "AKIDLIVECONSOLE", "LAMBDA_CONSOLE_SECRET_ACCESS_KEY": "live-secret"}
    server = LiveServer(tmp_path / "data", env=env, args=("--auth",))
    yield server
    server.stop()


def lambda_client(server: LiveServer, key: str, secret: str):
    return boto3.client("lambda", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def test_boto3_with_the_consoles_keys_works(guarded_server):
    assert guarded_server.access_key_id == "AKIDLIVECONSOLE"
    client = lambda_client(guarded_server, "AKIDLIVECONSOLE", "live-secret")
    names = [f["FunctionName"] for f in client.list_functions()["Functions"]]
    assert "hello_python" in names
    response = client.invoke(FunctionName="hello_python",
                             Payload=json.dumps({"first_name": "Ada", "last_name": "Lovelace"}))
    assert json.loads(response["Payload"].read()) == {"message": "Hello Ada Lovelace!"}


@pytest.mark.parametrize(("key", "secret", "code"), [
    ("AKIDLIVECONSOLE", "wrong-secret", "InvalidSignatureException"),
    ("AKIDSOMEONEELSE", "live-secret", "UnrecognizedClientException"),
])
def test_boto3_with_other_keys_is_refused(guarded_server, key, secret, code):
    client = lambda_client(guarded_server, key, secret)
    with pytest.raises(ClientError) as caught:
        client.invoke(FunctionName="hello_python", Payload=b"{}")
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_the_aws_cli_signs_with_the_consoles_keys(guarded_server, tmp_path):
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDLIVECONSOLE", "AWS_SECRET_ACCESS_KEY": "live-secret",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    base = [sys.executable, "-m", "awscli", "lambda", "get-function-configuration", "--function-name",
            "hello_python", "--endpoint-url", guarded_server.url]
    signed = subprocess.run(base, capture_output=True, timeout=120, env=env, check=False)
    assert signed.returncode == 0, signed.stderr.decode()
    assert json.loads(signed.stdout)["Handler"] == "hello_python.my_handler"
    unsigned = subprocess.run([*base, "--no-sign-request"], capture_output=True, timeout=120, env=env, check=False)
    assert unsigned.returncode != 0
    assert b"MissingAuthenticationTokenException" in unsigned.stderr


def test_serving_off_loopback_always_requires_authentication(tmp_path):
    import http.client
    from urllib.parse import urlsplit

    server = LiveServer(tmp_path / "data", args=("--host", "0.0.0.0"))
    try:
        assert server.token and server.access_key_id and server.secret_access_key
        conn = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=10)
        for path, status in (("/", 401), (f"/?token={server.token}", 200)):
            conn.request("GET", path, headers={"Host": "my-laptop.lan:8000"})
            response = conn.getresponse()
            response.read()
            assert response.status == status
    finally:
        server.stop()


def test_the_debugger_is_never_served_with_authentication(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "console", "--data-dir", str(tmp_path), "serve", "--debug",
                           "--host", "0.0.0.0"], capture_output=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "it is for 127.0.0.1 only" in proc.stderr.decode()


def test_code_location_is_a_presigned_download(guarded_server):
    import urllib.error
    import urllib.request

    client = lambda_client(guarded_server, "AKIDLIVECONSOLE", "live-secret")
    location = client.get_function(FunctionName="hello_python")["Code"]["Location"]
    with urllib.request.urlopen(location) as response:  # a plain GET, as for AWS's presigned S3 URL
        assert response.read(2) == b"PK"
    tampered = location.replace("signature=", "signature=0")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(tampered)
    assert refused.value.code == 403
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(location.split("?")[0])  # unsigned: refused like any unsigned API request


def test_the_layer_operations_need_a_signature_too(guarded):
    for method, path in (("GET", "/2018-10-31/layers"), ("POST", "/2018-10-31/layers/lib/versions"),
                         ("DELETE", "/2018-10-31/layers/lib/versions/1")):
        response = guarded.open(path, method=method, data=b"{}")
        assert response.status_code == 403, path
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_layer_versions_content_location_is_a_presigned_download(guarded_server):
    import io
    import urllib.request
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/shared.py", "WHO = 'layer'\n")
    client = lambda_client(guarded_server, "AKIDLIVECONSOLE", "live-secret")
    published = client.publish_layer_version(LayerName="lib", Content={"ZipFile": buffer.getvalue()})
    location = client.get_layer_version_by_arn(Arn=published["LayerVersionArn"])["Content"]["Location"]
    with urllib.request.urlopen(location) as response:
        assert response.read() == buffer.getvalue()
