"""SAM's Api and HttpApi events served at the root of the API port by a real `serve --template` subprocess, called
through plain HTTP, as `sam local start-api` serves them."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from tests.http_front.conftest import boto3_client, call, fetch, history


def test_a_rest_api_event_is_served_with_payload_1_0_and_recorded(served):
    server, _, lines = served("hello_world_api")
    assert f"Mounting HelloWorldFunction at {server.api_url}/hello [GET] (REST API, payload 1.0)" in lines
    status, headers, body = call(server, "/hello?lang=en")
    assert status == 200, body
    assert json.loads(body) == {"message": "hello world", "path": "/hello", "method": "GET",
                                "function": "HelloWorldFunction"}
    [entry] = history(server, "HelloWorldFunction")
    assert entry["source"] == "api" and entry["succeeded"] == 1
    event = json.loads(entry["event"])
    assert event["resource"] == "/hello" and event["httpMethod"] == "GET"
    assert event["queryStringParameters"] == {"lang": "en"} and event["requestContext"]["stage"] == "Prod"
    assert json.loads(json.loads(entry["payload"])["body"])["message"] == "hello world"
    # A path or method the REST API does not have: API Gateway's 403, and nothing run.
    for path, method in (("/nothing", "GET"), ("/hello", "POST")):
        status, headers, body = call(server, path, method, body=b"" if method == "POST" else None)
        assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})
        assert headers["Content-Type"] == "application/json"
    assert len(history(server, "HelloWorldFunction")) == 1


def test_the_function_page_shows_its_routes_with_links(served):
    server, _, _ = served("items_api")
    with urllib.request.urlopen(f"{server.url}/functions/ItemsFunction/configuration", timeout=30) as response:
        shown = response.read().decode()
    section = shown[shown.index('data-testid="api-routes"'):]
    section = section[: section.index("</section>")]
    # A route without parameters to fill in is a link; one with them is shown as its pattern.
    assert "{id}" in section and f"{server.api_url}/items/{{id}}" in section
    assert f'href="{server.api_url}/items/{{id}}"' not in section
    assert "HTTP API, payload 2.0" in section and "HTTP API, payload 1.0" in section
    with urllib.request.urlopen(f"{server.url}/functions/ProxyFunction.json", timeout=30) as response:
        routes = json.loads(response.read())["api_routes"]
    assert routes == [{"kind": "Api", "method": "ANY", "path": "/files/{proxy+}", "payload_version": "1.0"}]


def test_the_hello_world_page_links_its_route(served):
    server, _, _ = served("hello_world_api")
    with urllib.request.urlopen(f"{server.url}/functions/HelloWorldFunction/configuration", timeout=30) as response:
        shown = response.read().decode()
    assert f'href="{server.api_url}/hello"' in shown and "REST API, payload 1.0" in shown


def test_http_api_and_rest_api_routes_with_parameters_proxy_and_any(served):
    server, _, lines = served("items_api")
    base = server.api_url
    assert f"Mounting ItemsFunction at {base}/items/{{id}} [GET] (HTTP API, payload 2.0)" in lines
    assert f"Mounting ProxyFunction at {base}/files/{{proxy+}} [ANY] (REST API, payload 1.0)" in lines

    status, _, body = call(server, "/items/42?color=red&color=blue")
    answer = json.loads(body)
    assert status == 200 and answer["function"] == "ItemsFunction"
    assert answer["version"] == "2.0" and answer["routeKey"] == "GET /items/{id}"
    assert answer["pathParameters"] == {"id": "42"} and answer["query"] == {"color": "red,blue"}

    status, _, body = call(server, "/items", "POST", b'{"name": "cup"}', {"Content-Type": "application/json"})
    answer = json.loads(body)
    assert status == 200 and answer["routeKey"] == "POST /items" and json.loads(answer["body"]) == {"name": "cup"}

    # PayloadFormatVersion 1.0 on an HttpApi event: the 1.0 event.
    answer = json.loads(call(server, "/legacy/7")[2])
    assert answer["version"] == "1.0" and answer["resource"] == "/legacy/{id}"
    assert answer["pathParameters"] == {"id": "7"} and answer["httpMethod"] == "GET"

    # Greedy {proxy+} with ANY: every method, every depth.
    for method in ("GET", "DELETE", "PUT"):
        status, _, body = call(server, "/files/a/b/c.txt", method, b"x" if method == "PUT" else None,
                               {"Content-Type": "text/plain"})
        answer = json.loads(body)
        assert status == 200 and answer["function"] == "ProxyFunction", body
        assert answer["httpMethod"] == method and answer["resource"] == "/files/{proxy+}"
        assert answer["pathParameters"] == {"proxy": "a/b/c.txt"}
    assert answer["body"] == "x"
    assert [entry["source"] for entry in history(server, "ProxyFunction")] == ["api"] * 3

    # A function error and a result that is not a response: API Gateway's 502, each recorded.
    for path in ("/broken?fail=1", "/broken"):
        status, _, body = call(server, path)
        assert (status, json.loads(body)) == (502, {"message": "Internal server error"})
    assert [(e["source"], e["succeeded"]) for e in history(server, "BrokenFunction")] == [("api", 0), ("api", 1)]

    # /files itself is not under {proxy+} (one segment or more): with a REST API served, API Gateway's 403.
    status, _, body = call(server, "/files")
    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})


def test_http_api_only_answers_not_found_and_function_urls_keep_working(served):
    server, template, _ = served("items_api")
    # Only HttpApi events left: an unmatched path gets an HTTP API's 404.
    text = template.read_text()
    template.write_text(text[: text.index("  ProxyFunction:")] + text[text.index("  BrokenFunction:"):])
    deadline = time.monotonic() + 30
    while call(server, "/nothing")[0] != 404 and time.monotonic() < deadline:
        time.sleep(0.3)
    status, _, body = call(server, "/nothing")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
    # A function URL on the same port is told apart by its Host.
    client = boto3_client(server.url)
    url = client.create_function_url_config(FunctionName="ItemsFunction", AuthType="NONE")["FunctionUrl"]
    got = fetch(server, url, "/items/9")
    answer = json.loads(got.body)
    assert got.status == 200 and answer["routeKey"] == "$default" and answer["pathParameters"] is None
    assert [entry["source"] for entry in history(server, "ItemsFunction")][-1] == "url"


def test_editing_the_path_in_the_template_remounts_the_route(served):
    server, template, _ = served("items_api")
    assert call(server, "/items/1")[0] == 200
    template.write_text(template.read_text().replace("Path: /items/{id}", "Path: /things/{thing}"))
    deadline = time.monotonic() + 30
    while call(server, "/things/5")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
    status, _, body = call(server, "/things/5")
    answer = json.loads(body)
    assert status == 200 and answer["routeKey"] == "GET /things/{thing}" and answer["pathParameters"] == {"thing": "5"}
    status, _, body = call(server, "/items/1")
    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})
    # Said on standard error as at start.
    said = ""
    while "Unmounted" not in said and (line := server.process.stderr.readline().decode()):
        said += line
    assert f"Mounting ItemsFunction at {server.api_url}/things/{{thing}} [GET] (HTTP API, payload 2.0)" in said
    assert f"Unmounted ItemsFunction at {server.api_url}/items/{{id}} [GET]" in said
