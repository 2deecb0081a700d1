"""The Lambda Runtime API, served on loopback to the console's own workers.

Each execution environment gets an unguessable token, and its worker's `AWS_LAMBDA_RUNTIME_API` is
`127.0.0.1:<port>/<token>`: every path a runtime client builds from it starts with the token, so another local
process can neither take an invocation meant for a worker nor answer one. A request under an unknown token gets 403.

A small HTTP/1.1 server of our own rather than `http.server`: a worker keeps one keep-alive connection and the warm
path is two short requests per invocation, so parsing is kept to the few headers the protocol uses, replies go out in
one `sendall`, and Nagle's algorithm is off on every connection. A connection thread blocked on `next` is woken with
None when its environment retires, so no thread is left waiting for a worker that died.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Protocol

from console.engine.invocation import MAX_RESPONSE_BYTES

API_PREFIX = "/2018-06-01/runtime/"
# A request or header line may be this long: awslambdaric's X-Ray cause header goes up to 1 MiB.
_MAX_LINE = 1_100_000
_MAX_ERROR_BODY = MAX_RESPONSE_BYTES


class Delivery(Protocol):
    """An event handed to a worker by `next`."""

    request_id: str
    payload: bytes
    headers: list[tuple[str, str]]


class RuntimeEndpoint(Protocol):
    """What the server needs of an execution environment."""

    def runtime_next(self) -> Delivery | None:
        """Block until the next event for this worker; None when the environment is retiring."""

    def runtime_response(self, request_id: str, body: bytes) -> bool:
        """The handler's result; False when `request_id` is not the invocation in progress."""

    def runtime_error(self, request_id: str, body: bytes, error_type: str) -> bool:
        """The handler's error payload; False when `request_id` is not the invocation in progress."""

    def runtime_init_error(self, body: bytes, error_type: str) -> None:
        """The init phase failed; the worker exits after this."""

    def runtime_response_too_large(self, request_id: str, size: int) -> bool:
        """The worker tried to return more than Lambda allows."""


class _BadRequest(Exception):
    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            411: "Length Required", 413: "Payload Too Large"}
_ACCEPTED = b'{"status":"OK"}'


def _reply(conn: socket.socket, status: int, body: bytes, headers: list[tuple[str, str]] | None = None,
           close: bool = False) -> None:
    head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}"]
    head.append("Content-Type: application/json")
    for name, value in headers or ():
        head.append(f"{name}: {value}")
    head.append(f"Content-Length: {len(body)}")
    if close:
        head.append("Connection: close")
    conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)


def _error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class RuntimeApiServer:
    """A threaded Runtime API server on 127.0.0.1 and a free port; environments register under their token."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(128)
        self.host, self.port = self._listener.getsockname()[:2]
        self._endpoints: dict[str, RuntimeEndpoint] = {}
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept_loop, name="runtime-api-accept", daemon=True)
        self._thread.start()

    def address(self, token: str) -> str:
        """The value of AWS_LAMBDA_RUNTIME_API for the environment registered under `token`."""
        return f"{self.host}:{self.port}/{token}"

    def register(self, token: str, endpoint: RuntimeEndpoint) -> None:
        with self._lock:
            self._endpoints[token] = endpoint

    def unregister(self, token: str) -> None:
        with self._lock:
            self._endpoints.pop(token, None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections = list(self._connections)
            self._endpoints.clear()
        try:
            self._listener.close()
        except OSError:
            pass
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # -- connections -------------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), name="runtime-api-conn", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb", buffering=65_536)
        try:
            while self._handle_one(conn, reader):
                pass
        except (OSError, ValueError):
            pass  # the worker went away mid-request
        finally:
            with self._lock:
                self._connections.discard(conn)
            try:
                reader.close()
                conn.close()
            except OSError:
                pass

    def _handle_one(self, conn: socket.socket, reader) -> bool:
        """Serve one request; False when the connection is to be closed."""
        line = reader.readline(_MAX_LINE)
        if not line:
            return False
        try:
            method, target, _version = line.decode("latin-1").split(" ", 2)
        except ValueError:
            _reply(conn, 400, _error_body("InvalidRequest", "Malformed request line"), close=True)
            return False
        headers: dict[str, str] = {}
        while True:
            raw = reader.readline(_MAX_LINE)
            if raw in (b"\r\n", b"\n"):
                break
            if not raw:
                return False
            name, _, value = raw.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        try:
            length = int(headers.get("content-length", "0"))
        except ValueError:
            length = -1
        if length < 0 or "chunked" in headers.get("transfer-encoding", "").lower():
            _reply(conn, 411, _error_body("InvalidRequest", "A Content-Length is required"), close=True)
            return False

        token, _, path = target.lstrip("/").partition("/")
        with self._lock:
            endpoint = self._endpoints.get(token)
        if endpoint is None or not ("/" + path).startswith(API_PREFIX):
            # Not one of our workers (or not the Runtime API): say nothing more and hang up.
            _reply(conn, 403, _error_body("AccessDenied", "Unknown runtime endpoint"), close=True)
            return False
        route = path[len(API_PREFIX) - 1:]

        if method == "GET" and route == "invocation/next":
            if length:
                reader.read(length)
            return self._next(conn, endpoint)
        if method != "POST":
            _reply(conn, 404, _error_body("InvalidRequest", f"No route for {method} {route}"), close=True)
            return False

        error_type = headers.get("lambda-runtime-function-error-type", "")
        if route.startswith("invocation/") and route.endswith("/response"):
            request_id = route[len("invocation/"):-len("/response")]
            if length > MAX_RESPONSE_BYTES:
                # Lambda refuses the body; the environment is discarded, so the connection need not survive.
                endpoint.runtime_response_too_large(request_id, length)
                _reply(conn, 413, _error_body(
                    "RequestEntityTooLarge",
                    f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
                ), close=True)
                return False
            body = reader.read(length)
            ok = endpoint.runtime_response(request_id, body)
        elif route.startswith("invocation/") and route.endswith("/error"):
            request_id = route[len("invocation/"):-len("/error")]
            body = self._read_bounded(reader, length)
            ok = endpoint.runtime_error(request_id, body, error_type)
        elif route == "init/error":
            body = self._read_bounded(reader, length)
            endpoint.runtime_init_error(body, error_type)
            ok = True
        else:
            _reply(conn, 404, _error_body("InvalidRequest", f"No route for {method} {route}"), close=True)
            return False
        if ok:
            _reply(conn, 202, _ACCEPTED)
        else:
            _reply(conn, 400, _error_body("InvalidRequestID", "Invalid request ID"))
        return True

    @staticmethod
    def _read_bounded(reader, length: int) -> bytes:
        body = reader.read(min(length, _MAX_ERROR_BODY))
        remaining = length - len(body)
        while remaining > 0:  # discard the excess so the connection stays in step
            chunk = reader.read(min(remaining, 65_536))
            if not chunk:
                break
            remaining -= len(chunk)
        return body

    def _next(self, conn: socket.socket, endpoint: RuntimeEndpoint) -> bool:
        delivery = endpoint.runtime_next()
        if delivery is None:
            return False  # the environment is retiring: hang up, the worker exits
        head = ["HTTP/1.1 200 OK", "Content-Type: application/json"]
        head.extend(f"{name}: {value}" for name, value in delivery.headers)
        head.append(f"Content-Length: {len(delivery.payload)}")
        # UTF-8, not latin-1: a client context header may carry any text.
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + delivery.payload)
        return True
