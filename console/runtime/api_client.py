"""The Lambda Runtime API client: next event, response, error and init error, over one keep-alive connection."""

from __future__ import annotations

import _socket
import sys

from .process import exit_quietly

API_VERSION = "/2018-06-01/runtime/"
USER_AGENT = "aws-lambda-python/{}.{}.{}-lambda-console".format(*sys.version_info[:3])


class RuntimeApiClient:
    """The Lambda Runtime API over plain HTTP/1.1 on one keep-alive TCP connection (TCP_NODELAY).

    `address` is AWS_LAMBDA_RUNTIME_API: `host:port` optionally followed by a path prefix. When the console is gone
    (connection refused, reset or closed), the worker ends at once and quietly: nobody is left to report to.
    """

    def __init__(self, address: str) -> None:
        hostport, _, prefix = address.partition("/")
        host, _, port = hostport.rpartition(":")
        self._host = host.strip("[]")
        self._port = int(port)
        self._base = ("/" + prefix.strip("/") if prefix.strip("/") else "") + API_VERSION
        self._host_header = hostport
        self._sock = None
        self._buffer = bytearray()

    def _connect(self):
        family = _socket.AF_INET6 if ":" in self._host else _socket.AF_INET
        sock = _socket.socket(family, _socket.SOCK_STREAM)
        try:
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            sock.connect((self._host, self._port))
        except BaseException:
            sock.close()
            raise
        self._buffer.clear()
        self._sock = sock
        return sock

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def request(self, method: str, path: str, body: bytes = b"", headers: str = "", encoding: str = "utf-8") -> tuple:
        """Send one request; return (status, headers with lower-case names, body). Exits if the console is gone."""
        head = f"{method} {self._base}{path} HTTP/1.1\r\nHost: {self._host_header}\r\nUser-Agent: {USER_AGENT}\r\n"
        if method == "POST":
            head += f"{headers}Content-Length: {len(body)}\r\n"
        message = head.encode(encoding) + b"\r\n" + body
        try:
            for attempt in (1, 2):
                reused = self._sock is not None
                sock = self._sock or self._connect()
                try:
                    sock.sendall(message)
                    return self._read_response(sock)
                except _Retry:
                    # A reused connection the server had already closed: nothing was processed, send it again.
                    self._close()
                    if not reused or attempt == 2:
                        raise OSError("the Runtime API closed the connection") from None
            raise OSError("the Runtime API closed the connection")  # not reached: the second attempt raised
        except OSError:
            exit_quietly()

    def _read_response(self, sock) -> tuple:
        buffer = self._buffer
        while (end := buffer.find(b"\r\n\r\n")) < 0:
            chunk = sock.recv(65536)
            if not chunk:
                if not buffer:
                    raise _Retry
                raise OSError("the Runtime API closed the connection")
            buffer += chunk
        lines = bytes(buffer[:end]).decode("utf-8", "surrogateescape").split("\r\n")
        del buffer[: end + 4]
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = self._read_chunked(sock)
        else:
            body = self._read_exactly(sock, int(headers.get("content-length") or 0))
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _read_exactly(self, sock, length: int) -> bytes:
        buffer = self._buffer
        if len(buffer) >= length:
            body = bytes(buffer[:length])
            del buffer[:length]
            return body
        # Large events: receive straight into one preallocated buffer.
        received = bytearray(length)
        have = len(buffer)
        received[:have] = buffer
        buffer.clear()
        view = memoryview(received)
        while have < length:
            got = sock.recv_into(view[have:], length - have)
            if not got:
                raise OSError("the Runtime API closed the connection")
            have += got
        return bytes(received)

    def _read_line(self, sock) -> bytes:
        buffer = self._buffer
        while (end := buffer.find(b"\r\n")) < 0:
            chunk = sock.recv(65536)
            if not chunk:
                raise OSError("the Runtime API closed the connection")
            buffer += chunk
        line = bytes(buffer[:end])
        del buffer[: end + 2]
        return line

    def _read_chunked(self, sock) -> bytes:
        parts = []
        while size := int(self._read_line(sock).split(b";")[0], 16):
            parts.append(self._read_exactly(sock, size))
            self._read_line(sock)
        while self._read_line(sock):  # trailers
            pass
        return b"".join(parts)

    def wait_next_invocation(self) -> tuple:
        """Long-poll for the next event: (body bytes, headers)."""
        status, headers, body = self.request("GET", "invocation/next")
        if status != 200:
            exit_quietly()
        return body, headers

    def post_invocation_result(self, request_id: str, result: bytes, content_type: str) -> None:
        self.request("POST", f"invocation/{request_id}/response", result, f"Content-Type: {content_type}\r\n")

    def post_invocation_error(self, request_id: str, error_json: str, error_type: str) -> None:
        headers = (
            f"Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: {_header_value(error_type)}\r\n"
        )
        # As the C client awslambdaric uses, which sends the error JSON as UTF-8.
        self.request("POST", f"invocation/{request_id}/error", error_json.encode("utf-8"), headers)

    def post_init_error(self, error_json: str, error_type: str) -> None:
        # awslambdaric posts init errors with http.client, which encodes a str body and header values as Latin-1
        # and raises UnicodeEncodeError (the runtime then dies, exit status 1) for anything Latin-1 cannot hold.
        # That is what Lambda receives, so it is what we send, failure included.
        headers = f"Lambda-Runtime-Function-Error-Type: {_header_value(error_type)}\r\n"
        self.request("POST", "init/error", error_json.encode("latin-1"), headers, encoding="latin-1")


class _Retry(Exception):
    """The server closed the connection before answering."""


def _header_value(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")
