"""Which operation of AWS Lambda's service model a request addresses, by its method and path.

botocore ships the model (its `lambda` service description): every operation with its HTTP method and request URI
template, under one of the API's date prefixes (`/2015-03-31/functions`, `/2018-10-31/layers`, `/2017-03-31/tags`...).
A request for an operation this console does not implement is answered with an AWS-shaped error that names the
operation, never an HTML page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

# An API path starts with the date of the API version that introduced its operations.
DATED_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}(?:/|$)")


@lru_cache(maxsize=1)
def _routes() -> tuple[tuple[str, re.Pattern[str], dict[str, str], str, str], ...]:
    """(method, path pattern, fixed query, operation name, URI template) for every operation of the model, those
    with a fixed query first (`GET /2018-10-31/layers?find=LayerVersion` before `GET /2018-10-31/layers`)."""
    import botocore.loaders

    model = botocore.loaders.Loader().load_service_model("lambda", "service-2")
    routes = []
    for name, operation in model["operations"].items():
        template = operation["http"]["requestUri"]
        path_template, _, query = template.partition("?")
        pattern = ""
        for piece in re.split(r"(\{[^}]+\})", path_template.rstrip("/") or "/"):
            if piece.startswith("{"):
                pattern += ".+" if piece.endswith("+}") else "[^/]+"
            else:
                pattern += re.escape(piece)
        fixed = dict(pair.partition("=")[::2] for pair in query.split("&") if pair)
        routes.append((operation["http"]["method"], re.compile(f"^{pattern}/?$"), fixed, name, template))
    routes.sort(key=lambda route: not route[2])
    return tuple(routes)


def operation_for(method: str, path: str, query: Mapping[str, str]) -> tuple[str, str] | None:
    """(name, URI template) of the operation `method path?query` addresses, or None when the model has none."""
    for route_method, pattern, fixed, name, template in _routes():
        if route_method == method and pattern.match(path) and all(query.get(k) == v for k, v in fixed.items()):
            return name, template
    return None
