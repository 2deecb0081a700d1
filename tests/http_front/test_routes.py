"""API Gateway's route matching for SAM's Api and HttpApi events: parameters, greedy paths, ANY, and which of
several matching routes wins."""

from __future__ import annotations

import pytest

from console.http_front.routes import Route, RouteError, match

ROUTES = [Route("GET", "/items"), Route("GET", "/items/{id}"), Route("POST", "/items"),
          Route("ANY", "/items/{id}"), Route("GET", "/items/special"), Route("ANY", "/{proxy+}"),
          Route("GET", "/files/{path+}")]


@pytest.mark.parametrize(("method", "path", "route", "parameters"), [
    ("GET", "/items", Route("GET", "/items"), {}),
    ("POST", "/items", Route("POST", "/items"), {}),
    ("GET", "/items/42", Route("GET", "/items/{id}"), {"id": "42"}),
    ("DELETE", "/items/42", Route("ANY", "/items/{id}"), {"id": "42"}),  # ANY takes the other methods
    ("GET", "/items/special", Route("GET", "/items/special"), {}),  # a literal beats a parameter
    ("GET", "/files/a/b%20c.txt", Route("GET", "/files/{path+}"), {"path": "a/b c.txt"}),
    ("PUT", "/anything/else", Route("ANY", "/{proxy+}"), {"proxy": "anything/else"}),
    ("GET", "/items/42/", Route("GET", "/items/{id}"), {"id": "42"}),
])
def test_the_most_specific_route_wins(method: str, path: str, route: Route, parameters: dict) -> None:
    found = match(ROUTES, method, path)
    assert found is not None and found.route == route and found.path_parameters == parameters


def test_nothing_matches_is_none() -> None:
    assert match([Route("GET", "/items")], "POST", "/items") is None
    assert match([Route("GET", "/{proxy+}")], "GET", "/") is None  # a greedy part takes at least one segment
    assert match([Route("GET", "/items/{id}")], "GET", "/items/1/2") is None


def test_route_key_as_http_apis_write_it() -> None:
    assert Route("get", "/items/{id}").route_key == "GET /items/{id}"


@pytest.mark.parametrize("path", ["items", "/items/{id", "/{proxy+}/more", "/a{b}"])
def test_bad_route_paths_are_refused(path: str) -> None:
    with pytest.raises(RouteError):
        Route("GET", path)
