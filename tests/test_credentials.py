"""Handlers that call AWS: a profile's credentials handed over as Lambda hands the role's, local service endpoints
through AWS_ENDPOINT_URL_* variables (moto's server stands in for S3), one function calling another through the
console, and nothing of the console's own AWS environment or secret reaching a handler, a page or a log."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config as BotoConfig

from console.config import load_config
from console.core.console import Console
from console.core.credentials import NO_CREDENTIALS_HINT, CredentialsError
from tests.conftest import LiveServer
from tests.processes import wait_until
from tests.zips import zip_bytes

KEY_ID = "AKIDPROFILEDEV00001"
SECRET = "profile-secret-never-shown-0123456789"

S3_HANDLER = textwrap.dedent('''
    import os
    import boto3

    def handler(event, context):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=event["bucket"])
        s3.put_object(Bucket=event["bucket"], Key="greeting.txt", Body=b"written by a handler")
        return {"key_id": os.environ.get("AWS_ACCESS_KEY_ID")}
''')

LOOK_HANDLER = textwrap.dedent('''
    import os
    import boto3

    def handler(event, context):
        return {
            "credentials": boto3.Session().get_credentials() is not None,
            "aws_variables": sorted(key for key in os.environ if key.startswith("AWS_")),
        }
''')

CALLER_HANDLER = textwrap.dedent('''
    import json
    import boto3

    def handler(event, context):
        answer = boto3.client("lambda").invoke(FunctionName=event["callee"], Payload=json.dumps(event["payload"]))
        return {"status": answer["StatusCode"], "payload": json.loads(answer["Payload"].read())}
''')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's server on a free loopback port: S3 as a handler reaches it through AWS_ENDPOINT_URL_S3."""
    port = free_port()
    script = Path(sys.executable).with_name("moto_server")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "moto.server"]
    process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)

    def listening() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_until(listening, "moto's server to listen")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


@pytest.fixture
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A temporary ~/.aws with the profile `dev`, and the console's own environment holding AWS variables of its own
    (which must never reach a handler)."""
    folder = tmp_path / "aws"
    folder.mkdir()
    (folder / "credentials").write_text(f"[dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n")
    (folder / "config").write_text("[profile dev]\nregion = eu-west-3\n")
    env = {
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        "AWS_CONFIG_FILE": str(folder / "config"),
        "AWS_ACCESS_KEY_ID": "AKIDCONSOLESOWN",
        "AWS_SECRET_ACCESS_KEY": "console-own-secret",
        "AWS_PROFILE": "dev",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def console_with(tmp_path: Path, profile: str = "") -> Console:
    return Console(load_config(tmp_path / "data", {"load_samples": False, "profile": profile}))


def test_a_handler_writes_to_s3_on_motos_server_with_the_profiles_credentials(tmp_path, aws_files, moto_url):
    console = console_with(tmp_path, profile="dev")
    try:
        console.create_function("writer", zip_bytes({"app.py": S3_HANDLER}), "app.handler", timeout=30,
                                environment={"AWS_ENDPOINT_URL_S3": moto_url})
        record = console.invoke("writer", json.dumps({"bucket": "from-a-handler"}))
    finally:
        console.close()
    assert record.succeeded, record.payload
    assert json.loads(record.payload) == {"key_id": KEY_ID}
    # Sessions of their own: the default session keeps the profile the environment named when it was made.
    s3 = boto3.session.Session().client("s3", endpoint_url=moto_url, region_name="us-east-1",
                                        aws_access_key_id="x", aws_secret_access_key="x")
    assert s3.get_object(Bucket="from-a-handler", Key="greeting.txt")["Body"].read() == b"written by a handler"


def test_without_a_profile_handlers_find_no_credentials_and_none_of_the_consoles_aws_variables(tmp_path, aws_files):
    console = console_with(tmp_path)
    try:
        # No instance metadata service on a laptop: boto3 is told not to wait for one.
        console.create_function("look", zip_bytes({"app.py": LOOK_HANDLER}), "app.handler", timeout=30,
                                environment={"AWS_EC2_METADATA_DISABLED": "true"})
        record = console.invoke("look")
    finally:
        console.close()
    assert record.succeeded, record.payload
    seen = json.loads(record.payload)
    assert seen["credentials"] is False
    assert "AWS_ACCESS_KEY_ID" not in seen["aws_variables"]
    assert "AWS_PROFILE" not in seen["aws_variables"] and "AWS_SHARED_CREDENTIALS_FILE" not in seen["aws_variables"]
    assert {"AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_EC2_METADATA_DISABLED"} <= set(seen["aws_variables"])


def test_with_a_profile_the_handler_gets_exactly_its_key_pair(tmp_path, aws_files):
    console = console_with(tmp_path, profile="dev")
    try:
        console.create_function("look", zip_bytes({"app.py": LOOK_HANDLER}), "app.handler", timeout=30)
        record = console.invoke("look")
    finally:
        console.close()
    seen = json.loads(record.payload)
    assert seen["credentials"] is True
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(seen["aws_variables"])
    assert "AWS_PROFILE" not in seen["aws_variables"]


def test_endpoint_variables_are_allowed_in_a_functions_environment(tmp_path):
    console = console_with(tmp_path)
    try:
        function = console.create_function(
            "endpoints", zip_bytes({"app.py": LOOK_HANDLER}), "app.handler",
            environment={"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_DYNAMODB": "http://x:8000"},
        )
    finally:
        console.close()
    assert function.environment["AWS_ENDPOINT_URL_DYNAMODB"] == "http://x:8000"


def test_an_unknown_profile_stops_the_start_with_what_to_do(tmp_path, aws_files):
    with pytest.raises(CredentialsError, match=r"--profile nosuch: no such profile.*aws configure list-profiles"):
        console_with(tmp_path, profile="nosuch")
    assert not (tmp_path / "data" / "lambda-console.sqlite3").exists()  # refused before anything was stored


def test_credentials_refreshed_by_botocore_start_new_environments(tmp_path, aws_files):
    """Temporary credentials from a credential_process that expire at once: botocore fetches a new set for every
    new spec, and an environment made with the old set is not reused (a cold start with the new key)."""
    counter = tmp_path / "count"
    script = tmp_path / "issue.py"
    script.write_text(textwrap.dedent(f'''
        import datetime, json, pathlib
        counter = pathlib.Path({str(counter)!r})
        n = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(n))
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
        print(json.dumps({{"Version": 1, "AccessKeyId": f"ASIATEMPORARY{{n:04d}}", "SecretAccessKey": "s{{n}}",
                          "SessionToken": f"token-{{n}}", "Expiration": expires.isoformat()}}))
    '''))
    Path(aws_files["AWS_CONFIG_FILE"]).write_text(
        f"[profile temporary]\ncredential_process = {sys.executable} {script}\n"
    )
    console = console_with(tmp_path, profile="temporary")
    try:
        console.create_function("look", zip_bytes({"app.py": "import os\ndef handler(e, c):\n"
                                                   "    return [os.environ['AWS_ACCESS_KEY_ID'],"
                                                   " os.environ['AWS_SESSION_TOKEN']]\n"}), "app.handler")
        first = console.invoke("look")
        second = console.invoke("look")
    finally:
        console.close()
    first_key, first_token = json.loads(first.payload)
    second_key, second_token = json.loads(second.payload)
    assert first_key.startswith("ASIATEMPORARY") and first_token.startswith("token-")
    assert second_key != first_key and second_token != first_token
    assert second.cold


def test_the_pages_name_the_profile_and_key_id_and_never_the_secret(tmp_path, aws_files):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "config.json").write_text(json.dumps({"profile": "dev", "load_samples": False}))
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data"})
    console = app.extensions[EXTENSION]
    try:
        console.create_function("echo", zip_bytes({"app.py": "import os\ndef handler(e, c):\n"
                                                   "    print('key', os.environ['AWS_ACCESS_KEY_ID'])\n"
                                                   "    return {'ok': True}\n"}), "app.handler")
        client = app.test_client()
        page = client.get("/functions/echo/configuration").get_data(as_text=True)
        assert "profile dev" in page and KEY_ID in page
        record = console.invoke("echo")
        shown = [page]
        for path in ("/functions/echo.json", f"/functions/echo/history/{record.id}.json", "/index.json",
                     "/functions/echo/history.json", f"/functions/echo/history/{record.id}", "/functions/echo/history"):
            shown.append(client.get(path).get_data(as_text=True))
        shown.append(record.log)
    finally:
        console.close()
    assert f"key {KEY_ID}" in record.log  # the handler did get the credentials
    for text in shown:
        assert SECRET not in text


def test_a_no_credentials_failure_shows_the_hint_naming_the_option(tmp_path):
    from console import EXTENSION, create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data"})
    console = app.extensions[EXTENSION]
    try:
        console.create_function(
            "bare", zip_bytes({"app.py": "import boto3\ndef handler(e, c):\n"
                                         "    return boto3.client('s3').list_buckets()\n"}),
            "app.handler", timeout=30, environment={"AWS_EC2_METADATA_DISABLED": "true"},
        )
        record = console.invoke("bare")
        page = app.test_client().get(f"/functions/bare/history/{record.id}").get_data(as_text=True)
    finally:
        console.close()
    assert record.error_type == "NoCredentialsError"
    assert "--profile NAME" in page and NO_CREDENTIALS_HINT.split(":")[0] in page


def test_cli_invoke_hands_the_profiles_credentials_and_refuses_an_unknown_profile(tmp_path, aws_files):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("import os\ndef handler(e, c):\n    return os.environ.get('AWS_ACCESS_KEY_ID')\n")
    env = {**os.environ, **aws_files}
    command = [sys.executable, "-m", "console", "invoke", str(code), "--handler", "app.handler"]
    given = subprocess.run([*command, "--profile", "dev"], check=False, capture_output=True, env=env, timeout=120)
    assert given.returncode == 0, given.stderr
    assert given.stdout == f'"{KEY_ID}"\n'.encode()
    bare = subprocess.run(command, check=False, capture_output=True, env=env, timeout=120)
    assert bare.stdout == b"null\n"  # none of the console's own AWS_ACCESS_KEY_ID
    unknown = subprocess.run([*command, "--profile", "nosuch"], check=False, capture_output=True, env=env, timeout=120)
    assert unknown.returncode == 2
    assert b"--profile nosuch: no such profile" in unknown.stderr


def test_cli_names_the_option_when_a_handler_finds_no_credentials(tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("import boto3\ndef handler(e, c):\n    return boto3.client('s3').list_buckets()\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    done = subprocess.run([sys.executable, "-m", "console", "invoke", str(code), "--handler", "app.handler",
                           "--timeout", "30", "--env", "AWS_EC2_METADATA_DISABLED=true"],
                          check=False, capture_output=True, env=env, timeout=120)
    assert done.returncode == 1
    assert json.loads(done.stdout)["errorType"] == "NoCredentialsError"
    assert b"Hint: Handlers get AWS credentials only from a profile" in done.stderr


@pytest.fixture
def guarded(tmp_path: Path, aws_files: dict[str, str]) -> Iterator[LiveServer]:
    """`serve --auth --profile dev`: the REST API needs signed requests."""
    server = LiveServer(tmp_path / "data", env=aws_files, args=("--auth", "--profile", "dev"))
    yield server
    server.stop()


def _client(server: LiveServer, key: str, secret: str):
    return boto3.session.Session().client("lambda", endpoint_url=server.url, region_name="us-east-1",
                                          aws_access_key_id=key, aws_secret_access_key=secret,
                                          config=BotoConfig(retries={"max_attempts": 1}))


def test_a_function_invokes_another_through_the_console_under_authentication(guarded):
    lam = _client(guarded, guarded.access_key_id, guarded.secret_access_key)
    role = "arn:aws:iam::123456789012:role/lambda-role"
    lam.create_function(FunctionName="callee", Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": zip_bytes({"app.py": "def handler(e, c):\n    return {'doubled': e['n'] * 2}\n"})})
    lam.create_function(FunctionName="caller", Runtime="python3.12", Role=role, Handler="app.handler", Timeout=30,
                        Code={"ZipFile": zip_bytes({"app.py": CALLER_HANDLER})},
                        Environment={"Variables": {"AWS_ENDPOINT_URL_LAMBDA": guarded.url}})
    answer = lam.invoke(FunctionName="caller", Payload=json.dumps({"callee": "callee", "payload": {"n": 21}}))
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read()) == {"status": 200, "payload": {"doubled": 42}}


def test_the_handed_credentials_sign_only_with_their_own_secret(guarded):
    """An attacker who knows the profile's access key id but not its secret is refused like any wrong signature."""
    forged = _client(guarded, KEY_ID, "not-the-secret")
    with pytest.raises(forged.exceptions.ClientError) as refused:
        forged.list_functions()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert _client(guarded, KEY_ID, SECRET).list_functions()["Functions"] is not None


def test_serve_says_whose_credentials_handlers_get_and_never_prints_the_secret(guarded):
    said = ""
    while "Handlers get" not in said:  # the lines after the address and the keys
        line = guarded.process.stderr.readline().decode()
        assert line, f"serve ended before saying whose credentials handlers get: {said!r}"
        said += line
    assert f"Handlers get the AWS credentials of profile dev (access key {KEY_ID})." in said
    assert SECRET not in said


def test_assume_role_hands_each_function_its_roles_credentials_from_sts(tmp_path, aws_files, moto_url, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_url)  # moto's server answers STS too
    config = load_config(tmp_path / "data", {"load_samples": False, "profile": "dev", "assume_role": True})
    console = Console(config)
    role = "arn:aws:iam::123456789012:role/orders-role"
    try:
        console.create_function("look", zip_bytes({"app.py": "import os\ndef handler(e, c):\n    return [os.environ["
                                                   "'AWS_ACCESS_KEY_ID'], 'AWS_SESSION_TOKEN' in os.environ]\n"}),
                                "app.handler", role=role)
        record = console.invoke("look")
        shown = console.handed_credentials(console.get_function("look")).shown
    finally:
        console.close()
    key_id, has_token = json.loads(record.payload)
    assert key_id != KEY_ID and key_id.startswith("ASIA") and has_token
    assert shown == f"role {role} assumed with profile dev (access key {key_id})"


def test_a_role_that_cannot_be_assumed_is_refused_with_lambdas_words(tmp_path, aws_files, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    config = load_config(tmp_path / "data", {"load_samples": False, "profile": "dev", "assume_role": True})
    console = Console(config)
    try:
        console.create_function("look", zip_bytes({"app.py": LOOK_HANDLER}), "app.handler",
                                role="arn:aws:iam::123456789012:role/missing")
        with pytest.raises(CredentialsError, match="The role defined for the function cannot be assumed by Lambda"):
            console.invoke("look")
    finally:
        console.close()


def test_assume_role_without_a_profile_says_what_is_missing(tmp_path):
    with pytest.raises(CredentialsError, match=r"--assume-role: .* add --profile NAME"):
        Console(load_config(tmp_path / "data", {"load_samples": False, "assume_role": True}))
