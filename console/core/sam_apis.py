"""The APIs of a SAM template that its functions' Api and HttpApi events belong to: their stage and CORS settings.

An event names its API with `RestApiId` (Api) or `ApiId` (HttpApi), a `!Ref` of an `AWS::Serverless::Api` or
`AWS::Serverless::HttpApi` resource; without one it belongs to the template's implicit API. Globals.Api and
Globals.HttpApi apply to both, merged as Globals.Function is (the resource's own values win).

CORS follows SAM's specification pages and API Gateway's "Enabling CORS" guides:
- a REST API's `Cors` (a quoted origin string such as "'https://example.com'", or AllowOrigin, AllowMethods,
  AllowHeaders, MaxAge, each a quoted string, and AllowCredentials) gives each of the API's paths an OPTIONS method
  answered by API Gateway itself with those headers. Other methods go to the function through the proxy integration,
  whose own answer must carry the CORS headers: API Gateway adds none.
- an HTTP API's `CorsConfiguration` (`true`, every origin, method and header; or AllowOrigins, AllowMethods,
  AllowHeaders, ExposeHeaders, MaxAge, AllowCredentials, as function URLs take them) makes API Gateway answer
  preflight requests and put the configured headers on every answer, in place of the function's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from console.core.sam_globals import merge_globals
from console.core.sam_intrinsics import Resolver, Unresolved, is_intrinsic

REST_API_TYPE = "AWS::Serverless::Api"
HTTP_API_TYPE = "AWS::Serverless::HttpApi"
REST_IMPLICIT_STAGE = "Prod"  # the stage SAM deploys a template's implicit REST API to
HTTP_DEFAULT_STAGE = "$default"
# A REST API's OPTIONS answer for a path with an ANY method lists every method (SAM's generated definition does).
ALL_METHODS = "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"


class ApiProblem(Exception):
    """An API setting that cannot be read; the event is then served without it, and the message says why."""


@dataclass(frozen=True)
class RestCors:
    """A REST API's Cors, the quotes of SAM's string values taken off: what its OPTIONS methods answer."""

    allow_origin: str
    allow_methods: str | None = None  # None: the methods the path has, and OPTIONS
    allow_headers: str | None = None
    max_age: str | None = None
    allow_credentials: bool = False

    def headers(self, path_methods: set[str]) -> tuple[tuple[str, str], ...]:
        methods = self.allow_methods
        if methods is None:
            methods = ALL_METHODS if "ANY" in path_methods else ",".join(sorted(path_methods | {"OPTIONS"}))
        headers = [("Access-Control-Allow-Origin", self.allow_origin), ("Access-Control-Allow-Methods", methods)]
        if self.allow_headers is not None:
            headers.append(("Access-Control-Allow-Headers", self.allow_headers))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", self.max_age))
        if self.allow_credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return tuple(headers)


@dataclass(frozen=True)
class HttpCors:
    """An HTTP API's CorsConfiguration, in the shape function URLs' Cors has (console.http_front.cors reads it)."""

    allow_origins: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    allow_credentials: bool = False

    def as_url_cors(self) -> dict[str, object]:
        cors: dict[str, object] = {"AllowOrigins": list(self.allow_origins), "AllowMethods": list(self.allow_methods),
                                   "AllowHeaders": list(self.allow_headers),
                                   "ExposeHeaders": list(self.expose_headers),
                                   "AllowCredentials": self.allow_credentials}
        if self.max_age is not None:
            cors["MaxAge"] = self.max_age
        return cors


@dataclass(frozen=True)
class ApiSettings:
    """What an event's API gives it: the stage its events name, and its CORS settings (None: no CORS)."""

    stage: str
    cors: RestCors | HttpCors | None = None

    @classmethod
    def implicit(cls, kind: str) -> ApiSettings:
        """The settings of the implicit API of `kind` ("Api" or "HttpApi") without Globals."""
        return cls(REST_IMPLICIT_STAGE if kind == "Api" else HTTP_DEFAULT_STAGE)


class ApiReader:
    """The API settings of one template's events."""

    def __init__(self, resources: Mapping[str, Any], globals_section: Any, resolver: Resolver) -> None:
        self.resources = resources
        self.resolver = resolver
        section = globals_section if isinstance(globals_section, dict) else {}
        self.globals: dict[str, Mapping[str, Any]] = {}
        for kind in ("Api", "HttpApi"):
            value = section.get(kind)
            self.globals[kind] = value if isinstance(value, dict) else {}

    def settings(self, kind: str, api: Any) -> ApiSettings:
        """The settings of an event of `kind` ("Api", "HttpApi") whose RestApiId/ApiId is `api` (None: implicit).
        ApiProblem when the API named cannot be read."""
        globals_ = self.globals[kind]
        if api is None:
            properties: Mapping[str, Any] = globals_
            stage = ApiSettings.implicit(kind).stage
        else:
            name = api.get("Ref") if isinstance(api, dict) and len(api) == 1 else api
            wanted = REST_API_TYPE if kind == "Api" else HTTP_API_TYPE
            resource = self.resources.get(name) if isinstance(name, str) else None
            if not isinstance(resource, dict) or resource.get("Type") != wanted:
                field = "RestApiId" if kind == "Api" else "ApiId"
                raise ApiProblem(f"{field} must be a !Ref of an {wanted} of this template")
            own = resource.get("Properties") or {}
            properties = merge_globals(globals_, own if isinstance(own, dict) else {})
            stage = self._text(properties.get("StageName"), "StageName") or ApiSettings.implicit(kind).stage
        if kind == "Api":
            return ApiSettings(stage, self._rest_cors(properties.get("Cors")))
        return ApiSettings(stage, self._http_cors(properties.get("CorsConfiguration")))

    def _text(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        try:
            return self.resolver.text(value, where)
        except Unresolved as exc:
            raise ApiProblem(f"{where}: {exc}") from None

    def _value(self, value: Any, where: str) -> Any:
        try:
            return self.resolver.resolve(value)
        except Unresolved as exc:
            raise ApiProblem(f"{where}: {exc}") from None

    def _quoted(self, value: Any, where: str) -> str | None:
        """A REST API Cors value: SAM passes it to API Gateway as a header mapping, so it is quoted ('*')."""
        text = self._text(value, f"Cors.{where}")
        if text is None:
            return None
        if len(text) < 2 or text[0] != "'" or text[-1] != "'":
            raise ApiProblem(f"Cors.{where}: {text!r} must be quoted inside the string, as \"'{text}'\"")
        return text[1:-1]

    def _rest_cors(self, cors: Any) -> RestCors | None:
        if cors is None:
            return None
        if not isinstance(cors, dict) or is_intrinsic(cors):
            origin = self._quoted(cors, "AllowOrigin")
            return RestCors(origin) if origin is not None else None
        origin = self._quoted(cors.get("AllowOrigin"), "AllowOrigin")
        if origin is None:
            raise ApiProblem("Cors: AllowOrigin is required")
        credentials = _true(self._value(cors.get("AllowCredentials", False), "Cors.AllowCredentials"))
        return RestCors(origin, self._quoted(cors.get("AllowMethods"), "AllowMethods"),
                        self._quoted(cors.get("AllowHeaders"), "AllowHeaders"),
                        self._quoted(cors.get("MaxAge"), "MaxAge"), credentials)

    def _http_cors(self, cors: Any) -> HttpCors | None:
        cors = self._value(cors, "CorsConfiguration")
        if cors is None or cors is False or cors in ("false", "False"):
            return None
        if _true(cors):
            return HttpCors(("*",), ("*",), ("*",))
        if not isinstance(cors, dict):
            raise ApiProblem("CorsConfiguration must be true or a mapping (AllowOrigins, AllowMethods...)")

        def names(key: str) -> tuple[str, ...]:
            value = cors.get(key) or []
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ApiProblem(f"CorsConfiguration.{key} must be a list of strings")
            return tuple(value)

        max_age = cors.get("MaxAge")
        if max_age is not None and not (isinstance(max_age, int) or str(max_age).isdigit()):
            raise ApiProblem(f"CorsConfiguration.MaxAge {max_age!r} must be a number of seconds")
        return HttpCors(names("AllowOrigins"), names("AllowMethods"), names("AllowHeaders"), names("ExposeHeaders"),
                        None if max_age is None else int(max_age), _true(cors.get("AllowCredentials")))


def _true(value: Any) -> bool:
    """A template's boolean: YAML's true, or the string CloudFormation makes of it (a parameter's "true")."""
    return value is True or value in ("true", "True")
