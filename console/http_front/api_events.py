"""SAM's API events on the API port: the served templates' Api (REST API, payload 1.0) and HttpApi (payload 2.0, or
1.0 when the event says so) routes, at the root of the port as `sam local start-api` serves them.

A request is matched against every route (console.http_front.routes: `{id}`, `{proxy+}`, ANY, the most specific
route first); the event is built for the route's payload version, the route's function run through the Console and
recorded in its history with source "api", and its result converted as API Gateway converts it. A request no route
takes gets API Gateway's own answer: a REST API answers 403 `{"message":"Missing Authentication Token"}` for a
resource or method it does not have (AWS's knowledge center, "Missing Authentication Token" errors), an HTTP API 404
`{"message":"Not Found"}`.

CORS is answered as the routes' APIs configure it (console.core.sam_apis): a REST API's OPTIONS methods answer with
the configured headers and never reach a function; an HTTP API answers preflight requests itself and puts its CORS
headers on every answer to an allowed origin.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from console.core.functions import FunctionNotFound
from console.core.limits import MAX_REQUEST_BYTES
from console.core.sam_apis import HttpCors, RestCors
from console.engine import RequestTooLargeError, TooManyRequestsError
from console.engine.invocation import DEFAULT_ACCOUNT
from console.http_front import cors as cors_headers
from console.http_front import routes as routing
from console.http_front.request import HttpRequest, v1_event, v2_event
from console.http_front.response import JSON, HttpResponse, MalformedResult, gateway_error, v1_response, v2_response

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.sam_load import ApiRoute

log = logging.getLogger("lambda_console.http_front")
REST_API_ID = "1234567890"  # the ids of the local APIs, in the events' requestContext.apiId
HTTP_API_ID = "httpapi123"
DEFAULT = "$default"


def unmatched(api_routes: list[ApiRoute]) -> HttpResponse:
    """API Gateway's answer to a request no route takes: a REST API's 403 when any route is a REST API's (sam local
    start-api serves both kinds on one port), else an HTTP API's 404."""
    if any(route.kind == "Api" for route in api_routes):
        status, message = 403, "Missing Authentication Token"
    else:
        status, message = 404, "Not Found"
    return HttpResponse(status, (("Content-Type", JSON),), json.dumps({"message": message}).encode())


def find(api_routes: list[ApiRoute], method: str, raw_path: str) -> tuple[ApiRoute, dict[str, str]] | None:
    """The route a request goes to and its path parameters; an HttpApi `$default` route takes what no other does."""
    by_route: dict[routing.Route, ApiRoute] = {}
    for api_route in api_routes:
        if api_route.path == DEFAULT:
            continue
        try:
            by_route.setdefault(routing.Route(api_route.method, api_route.path), api_route)
        except routing.RouteError as exc:
            log.warning("%s's route %s %s is not served: %s", api_route.function, api_route.method, api_route.path,
                        exc)
    found = routing.match(list(by_route), method, raw_path)
    if found is not None:
        return by_route[found.route], found.path_parameters
    fallback = next((route for route in api_routes if route.path == DEFAULT), None)
    return (fallback, {}) if fallback is not None else None


def event_for(api_route: ApiRoute, request: HttpRequest, parameters: dict[str, str]) -> dict:
    """The event API Gateway hands the route's function, in the route's payload format."""
    if api_route.payload_version == "1.0":
        resource = "/{proxy+}" if api_route.path == DEFAULT else api_route.path
        if api_route.kind == "Api":
            return v1_event(request, resource=resource, path_parameters=parameters, stage=api_route.api.stage,
                            api_id=REST_API_ID, account_id=DEFAULT_ACCOUNT)
        return {"version": "1.0", **v1_event(request, resource=resource, path_parameters=parameters,
                                             stage=api_route.api.stage, api_id=HTTP_API_ID,
                                             account_id=DEFAULT_ACCOUNT)}
    route_key = DEFAULT if api_route.path == DEFAULT else f"{api_route.method} {api_route.path}"
    return v2_event(request, api_id=HTTP_API_ID, account_id=DEFAULT_ACCOUNT, route_key=route_key,
                    path_parameters=parameters)


def on_path(api_routes: list[ApiRoute], raw_path: str) -> list[ApiRoute]:
    """The routes whose path takes this request's path, whatever their method (the most specific path's only; an
    HttpApi `$default` route's when no path takes it)."""
    found = find([replace(route, method="ANY") for route in api_routes], "ANY", raw_path)
    return [] if found is None else [route for route in api_routes if route.path == found[0].path]


def cors_answer(api_routes: list[ApiRoute], request: HttpRequest) -> HttpResponse | None:
    """The answer API Gateway gives an OPTIONS request itself, from the CORS settings of the path's API; None when
    the request is not one it answers (it then goes to the routes, as any other)."""
    if request.method.upper() != "OPTIONS":
        return None
    same_path = on_path(api_routes, request.raw_path)
    rest = [(route.api, route.api.cors) for route in same_path if isinstance(route.api.cors, RestCors)]
    if rest and not any(route.method == "OPTIONS" for route in same_path):
        # SAM adds an OPTIONS method (a mock integration) to every path of an API with Cors.
        api, rest_cors = rest[0]
        methods = {route.method for route in same_path if route.api == api}
        return HttpResponse(200, (("Content-Type", JSON), *rest_cors.headers(methods)), b"")
    lowered = {key.lower(): value for key, value in request.headers}
    http = [route.api.cors for route in same_path if isinstance(route.api.cors, HttpCors)]
    if http and cors_headers.is_preflight(request.method, lowered):
        return cors_headers.preflight(http[0].as_url_cors(), lowered)
    return None


def answer(console: Console, request: HttpRequest, too_large: bool) -> HttpResponse:
    """The answer of the served API routes to one request (at the API port's root)."""
    api_routes = console.api_routes()
    preflight = cors_answer(api_routes, request)
    if preflight is not None:
        return preflight
    found = find(api_routes, request.method, request.raw_path)
    if found is None:
        return unmatched(api_routes)
    api_route, parameters = found
    http_cors = api_route.api.cors.as_url_cors() if isinstance(api_route.api.cors, HttpCors) else None
    invoked = _invoked(console, api_routes, api_route, parameters, request, too_large)
    return cors_headers.apply(http_cors, request.header("origin"), invoked)


def _invoked(console: Console, api_routes: list[ApiRoute], api_route: ApiRoute, parameters: dict[str, str],
             request: HttpRequest, too_large: bool) -> HttpResponse:
    """The route's function's answer, converted as API Gateway converts it."""
    if too_large:
        return gateway_error(413)
    event = json.dumps(event_for(api_route, request, parameters))
    if len(event.encode()) > MAX_REQUEST_BYTES:
        return gateway_error(413)
    try:
        record = console.invoke(api_route.function, event, source="api", request_id=request.request_id)
    except TooManyRequestsError:
        return gateway_error(429)
    except RequestTooLargeError:
        return gateway_error(413)
    except FunctionNotFound:  # removed since the routes were read
        return unmatched(api_routes)
    if not record.succeeded:
        return gateway_error(502)
    convert = v1_response if api_route.payload_version == "1.0" else v2_response
    try:
        return convert(record.payload)
    except MalformedResult as exc:
        log.warning("%s %s of %s: the result is not a response (%s): answered 502", api_route.method,
                    api_route.path, api_route.function, exc)
        return gateway_error(502)
