"""Attacks on the function URL listener, named after them: DNS rebinding to the API port, a handler's page reading
the console's API cross-origin, unsigned requests to an AWS_IAM URL (in test_function_urls.py)."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from tests.conftest import LiveServer
from tests.http_front.conftest import fetch

PAGE = '''
def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "text/html"}, "body": "<p>page</p>"}
'''


def raw(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_dns_rebinding_to_the_api_port_is_refused(deploy, server: LiveServer) -> None:
    _, created = deploy({"page.py": PAGE}, "page.handler")
    url_id = urlsplit(created["FunctionUrl"]).hostname.split(".")[0]
    # A page on attacker.example whose name was rebound to 127.0.0.1 sends its own name as Host.
    for host in ("attacker.example", f"{url_id}.lambda-url.us-east-1.attacker.example"):
        status, _, body = raw(server.api_port, "GET", "/", {"Host": f"{host}:{server.api_port}"})
        assert status == 400, host
        assert b"not served here" in body
    assert fetch(server, created["FunctionUrl"]).status == 200  # the URL's own name is served


def test_a_handler_page_cannot_read_the_console_api_cross_origin(deploy, server: LiveServer) -> None:
    _, created = deploy({"page.py": PAGE}, "page.handler")
    page_origin = created["FunctionUrl"].rstrip("/")
    console_port = int(urlsplit(server.url).port)
    assert urlsplit(page_origin).port != console_port  # another origin: the browser keeps them apart
    # A fetch() from the handler's page: the console never grants its origin CORS, so the browser hides the answer...
    status, headers, _ = raw(console_port, "GET", "/2015-03-31/functions/",
                             {"Host": f"127.0.0.1:{console_port}", "Origin": page_origin})
    assert "access-control-allow-origin" not in headers
    # ...and a change sent from it is refused outright.
    status, _, body = raw(console_port, "POST", "/2015-03-31/functions",
                          {"Host": f"127.0.0.1:{console_port}", "Origin": page_origin,
                           "Content-Type": "application/json"}, json.dumps({"FunctionName": "x"}).encode())
    assert status == 403 and b"Cross-origin" in body


def test_the_api_port_serves_neither_the_console_nor_its_api(server: LiveServer) -> None:
    for path in ("/", "/functions", "/2015-03-31/functions/"):
        status, _, body = raw(server.api_port, "GET", path, {"Host": f"127.0.0.1:{server.api_port}"})
        assert status == 404, path
        assert b"No function URL here" in body


def test_run_again_replays_a_url_request(deploy, server: LiveServer) -> None:
    import time

    from tests.http_front.test_function_urls import ECHO, history

    name, created = deploy({"echo.py": ECHO}, "echo.handler")
    assert fetch(server, created["FunctionUrl"], "/again?x=1").status == 200
    [entry] = history(server, name)
    console_port = int(urlsplit(server.url).port)
    status, _, _ = raw(console_port, "POST", f"/functions/{name}/history/{entry['id']}/rerun",
                       {"Host": f"127.0.0.1:{console_port}"})
    assert status in (200, 303)
    deadline = time.monotonic() + 60
    while len(history(server, name)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    first, again = history(server, name)
    assert again["event"] == first["event"] and again["succeeded"] == 1
    assert json.loads(json.loads(again["payload"])["body"])["rawPath"] == "/again"


def test_off_loopback_iam_urls_need_the_consoles_keys_and_none_urls_are_announced(tmp_path) -> None:
    """Listening on every address, the console requires its keys: an AWS_IAM URL takes only requests signed with
    them, and the start says that NONE URLs answer anyone."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.exceptions import ClientError

    from tests.http_front.conftest import REGION, ROLE
    from tests.http_front.test_function_urls import ECHO
    from tests.zips import zip_bytes

    live = LiveServer(tmp_path / "data", args=("--host", "0.0.0.0", "--api-port", "0"))
    try:
        announced = live.process.stderr.readline().decode()
        assert "AuthType NONE answer anyone" in announced
        import boto3

        def client(key: str, secret: str):
            return boto3.session.Session().client("lambda", endpoint_url=live.url, region_name=REGION,
                                                  aws_access_key_id=key, aws_secret_access_key=secret)

        try:  # the function URL operations are the REST API's: they need the console's keys too
            client("test", "test").list_function_url_configs(FunctionName="hello_python")
            raise AssertionError("an unsigned caller listed function URLs")
        except ClientError as exc:
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        lam = client(live.access_key_id, live.secret_access_key)
        lam.create_function(FunctionName="echo", Runtime="python3.12", Role=ROLE, Handler="echo.handler",
                            Code={"ZipFile": zip_bytes({"echo.py": ECHO})})
        iam_url = lam.create_function_url_config(FunctionName="echo", AuthType="AWS_IAM")["FunctionUrl"]
        lam.create_function_url_config(FunctionName="echo", Qualifier="$LATEST", AuthType="NONE")
        open_url = lam.get_function_url_config(FunctionName="echo", Qualifier="$LATEST")["FunctionUrl"]

        def signed(key: str, secret: str) -> dict[str, str]:
            request = AWSRequest(method="GET", url=iam_url)
            SigV4Auth(Credentials(key, secret), "lambda", REGION).add_auth(request)
            return dict(request.headers.items())

        assert fetch(live, iam_url).status == 403
        assert fetch(live, iam_url, headers=signed("test", "test")).status == 403
        assert fetch(live, iam_url, headers=signed(live.access_key_id, live.secret_access_key)).status == 200
        assert fetch(live, open_url).status == 200  # NONE: no token, no keys
        lam.close()
    finally:
        live.stop()
