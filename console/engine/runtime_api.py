"""The Lambda Runtime API, served on loopback to the console's own workers.

Each execution environment gets its own listening socket on 127.0.0.1 and a free port, open only while the
environment lives, and its worker's `AWS_LAMBDA_RUNTIME_API` is plain `127.0.0.1:<port>`, as on Lambda: any runtime
client works unmodified. Other local processes are kept out by the port and, where the operating system can tell, by
the peer: on Linux a connection is accepted only from a process of the environment's own tree or session (found
through /proc, see `peers`); on other systems the port alone separates environments. An environment serves one
connection at a time: a second connection while its worker's is open is closed at once, so an idle or flooding client
costs neither a thread nor a buffer.

One thread accepts for every environment (a selector over all listening sockets); each environment's one connection
is served by a thread of its own. Requests are bounded: the head (request line and headers) to `MAX_HEAD_BYTES` and
`MAX_HEADERS` lines, and a connection that opens and sends nothing, or stalls mid-request, is closed after
`IDLE_SECONDS`. Between requests the worker's connection may stay quiet as long as its handler runs. The warm path is
two short requests per invocation: replies go out in one `sendall`, Nagle's algorithm is off, and a request that
arrives whole is read with one `recv`.
"""

from __future__ import annotations

import json
import selectors
import socket
import struct
import threading
from collections.abc import Iterable
from typing import Protocol

from console.engine import peers
from console.engine.invocation import MAX_RESPONSE_BYTES

API_PREFIX = "/2018-06-01/runtime/"
# The request line and headers together: awslambdaric's X-Ray cause header goes up to 1 MiB.
MAX_HEAD_BYTES = 1_100_000
MAX_HEADERS = 64
# A connection that sends nothing, or stops mid-request, for this long is closed.
IDLE_SECONDS = 5.0
_MAX_ERROR_BODY = MAX_RESPONSE_BYTES


class Delivery(Protocol):
    """An event handed to a worker by `next`."""

    request_id: str
    payload: bytes
    headers: list[tuple[str, str]]


class RuntimeEndpoint(Protocol):
    """What the server needs of an execution environment."""

    def runtime_processes(self) -> Iterable[int]:
        """The processes allowed to connect: the worker first, then what it started (searched lazily)."""

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
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 404: "Not Found", 411: "Length Required",
            413: "Payload Too Large", 431: "Request Header Fields Too Large"}
_ACCEPTED = b'{"status":"OK"}'


def _reply(conn: socket.socket, status: int, body: bytes, close: bool = False) -> None:
    head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(body)}\r\n"
    if close:
        head += "Connection: close\r\n"
    conn.sendall((head + "\r\n").encode() + body)


def _error_body(error_type: str, message: str) -> bytes:
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


class RuntimeListener:
    """One environment's address on the Runtime API server; `close()` ends its listening socket and connection."""

    def __init__(self, server: RuntimeApiServer, endpoint: RuntimeEndpoint, sock: socket.socket) -> None:
        self.endpoint = endpoint
        self.port: int = sock.getsockname()[1]
        self.address = f"{server.host}:{self.port}"
        self.connection: socket.socket | None = None
        self.closed = False
        self._sock = sock
        self._server = server

    def close(self) -> None:
        self._server._close_listener(self)


class RuntimeApiServer:
    """The Runtime API for every environment of a pool: a listening socket each, one accepting thread for all."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._lock = threading.Lock()
        self._selector = selectors.DefaultSelector()
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_read.setblocking(False)
        self._selector.register(self._wake_read, selectors.EVENT_READ, None)
        self._listeners: set[RuntimeListener] = set()
        self._closed = False
        self._thread = threading.Thread(target=self._accept_loop, name="runtime-api-accept", daemon=True)
        self._thread.start()

    def open(self, endpoint: RuntimeEndpoint) -> RuntimeListener:
        """A new listening socket for `endpoint`; its `address` is the worker's AWS_LAMBDA_RUNTIME_API."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, 0))
            sock.listen(64)
            sock.setblocking(False)
            listener = RuntimeListener(self, endpoint, sock)
            with self._lock:
                if self._closed:  # the engine is shutting down: a worker started now finds nobody and exits
                    listener.closed = True
                    sock.close()
                    return listener
                self._listeners.add(listener)
                self._selector.register(sock, selectors.EVENT_READ, listener)
        except BaseException:
            sock.close()
            raise
        return listener

    def _close_listener(self, listener: RuntimeListener) -> None:
        with self._lock:
            if listener.closed:
                return
            listener.closed = True
            self._listeners.discard(listener)
            try:
                self._selector.unregister(listener._sock)
            except (KeyError, ValueError):
                pass
            listener._sock.close()
            conn = listener.connection
        if conn is not None:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # its serving thread sees the end and closes it
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            self._closed = True
            listeners = list(self._listeners)
        for listener in listeners:
            listener.close()
        try:
            self._wake_write.send(b"x")
        except OSError:
            pass
        self._thread.join(timeout=5)

    # -- accepting -------------------------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        try:
            while not self._closed:
                for key, _events in self._selector.select():
                    if key.data is None:
                        try:
                            self._wake_read.recv(64)
                        except OSError:
                            pass
                    else:
                        self._accept_all(key.data)
        finally:
            self._selector.close()
            self._wake_read.close()
            self._wake_write.close()

    def _accept_all(self, listener: RuntimeListener) -> None:
        """Take every connection waiting on `listener`: the worker's is served, any other closed at once."""
        while True:
            with self._lock:
                if listener.closed:
                    return
                try:
                    conn, peer = listener._sock.accept()
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    return  # out of descriptors, or the socket went: the next readiness retries
                busy = listener.connection is not None and not peers.hung_up(listener.connection)
            if busy or not self._is_worker(listener, peer[1]):
                conn.close()
                continue
            conn.setblocking(True)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                held = listener.connection
                if listener.closed or (held is not None and not peers.hung_up(held)):
                    conn.close()
                    continue
                listener.connection = conn  # a held connection its peer has left is served out by its own thread
            threading.Thread(target=self._serve, args=(listener, conn), name="runtime-api-conn", daemon=True).start()

    @staticmethod
    def _is_worker(listener: RuntimeListener, peer_port: int) -> bool:
        if not peers.SUPPORTED:
            return True  # the port alone separates environments here
        try:
            return peers.connected_from(listener.port, peer_port, listener.endpoint.runtime_processes()) is not None
        except Exception:  # noqa: BLE001 - whatever went wrong, the accepting thread goes on; the peer is refused
            return False

    # -- serving the worker's connection -------------------------------------------------------------------------

    def _serve(self, listener: RuntimeListener, conn: socket.socket) -> None:
        reader = _Reader(conn)
        try:
            while self._handle_one(conn, reader, listener):
                pass
        except (OSError, ValueError):
            pass  # the worker went away mid-request, or stalled past the idle timeout
        finally:
            with self._lock:
                if listener.connection is conn:
                    listener.connection = None
            try:
                conn.close()
            except OSError:
                pass

    def _release(self, listener: RuntimeListener, conn: socket.socket) -> None:
        """Free the environment's one connection before this one is hung up, so that the worker's next connection,
        which may come the moment the reply arrives, is not refused as a second one."""
        with self._lock:
            if listener.connection is conn:
                listener.connection = None

    def _handle_one(self, conn: socket.socket, reader: _Reader, listener: RuntimeListener) -> bool:
        """Serve one request; False when the connection is to be closed."""
        endpoint = listener.endpoint
        try:
            head = reader.head()
            if head is None:
                return False
            method, route, headers, length = _parse_head(head)
        except _BadRequest as bad:
            self._release(listener, conn)
            _reply(conn, bad.status, _error_body("InvalidRequest", bad.message), close=True)
            return False

        if method == "GET" and route == "invocation/next":
            if length:
                reader.discard(length)
            return self._next(conn, endpoint)
        if method != "POST":
            self._release(listener, conn)
            _reply(conn, 404, _error_body("InvalidRequest", f"No route for {method} {route}"), close=True)
            return False

        error_type = headers.get("lambda-runtime-function-error-type", "")
        if route.startswith("invocation/") and route.endswith("/response"):
            request_id = route[len("invocation/"):-len("/response")]
            if length > MAX_RESPONSE_BYTES:
                # Lambda refuses the body; the environment is discarded, so the connection need not survive.
                endpoint.runtime_response_too_large(request_id, length)
                self._release(listener, conn)
                _reply(conn, 413, _error_body(
                    "RequestEntityTooLarge",
                    f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
                ), close=True)
                return False
            ok = endpoint.runtime_response(request_id, reader.body(length))
        elif route.startswith("invocation/") and route.endswith("/error"):
            request_id = route[len("invocation/"):-len("/error")]
            body = reader.body(min(length, _MAX_ERROR_BODY))
            reader.discard(length - len(body))  # the excess, so the connection stays in step
            ok = endpoint.runtime_error(request_id, body, error_type)
        elif route == "init/error":
            body = reader.body(min(length, _MAX_ERROR_BODY))
            reader.discard(length - len(body))
            endpoint.runtime_init_error(body, error_type)
            ok = True
        else:
            self._release(listener, conn)
            _reply(conn, 404, _error_body("InvalidRequest", f"No route for {method} {route}"), close=True)
            return False
        if ok:
            _reply(conn, 202, _ACCEPTED)
        else:
            _reply(conn, 400, _error_body("InvalidRequestID", "Invalid request ID"))
        return True

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


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str], int]:
    """(method, route below the API prefix, headers with lower-case names, Content-Length) of a request head."""
    lines = head.decode("latin-1").split("\r\n")
    if len(lines) > MAX_HEADERS + 1:
        raise _BadRequest(431, f"More than {MAX_HEADERS} header lines")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        raise _BadRequest(400, "Malformed request line") from None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        length = -1
    if length < 0 or "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest(411, "A Content-Length is required")
    if not target.startswith(API_PREFIX):
        raise _BadRequest(404, f"No route for {method} {target}")
    return method, target[len(API_PREFIX):], headers, length


class _Reader:
    """Buffered reads of one connection. A request that arrives whole costs one recv; waiting for the first request
    of a connection, or for the rest of one begun, is bounded by IDLE_SECONDS; between requests there is no limit.

    The bound is the socket's own receive timeout (SO_RCVTIMEO), set once: a blocking recv gives up after it, so the
    warm path makes no extra system call. Between requests such a give-up just means the handler is still running.
    """

    def __init__(self, conn: socket.socket) -> None:
        self._conn = conn
        self._buffer = bytearray()
        self._first = True
        seconds = int(IDLE_SECONDS)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                        struct.pack("ll", seconds, int((IDLE_SECONDS - seconds) * 1_000_000)))

    def _recv(self, bounded: bool) -> bytes:
        while True:
            try:
                return self._conn.recv(65_536)
            except (BlockingIOError, TimeoutError):  # the receive timeout passed with nothing sent
                if bounded:
                    raise TimeoutError("the connection was idle too long") from None

    def head(self) -> bytes | None:
        """The next request's head without its blank line; None when the connection ends between requests."""
        buffer = self._buffer
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            if len(buffer) > MAX_HEAD_BYTES:
                raise _BadRequest(431, f"The request line and headers exceed {MAX_HEAD_BYTES} bytes")
            chunk = self._recv(bounded=self._first or bool(buffer))
            if not chunk:
                return None
            buffer += chunk
        self._first = False
        if end > MAX_HEAD_BYTES:
            raise _BadRequest(431, f"The request line and headers exceed {MAX_HEAD_BYTES} bytes")
        head = bytes(buffer[:end])
        del buffer[:end + 4]
        return head

    def body(self, length: int) -> bytes:
        buffer = self._buffer
        while len(buffer) < length:
            chunk = self._recv(bounded=True)
            if not chunk:
                raise OSError("the connection ended mid-request")
            buffer += chunk
        body = bytes(buffer[:length])
        del buffer[:length]
        return body

    def discard(self, length: int) -> None:
        while length > 0:
            part = self.body(min(length, 65_536))
            length -= len(part)
