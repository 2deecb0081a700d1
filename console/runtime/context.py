"""The handler's `context` object, with the attributes and methods Lambda documents (LAMBDA_SPEC, "The context
object"; AWS's "Using the Lambda context object to retrieve Python function information").

Its class names and reprs are those a handler sees on Lambda, so that a handler printing its context logs the same.
"""

from __future__ import annotations

import sys
import time

from .logs import sink_of_root_logger
from .process import getenv

TYPE_CHECKING = False  # not imported from typing, which costs a cold start; annotations quote these names
if TYPE_CHECKING:
    from typing import Any

# The W3C trace context fields a caller may pass in the client context's "w3c" object.
W3C_FIELDS = ("traceparent", "tracestate", "baggage")


def _describe(obj: object, fields: tuple) -> str:
    """`Name([field=value,field=value])`: how Lambda's runtime shows its context objects."""
    listed = ",".join(f"{field}={getattr(obj, field)}" for field in fields)
    return f"{type(obj).__name__}([{listed}])"


class _FromHeader:
    """An object whose attributes are read from a decoded header, None for what the header lacks."""

    __slots__: tuple = ()
    _shown: tuple = ()

    def __init__(self, fields: Any) -> None:
        """fields: a decoded header's object (a dict; anything else fails as on Lambda, on its missing .get)."""
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __repr__(self) -> str:
        return _describe(self, self._shown)


class CognitoIdentity(_FromHeader):
    """context.identity: the Amazon Cognito identity of a mobile caller (both None when there is none)."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")
    _shown = __slots__
    cognito_identity_id: str | None
    cognito_identity_pool_id: str | None


class Client(_FromHeader):
    """context.client_context.client: the calling mobile application."""

    __slots__ = ("app_package_name", "app_title", "app_version_code", "app_version_name", "installation_id")
    _shown = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext(_FromHeader):
    """context.client_context: what the caller passed as client context (custom, env, client)."""

    __slots__ = ("client", "custom", "env")
    _shown = ("custom", "env", "client")
    client: Any

    def __init__(self, fields: Any) -> None:
        super().__init__(fields)
        if self.client is not None:
            self.client = Client(self.client)


def _take_w3c(client_context: object) -> dict:
    """Remove the "w3c" object from a client context dict; return its string-valued trace context fields."""
    if not isinstance(client_context, dict) or "w3c" not in client_context:
        return {}
    given = client_context.pop("w3c")
    if not isinstance(given, dict):
        return {}
    return {name: given[name] for name in W3C_FIELDS if isinstance(given.get(name), str)}


class LambdaContext:
    """The handler's `context`: this invocation's and this function's properties."""

    _shown = (
        "aws_request_id",
        "log_group_name",
        "log_stream_name",
        "function_name",
        "memory_limit_in_mb",
        "function_version",
        "invoked_function_arn",
        "client_context",
        "identity",
        "tenant_id",
    )

    def __init__(
        self,
        request_id: str,
        client_context: Any,
        cognito_identity: Any,
        deadline_ms: int,
        invoked_function_arn: str | None = None,
        tenant_id: str | None = None,
    ) -> None:
        self.aws_request_id = request_id
        self.log_group_name = getenv("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = getenv("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = getenv("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")  # a str, as on Lambda
        self.function_version = getenv("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        # The trace context is only reachable through w3c(), not through client_context.
        self._w3c = _take_w3c(client_context)
        self.client_context = None if client_context is None else ClientContext(client_context)
        self.identity = CognitoIdentity({})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out, never below 0."""
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def w3c(self) -> dict:
        """The W3C trace context (traceparent, tracestate, baggage) the caller passed in the client context."""
        return self._w3c.copy()

    def log(self, message: object) -> None:
        """Write message to the function's log, as the runtime's own log lines are written."""
        sink = sink_of_root_logger()
        if sink is None:
            sys.stdout.write(str(message))
        else:
            sink.log(str(message))

    def __repr__(self) -> str:
        return _describe(self, self._shown)

