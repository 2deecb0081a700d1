"""An HTTP request as the event Lambda hands a function.

Written from AWS's documented payloads: "Invoking Lambda function URLs" (request payload, format 2.0), API Gateway's
"Working with AWS Lambda proxy integrations for HTTP APIs" (formats 1.0 and 2.0) and "Set up Lambda proxy
integrations in API Gateway" (REST APIs, the input format of a proxy integration).
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote

DEFAULT_STAGE = "$default"
ANONYMOUS = "anonymous"  # requestContext.accountId of a function URL whose AuthType is NONE
# Media types whose bodies the function receives as text; every other body arrives base64-encoded
# (isBase64Encoded true), as function URLs and HTTP APIs pass binary content.
TEXT_TYPES = frozenset({
    "application/json", "application/javascript", "application/xml", "application/yaml", "application/x-yaml",
    "application/graphql", "application/ld+json",
})
TEXT_SUFFIXES = ("+json", "+xml", "+yaml")


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as it arrived: nothing decoded or merged yet."""

    method: str
    raw_path: str  # as sent, percent-encoding kept
    raw_query: str = ""  # after the `?`, as sent
    headers: tuple[tuple[str, str], ...] = ()  # in order, repeats kept, names as sent
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    time: float = field(default_factory=time.time)  # epoch seconds
    protocol: str = "HTTP/1.1"
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def header(self, name: str) -> str | None:
        """The first value of a header (names compared without case), None when absent."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    @property
    def host(self) -> str:
        """The host name without its port (`abc.lambda-url.us-east-1.localhost`)."""
        host = (self.header("host") or "").strip().lower()
        if host.startswith("["):
            return host[: host.find("]") + 1]
        return host.rsplit(":", 1)[0]


def is_text(content_type: str | None) -> bool:
    """Whether a body of this Content-Type reaches the function as text rather than base64."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in TEXT_TYPES or media.endswith(TEXT_SUFFIXES)


def encode_body(body: bytes, content_type: str | None) -> tuple[str, bool]:
    """The event's `body` and `isBase64Encoded`: text for text types that are UTF-8, base64 for everything else."""
    if is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _clf_time(epoch: float) -> str:
    """`12/Mar/2020:19:03:58 +0000`: requestContext.time, in the common log format."""
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))


def _query_pairs(raw_query: str) -> list[tuple[str, str]]:
    return parse_qsl(raw_query, keep_blank_values=True)


def _cookies(request: HttpRequest) -> list[str]:
    cookies: list[str] = []
    for name, value in request.headers:
        if name.lower() == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
    return cookies


def v2_event(request: HttpRequest, *, api_id: str, account_id: str = ANONYMOUS,
             authorizer: dict | None = None, route_key: str = "$default", stage: str = DEFAULT_STAGE,
             path_parameters: dict[str, str] | None = None) -> dict:
    """The payload format 2.0 event: a function URL's (routeKey and stage `$default`) or an HTTP API route's.

    Header names are lower-cased and repeated headers joined with commas; the Cookie header moves to `cookies`;
    repeated query parameters are joined with commas in `queryStringParameters`. Keys with nothing to say
    (cookies, queryStringParameters, body) are left out, as Lambda leaves them out."""
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    event: dict = {"version": "2.0", "routeKey": route_key, "rawPath": request.raw_path,
                   "rawQueryString": request.raw_query}
    cookies = _cookies(request)
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query: dict[str, str] = {}
    for key, value in _query_pairs(request.raw_query):
        query[key] = f"{query[key]},{value}" if key in query else value
    if query:
        event["queryStringParameters"] = query
    host = request.host
    context: dict = {"accountId": account_id, "apiId": api_id}
    if authorizer is not None:
        context["authorizer"] = authorizer
    context.update({
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "http": {
            "method": request.method.upper(),
            "path": unquote(request.raw_path),
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": stage,
        "time": _clf_time(request.time),
        "timeEpoch": int(request.time * 1000),
    })
    event["requestContext"] = context
    if path_parameters:
        event["pathParameters"] = path_parameters
    if request.body:
        event["body"], event["isBase64Encoded"] = encode_body(request.body, request.header("content-type"))
    else:
        event["isBase64Encoded"] = False
    return event


def v1_event(request: HttpRequest, *, resource: str, path_parameters: dict[str, str] | None = None,
             stage: str = "Prod", api_id: str = "1234567890", account_id: str = "123456789012",
             stage_variables: dict[str, str] | None = None) -> dict:
    """The payload format 1.0 event of a REST API's Lambda proxy integration (and of an HTTP API asked for 1.0).

    `headers` and `queryStringParameters` hold the last value of each name, `multiValueHeaders` and
    `multiValueQueryStringParameters` every value in order; header names keep their case. Empty maps are null."""
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for key, value in _query_pairs(request.raw_query):
        multi_query.setdefault(key, []).append(value)
    path = unquote(request.raw_path)
    method = request.method.upper()
    body: str | None = None
    encoded = False
    if request.body:
        body, encoded = encode_body(request.body, request.header("content-type"))
    user_agent = request.header("user-agent")
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {name: values[-1] for name, values in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": stage_variables or None,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": request.host,
            "domainPrefix": request.host.split(".", 1)[0],
            "extendedRequestId": request.request_id,
            "httpMethod": method,
            "identity": {
                "accessKey": None, "accountId": None, "caller": None, "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None, "cognitoIdentityId": None, "cognitoIdentityPoolId": None,
                "principalOrgId": None, "sourceIp": request.source_ip, "user": None, "userAgent": user_agent,
                "userArn": None,
            },
            "path": f"/{stage}{path}",
            "protocol": request.protocol,
            "requestId": request.request_id,
            "requestTime": _clf_time(request.time),
            "requestTimeEpoch": int(request.time * 1000),
            "resourceId": "123456",
            "resourcePath": resource,
            "stage": stage,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }
