"""API Gateway's route matching, for SAM's `Api` (REST, payload 1.0) and `HttpApi` (payload 2.0) events: a path
such as `/items/{id}` takes one segment per parameter, a greedy `/{proxy+}` one or more, method `ANY` every method.

When several routes match, API Gateway picks the most specific (its "Routing API requests" rules): more literal
segments first, then parameters before a greedy one, then a named method before ANY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_PARAMETER = re.compile(r"\{([A-Za-z0-9._-]+)(\+?)\}")


class RouteError(ValueError):
    """A route path API Gateway refuses; the message says which and why."""


@dataclass(frozen=True)
class Route:
    """One route: its method (`GET`, `ANY`...) and path (`/items/{id}`, `/{proxy+}`)."""

    method: str
    path: str

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            raise RouteError(f"Route path {self.path!r} must start with /.")
        segments = _segments(self.path)
        for index, segment in enumerate(segments):
            found = _PARAMETER.fullmatch(segment)
            if found is None and ("{" in segment or "}" in segment):
                raise RouteError(f"Route path {self.path!r}: {segment!r} must be a whole {{name}} segment.")
            if found and found.group(2) and index != len(segments) - 1:
                raise RouteError(f"Route path {self.path!r}: a greedy {segment} must be the last segment.")

    @property
    def route_key(self) -> str:
        """HTTP APIs' routeKey: `GET /items/{id}`."""
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Match:
    route: Route
    path_parameters: dict[str, str]


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _match_path(route_path: str, raw_path: str) -> tuple[dict[str, str], tuple[int, int]] | None:
    """The path parameters and the route's specificity (literal segments, plain parameters), or None."""
    pattern, given = _segments(route_path), _segments(raw_path)
    parameters: dict[str, str] = {}
    literals = plain = 0
    for index, segment in enumerate(pattern):
        found = _PARAMETER.fullmatch(segment)
        if found and found.group(2):  # greedy: one or more of the rest
            rest = given[index:]
            if not rest:
                return None
            parameters[found.group(1)] = unquote("/".join(rest))
            return parameters, (literals, plain)
        if index >= len(given):
            return None
        if found:
            parameters[found.group(1)] = unquote(given[index])
            plain += 1
        elif segment != given[index]:
            return None
        else:
            literals += 1
    if len(given) != len(pattern):
        return None
    return parameters, (literals, plain + 1)  # no greedy part: more specific than one of the same length


def match(routes: list[Route], method: str, raw_path: str) -> Match | None:
    """The route API Gateway would send this request to, with its path parameters; None when none matches (404)."""
    best: tuple[tuple[int, int, int], Match] | None = None
    for route in routes:
        if route.method.upper() not in ("ANY", method.upper()):
            continue
        found = _match_path(route.path, raw_path)
        if found is None:
            continue
        parameters, (literals, plain) = found
        score = (literals, plain, 0 if route.method.upper() == "ANY" else 1)
        if best is None or score > best[0]:
            best = (score, Match(route, parameters))
    return None if best is None else best[1]
