"""CORS of a SAM template's APIs on the API port, as API Gateway answers it: a REST API's `Cors` gives each of its
paths an OPTIONS method that never reaches a function (other answers carry only the function's own headers); an HTTP
API's `CorsConfiguration` answers preflight requests itself and puts its headers on every answer to an allowed
origin, in place of the function's. Served by a real `serve --template` subprocess, called through plain HTTP."""

from __future__ import annotations

import json

from tests.http_front.conftest import call, history

FRONTEND = "http://localhost:3000"


def test_a_rest_apis_preflight_is_answered_by_its_options_method_without_running_the_function(served):
    server, _, _ = served("cors_api")
    status, headers, body = call(server, "/orders", "OPTIONS", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 200, body
    assert headers["Access-Control-Allow-Origin"] == FRONTEND  # !Sub of the FrontendOrigin parameter, quotes off
    assert headers["Access-Control-Allow-Methods"] == "GET,OPTIONS,POST"  # the path's methods, as SAM lists them
    assert headers["Access-Control-Allow-Headers"] == "Content-Type,X-Api-Key"
    assert headers["Access-Control-Max-Age"] == "300"
    assert "Access-Control-Allow-Credentials" not in headers
    assert history(server, "OrdersFunction") == []


def test_a_rest_apis_other_answers_carry_only_the_functions_own_headers_and_its_stage(served):
    server, _, _ = served("cors_api", "--parameter-overrides", "Stage=beta")
    status, headers, body = call(server, "/orders", "POST", body=b'{"item": "tea"}',
                                 headers={"Origin": FRONTEND, "Content-Type": "application/json"})
    assert status == 200, body
    assert json.loads(body) == {"function": "OrdersFunction", "stage": "beta", "method": "POST",
                                "body": '{"item": "tea"}'}
    # Lambda proxy integration: what the function answered, API Gateway adds no CORS header of its own.
    assert headers["Access-Control-Allow-Origin"] == "https://own.example"
    assert "Access-Control-Allow-Methods" not in headers


def test_a_rest_api_without_cors_has_no_options_method(served):
    server, _, _ = served("cors_api")
    status, headers, body = call(server, "/status", "OPTIONS", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "GET"})
    assert (status, json.loads(body)) == (403, {"message": "Missing Authentication Token"})
    assert not any(name.lower().startswith("access-control-") for name in headers)
    status, _, body = call(server, "/status")  # its implicit API's stage is SAM's Prod
    assert status == 200 and json.loads(body)["stage"] == "Prod"


def test_an_http_apis_preflight_is_answered_for_allowed_origins_only(served):
    server, _, _ = served("cors_api")
    status, headers, _ = call(server, "/cart", "OPTIONS", headers={
        "Origin": FRONTEND, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == FRONTEND
    assert headers["Access-Control-Allow-Methods"] == "GET,POST"
    assert headers["Access-Control-Allow-Headers"] == "content-type"
    assert headers["Access-Control-Max-Age"] == "600"
    # Another origin, or a method the configuration does not allow: no CORS headers, so the browser refuses.
    for origin, method in (("https://evil.example", "POST"), (FRONTEND, "DELETE")):
        status, headers, _ = call(server, "/cart", "OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": method})
        assert status == 200
        assert not any(name.lower().startswith("access-control-") for name in headers)
    assert history(server, "CartFunction") == []


def test_an_http_api_puts_its_cors_headers_in_place_of_the_functions(served):
    server, _, _ = served("cors_api")
    status, headers, body = call(server, "/cart", headers={"Origin": FRONTEND})
    assert status == 200 and json.loads(body)["stage"] == "$default"
    assert headers["Access-Control-Allow-Origin"] == FRONTEND  # not the function's https://own.example
    assert headers["Access-Control-Expose-Headers"] == "x-request-count"
    assert headers["X-Request-Count"] == "1"
    # An origin the configuration does not allow gets no CORS header at all, the function's included.
    status, headers, _ = call(server, "/cart", headers={"Origin": "https://evil.example"})
    assert status == 200
    assert not any(name.lower().startswith("access-control-") for name in headers)
    assert len(history(server, "CartFunction")) == 2
