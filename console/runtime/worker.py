"""The code of a worker process: Lambda's Python runtime interface client, standard library only.

`bootstrap.py` (the engine's entry point) loads this file and calls `main()`. It builds `sys.path` as Lambda's
`/var/runtime/bootstrap.py` does, then either hands over to AWS's own client (`--client awslambdaric`) or runs its own
loop over the Lambda Runtime API, which behaves byte for byte like awslambdaric 4.x: handler resolution and its
`Runtime.*` errors, error payloads, the context object, simplejson's JSON output and error messages, and the
runtime's log format.

Cold start is what a user waits for, so this module imports almost nothing: `posix` for the environment, `_socket` for
HTTP, `_json` (C) for JSON, `importlib` to import the handler, all before sys.path holds the function's folders (which
could shadow them); `logging`, `traceback`, `re`, `decimal` and `site` only when something needs them. It is never
registered in sys.modules: the function cannot see it, and it imports nothing of the console.
"""

import _json
import _socket
import importlib
import posix
import sys
import time

# -- constants ------------------------------------------------------------------------------------------------------

_FS_ENCODING = sys.getfilesystemencoding()
_API_VERSION = "/2018-06-01/runtime/"
# awslambdaric's Encoder keeps non-ASCII characters as they are on these runtimes and escapes them on older ones.
_NON_ASCII_RUNTIMES = frozenset(
    {"AWS_Lambda_python3.12", "AWS_Lambda_python3.13", "AWS_Lambda_python3.14", "AWS_Lambda_python3.15"}
)
_PREVIEW_RUNTIMES = frozenset({"AWS_Lambda_python3.15"})
_ERROR_LOG_IDENT = "\u00a0"  # NO-BREAK SPACE: Lambda's log view keeps the indentation of traceback lines
_TEXT_LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_TEXT_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JSON_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_USER_AGENT = "aws-lambda-python/{}.{}.{}-lambda-console".format(*sys.version_info[:3])

_LAMBDA_WARNING = "LAMBDA_WARNING"
_UNHANDLED_EXCEPTION_WARNING = (
    f"{_LAMBDA_WARNING}: "
    "Unhandled exception. "
    "The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, or can be applied "
    "automatically. "
    "To determine if the runtime has been updated, check the runtime version in the INIT_START log entry. "
    "If this error correlates with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. "
    "For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


# -- environment ----------------------------------------------------------------------------------------------------
# `os` costs a few milliseconds to import and most of it is unused here, so until the function imports it the
# environment is read and written through `posix.environ`, which is the very dict `os.environ` wraps later.


def _getenv(name: str, default: str | None = None) -> str | None:
    """`os.environ.get(name, default)`, without importing os."""
    os = sys.modules.get("os")
    if os is not None:
        return os.environ.get(name, default)
    value = posix.environ.get(name.encode(_FS_ENCODING, "surrogateescape"))
    return default if value is None else value.decode(_FS_ENCODING, "surrogateescape")


def _setenv(name: str, value: str | None) -> None:
    """`os.environ[name] = value`, or delete it when value is None, as awslambdaric does for the trace id."""
    os = sys.modules.get("os")
    if os is not None:
        if value is not None:
            os.environ[name] = value
        elif name in os.environ:
            del os.environ[name]
        return
    key = name.encode(_FS_ENCODING, "surrogateescape")
    if value is not None:
        raw = value.encode(_FS_ENCODING, "surrogateescape")
        posix.putenv(key, raw)
        posix.environ[key] = raw
    elif key in posix.environ:
        posix.unsetenv(key)
        del posix.environ[key]


def _log_level_from_env(value: str | None) -> str:
    # As awslambdaric: TRACE means DEBUG; anything logging does not know is ignored later.
    return {None: "", "TRACE": "DEBUG"}.get(value, value).upper()


_LOG_FORMAT_JSON = (_getenv("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"
_LOG_LEVEL = _log_level_from_env(_getenv("AWS_LAMBDA_LOG_LEVEL"))


# -- sys.path ---------------------------------------------------------------------------------------------------------


def _parse_args(argv: list) -> tuple:
    """(client, layers, watch_fd) from the engine's command line."""
    client, layers, watch_fd = "bootstrap", [], None
    args = iter(argv[1:])
    for arg in args:
        name, eq, value = arg.partition("=")
        if name in ("--client", "--layer", "--watch-fd"):
            if not eq:
                value = next(args, "")
            if name == "--client":
                client = value
            elif name == "--layer":
                layers.append(value)
            else:
                watch_fd = int(value)
    return client, layers, watch_fd


def watch_console(fd: int) -> None:
    """End this worker, and everything it started, the moment the console is gone, however it went.

    `fd` is the read end of a pipe whose write end only the console holds: when the console exits, even killed with
    SIGKILL, the read returns end-of-file. A thread blocked on it costs nothing until then (`_thread` is built in, so
    there is nothing to import), and unlike Linux's parent-death signal it works everywhere and whichever of the
    console's threads started the worker. The handler's own subprocesses do not inherit the pipe.
    """
    import _thread

    posix.set_inheritable(fd, False)

    def wait() -> None:
        try:
            while posix.read(fd, 1):
                pass
        except OSError:
            pass
        # The worker leads its own process group (the engine starts it so): take the handler's children along.
        try:
            posix.killpg(posix.getpgid(0), 9)
        finally:
            posix._exit(1)

    _thread.start_new_thread(wait, ())


def set_up_sys_path(task_root: str, layers: list, runtime_dir: str) -> None:
    """Order sys.path as Lambda does: code root, each layer (as /opt), the runtime's libraries, the standard library.

    Then process `.pth` files like Lambda's `site.addsitedir()` calls. `site` is imported only when that could
    change anything: a folder with a `.pth` file, or a missing one (which addsitedir appends to sys.path anyway).
    """
    version = "python{}.{}".format(*sys.version_info[:2])
    # Lambda unpacks the layers into one /opt in order, a later layer's files replacing an earlier one's: so the
    # later layers come first here, and every layer's site-packages before every layer's python/.
    newest_first = layers[::-1]
    site_dirs = [task_root]
    site_dirs += [f"{layer}/python/lib/{version}/site-packages" for layer in newest_first]
    site_dirs += [f"{layer}/python" for layer in newest_first]
    sys.path[:0] = [*site_dirs, runtime_dir]
    for directory in site_dirs:
        try:
            names = posix.listdir(directory)
        except OSError:
            break
        if any(name.endswith(".pth") for name in names):
            break
    else:
        return
    import site

    for directory in site_dirs:
        site.addsitedir(directory)


# -- the Runtime API, over one keep-alive connection ---------------------------------------------------------------


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
        self._base = ("/" + prefix.strip("/") if prefix.strip("/") else "") + _API_VERSION
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
        head = f"{method} {self._base}{path} HTTP/1.1\r\nHost: {self._host_header}\r\nUser-Agent: {_USER_AGENT}\r\n"
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
        except OSError:
            _exit_quietly()

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
        body = bytearray(length)
        have = len(buffer)
        body[:have] = buffer
        buffer.clear()
        view = memoryview(body)
        while have < length:
            got = sock.recv_into(view[have:], length - have)
            if not got:
                raise OSError("the Runtime API closed the connection")
            have += got
        return bytes(body)

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
            _exit_quietly()
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


def _exit_quietly() -> None:
    """The console is gone: leave now, without a traceback and without running the function's exit hooks."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 (the pipe may be gone too: nobody is left to tell)
            pass
    posix._exit(0)


# -- JSON as awslambdaric's simplejson Encoder writes it and its decoder reads it ----------------------------------
# The fast path runs the C encoder and scanner of the standard library, which give the very same bytes and values as
# simplejson for plain data. Whatever is not plain (Decimal, namedtuples, bytes, subclasses, cycles, errors) goes to
# a port of simplejson's pure-Python code, which also produces simplejson's exact error messages.

_INF = float("inf")
_PLAIN_KEYS = frozenset({str, int, float, bool, type(None)})
_PLAIN_SCALARS = _PLAIN_KEYS
_CONTAINERS = frozenset({dict, list, tuple})
_PLAIN = _PLAIN_SCALARS | _CONTAINERS


def _is_plain(obj) -> bool:
    """True if obj holds only exact dicts, lists, tuples, str, int, float, bool and None (keys too).

    Each container is looked at once, so a cycle ends the walk; the C encoder then reports it, in simplejson's words.
    """
    top = type(obj)
    if top in _PLAIN_SCALARS:
        return True
    if top not in _CONTAINERS:
        return False
    seen = {id(obj)}
    stack = [obj]
    pop, push, see = stack.pop, stack.append, seen.add
    while stack:
        container = pop()
        if type(container) is dict:
            if not _PLAIN_KEYS.issuperset(map(type, container)):
                return False
            values = container.values()
        else:
            values = container
        types = set(map(type, values))
        if not _PLAIN.issuperset(types):
            return False
        if not types.isdisjoint(_CONTAINERS):
            for value in values:
                if type(value) in _CONTAINERS and id(value) not in seen:
                    see(id(value))
                    push(value)
    return True


def _unserializable(obj):
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


def to_json(obj: object, ensure_ascii: bool) -> str:
    """Serialize obj exactly as awslambdaric's `Encoder().encode(obj)` does (simplejson, allow_nan, Decimal)."""
    string = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if type(obj) is str:
        return string(obj)
    if _is_plain(obj):
        # A fresh markers dict per call: simplejson checks for cycles, and so must the C encoder.
        return "".join(_json.make_encoder({}, _unserializable, string, None, ": ", ", ", False, False, True)(obj, 0))
    return _encode_simplejson(obj, ensure_ascii)


class _RawJSON:
    """Already-encoded JSON, as simplejson's RawJSON (what awslambdaric's Encoder makes of a Decimal)."""

    __slots__ = ("encoded_json",)

    def __init__(self, encoded_json: str) -> None:
        self.encoded_json = encoded_json


def _lambda_default(obj):
    # awslambdaric's Encoder.default: a Decimal is written as its exact digits, a NaN Decimal as NaN.
    import decimal

    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return float("nan")
        return _RawJSON(str(obj))
    raise TypeError(f"Object of type {obj.__class__.__name__} is not JSON serializable")


def _encode_simplejson(obj, ensure_ascii: bool) -> str:
    """simplejson's JSONEncoder(use_decimal=False, allow_nan=True) with awslambdaric's default, in plain Python."""
    encode_string = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if isinstance(obj, str):
        return encode_string(obj)
    raw_module = sys.modules.get("simplejson.raw_json")
    raw_types = (_RawJSON, raw_module.RawJSON) if raw_module is not None else _RawJSON
    markers = {}
    chunks = []
    append = chunks.append

    def floatstr(value):
        if value != value:  # noqa: PLR0124 (simplejson's own NaN test)
            return "NaN"
        if value == _INF:
            return "Infinity"
        if value == -_INF:
            return "-Infinity"
        if type(value) is not float:
            value = float(value)  # simplejson does not trust a subclass's repr
        return repr(value)

    def mark(container):
        marker = id(container)
        if marker in markers:
            raise ValueError("Circular reference detected")
        markers[marker] = container
        return marker

    def asdict(value):
        method = getattr(value, "_asdict", None)
        if callable(method):
            try:
                return (method(),)
            except TypeError:
                pass
        return None

    def key_string(key):
        if isinstance(key, str):
            return key
        if isinstance(key, bytes):
            return str(key, "utf-8")
        if isinstance(key, float):
            return floatstr(key)
        if key is True:
            return "true"
        if key is False:
            return "false"
        if key is None:
            return "null"
        if isinstance(key, int):
            return str(key if type(key) is int else int(key))
        raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")

    def encode_dict(dct):
        if not dct:
            append("{}")
            return
        marker = mark(dct)
        append("{")
        first = True
        for key, value in dct.items():
            key = key_string(key)
            if first:
                first = False
            else:
                append(", ")
            append(encode_string(key))
            append(": ")
            encode(value)
        append("}")
        del markers[marker]

    def encode_list(lst):
        if not lst:
            append("[]")
            return
        marker = mark(lst)
        append("[")
        first = True
        for value in lst:
            if first:
                first = False
            else:
                append(", ")
            encode(value)
        append("]")
        del markers[marker]

    def encode(value):
        if isinstance(value, str):
            append(encode_string(value))
        elif isinstance(value, bytes):
            append(encode_string(str(value, "utf-8")))
        elif isinstance(value, raw_types):
            append(value.encoded_json)
        elif value is None:
            append("null")
        elif value is True:
            append("true")
        elif value is False:
            append("false")
        elif isinstance(value, int):
            append(str(value if type(value) is int else int(value)))
        elif isinstance(value, float):
            append(floatstr(value))
        else:
            result = asdict(value)
            if result is not None:
                dct = result[0]
                if not isinstance(dct, dict):
                    raise TypeError(f"_asdict() must return a dict, not {type(dct).__name__}")
                marker = mark(value)
                encode_dict(dct)
                del markers[marker]
            elif isinstance(value, (list, tuple)):
                encode_list(value)
            elif isinstance(value, dict):
                encode_dict(value)
            else:
                marker = mark(value)
                encode(_lambda_default(value))
                del markers[marker]

    try:
        encode(obj)
    except RecursionError:
        raise RecursionError("maximum recursion depth exceeded while encoding a JSON object") from None
    return "".join(chunks)


class _ScannerContext:
    """What `_json.make_scanner` reads from a decoder."""

    def __init__(self, parse_constant) -> None:
        self.strict = True
        self.object_hook = None
        self.object_pairs_hook = None
        self.parse_float = float
        self.parse_int = int
        self.parse_constant = parse_constant
        self.memo = {}


class _NotSimplejson(Exception):
    """The standard scanner accepted what simplejson rejects (NaN, Infinity)."""


def _reject_constant(name):
    raise _NotSimplejson(name)


_scanners = {}


def _scanner(kind: str):
    scanner = _scanners.get(kind)
    if scanner is None:
        if kind == "simplejson":
            context = _ScannerContext(_reject_constant)
        else:
            constants = {"-Infinity": -_INF, "Infinity": _INF, "NaN": float("nan")}
            context = _ScannerContext(constants.__getitem__)
        scanner = _scanners[kind] = _json.make_scanner(context)
    return scanner


def _skip_whitespace(text: str, index: int) -> int:
    length = len(text)
    while index < length and text[index] in " \t\n\r":
        index += 1
    return index


def loads_simplejson(data: bytes) -> object:
    """`simplejson.loads(data)` as awslambdaric calls it (simplejson rejects NaN and Infinity by default)."""
    text = str(data, "utf-8") if isinstance(data, (bytes, bytearray)) else data
    index = 0
    if text:
        first = ord(text[0])
        if first == 0xFEFF:  # simplejson skips a byte order mark
            index = 1
        elif first == 0xEF and text[:3] == "\xef\xbb\xbf":
            index = 3
    index = _skip_whitespace(text, index)
    try:
        obj, end = _scanner("simplejson")(text, index)
    except Exception:  # noqa: BLE001 (whatever the fast path refuses, the port decides, with simplejson's message)
        return _SimplejsonDecoder(text).decode(index)
    if _skip_whitespace(text, end) != len(text):
        return _SimplejsonDecoder(text).decode(index)
    return obj


def loads_stdlib(text: str) -> object:
    """`json.loads(text)` of the standard library, which awslambdaric uses for the context headers."""
    if not text.startswith("\ufeff"):
        index = _skip_whitespace(text, 0)
        try:
            obj, end = _scanner("stdlib")(text, index)
        except Exception:  # noqa: BLE001 (json.loads below raises the very error, with its message)
            obj, end = None, None
        if end is not None and _skip_whitespace(text, end) == len(text):
            return obj
    import json

    return json.loads(text)


class JSONDecodeError(ValueError):
    """simplejson's JSONDecodeError message: where in the document, by line and column."""

    def __init__(self, msg: str, doc: str, pos: int, end=None) -> None:
        lineno, colno = _linecol(doc, pos)
        msg = msg.replace("%r", repr(doc[pos : pos + 1]))
        if end is None:
            text = f"{msg}: line {lineno} column {colno} (char {pos})"
        else:
            endlineno, endcolno = _linecol(doc, end)
            text = f"{msg}: line {lineno} column {colno} - line {endlineno} column {endcolno} (char {pos} - {end})"
        super().__init__(text)


def _linecol(doc: str, pos: int) -> tuple:
    lineno = doc.count("\n", 0, pos) + 1
    colno = pos + 1 if lineno == 1 else pos - doc.rindex("\n", 0, pos)
    return lineno, colno


_JSON_BACKSLASH = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _SimplejsonDecoder:
    """A port of simplejson's pure-Python decoder (strict, no NaN): used for the documents the fast path refuses,
    so that the UnmarshalError message is simplejson's, position included."""

    _WS = " \t\n\r"

    def __init__(self, text: str) -> None:
        import re

        self.s = text
        self._chunk = re.compile(r'(.*?)(["\\\x00-\x1f])', re.VERBOSE | re.MULTILINE | re.DOTALL).match
        self._number = re.compile(
            r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?", re.VERBOSE | re.MULTILINE | re.DOTALL
        ).match
        self._hex4 = re.compile(r"^[0-9a-fA-F]{4}$").match
        self._whitespace = re.compile(r"[ \t\n\r]*", re.VERBOSE | re.MULTILINE | re.DOTALL).match

    def decode(self, index: int):
        s = self.s
        obj, end = self.scan(index)
        end = self._whitespace(s, end).end()
        if end != len(s):
            raise JSONDecodeError("Extra data", s, end, len(s))
        return obj

    def scan(self, idx: int):
        s = self.s
        try:
            nextchar = s[idx]
        except IndexError:
            raise JSONDecodeError("Expecting value", s, idx) from None
        if nextchar == '"':
            return self.string(idx + 1)
        if nextchar == "{":
            return self._nested(self.object, idx + 1, "object")
        if nextchar == "[":
            return self._nested(self.array, idx + 1, "array")
        if nextchar == "n" and s[idx : idx + 4] == "null":
            return None, idx + 4
        if nextchar == "t" and s[idx : idx + 4] == "true":
            return True, idx + 4
        if nextchar == "f" and s[idx : idx + 5] == "false":
            return False, idx + 5
        m = self._number(s, idx)
        if m is not None:
            integer, frac, exp = m.groups()
            if frac or exp:
                return float(integer + (frac or "") + (exp or "")), m.end()
            return int(integer), m.end()
        raise JSONDecodeError("Expecting value", s, idx)

    @staticmethod
    def _nested(parse, idx: int, kind: str):
        try:
            return parse(idx)
        except RecursionError as exc:
            if getattr(exc, "_json_kind", False):
                raise
            error = RecursionError(f"maximum recursion depth exceeded while decoding a JSON {kind} from a string")
            error._json_kind = True
            raise error from None

    def _hex(self, end: int):
        esc = self.s[end : end + 4]
        if not self._hex4(esc):
            raise JSONDecodeError("Invalid \\uXXXX escape sequence", self.s, end - 2)
        return int(esc, 16), end + 4

    def string(self, end: int):
        s = self.s
        chunks = []
        begin = end - 1
        while True:
            chunk = self._chunk(s, end)
            if chunk is None:
                raise JSONDecodeError("Unterminated string starting at", s, begin)
            end = chunk.end()
            content, terminator = chunk.groups()
            if content:
                chunks.append(content)
            if terminator == '"':
                break
            if terminator != "\\":
                raise JSONDecodeError("Invalid control character %r at", s, end - 1)
            try:
                esc = s[end]
            except IndexError:
                raise JSONDecodeError("Unterminated string starting at", s, begin) from None
            if esc != "u":
                try:
                    char = _JSON_BACKSLASH[esc]
                except KeyError:
                    raise JSONDecodeError("Invalid \\X escape sequence %r", s, end) from None
                end += 1
            else:
                uni, end = self._hex(end + 1)
                if uni & 0xFC00 == 0xD800 and s[end : end + 2] == "\\u":
                    uni2, end2 = self._hex(end + 2)
                    if uni2 & 0xFC00 == 0xDC00:
                        uni = 0x10000 + (((uni - 0xD800) << 10) | (uni2 - 0xDC00))
                        end = end2
                char = chr(uni)
            chunks.append(char)
        return "".join(chunks), end

    def object(self, end: int):
        s, ws, skip = self.s, self._WS, self._whitespace
        pairs = []
        nextchar = s[end : end + 1]
        if nextchar != '"':
            if nextchar in ws:
                end = skip(s, end).end()
                nextchar = s[end : end + 1]
            if nextchar == "}":
                return {}, end + 1
            if nextchar != '"':
                raise JSONDecodeError("Expecting property name enclosed in double quotes or '}'", s, end)
        end += 1
        while True:
            key, end = self.string(end)
            if s[end : end + 1] != ":":
                end = skip(s, end).end()
                if s[end : end + 1] != ":":
                    raise JSONDecodeError("Expecting ':' delimiter", s, end)
            end += 1
            try:
                if s[end] in ws:
                    end += 1
                    if s[end] in ws:
                        end = skip(s, end + 1).end()
            except IndexError:
                pass
            value, end = self.scan(end)
            pairs.append((key, value))
            try:
                nextchar = s[end]
                if nextchar in ws:
                    end = skip(s, end + 1).end()
                    nextchar = s[end]
            except IndexError:
                nextchar = ""
            end += 1
            if nextchar == "}":
                break
            if nextchar != ",":
                raise JSONDecodeError("Expecting ',' delimiter or '}'", s, end - 1)
            comma_idx = end - 1
            try:
                nextchar = s[end]
                if nextchar in ws:
                    end += 1
                    nextchar = s[end]
                    if nextchar in ws:
                        end = skip(s, end + 1).end()
                        nextchar = s[end]
            except IndexError:
                nextchar = ""
            end += 1
            if nextchar != '"':
                if nextchar == "}":
                    raise JSONDecodeError("Illegal trailing comma before end of object", s, comma_idx)
                raise JSONDecodeError("Expecting property name enclosed in double quotes", s, end - 1)
        return dict(pairs), end

    def array(self, end: int):
        s, ws, skip = self.s, self._WS, self._whitespace
        values = []
        nextchar = s[end : end + 1]
        if nextchar in ws:
            end = skip(s, end + 1).end()
            nextchar = s[end : end + 1]
        if nextchar == "]":
            return values, end + 1
        if nextchar == "":
            raise JSONDecodeError("Expecting value or ']'", s, end)
        while True:
            value, end = self.scan(end)
            values.append(value)
            nextchar = s[end : end + 1]
            if nextchar in ws:
                end = skip(s, end + 1).end()
                nextchar = s[end : end + 1]
            end += 1
            if nextchar == "]":
                break
            if nextchar != ",":
                raise JSONDecodeError("Expecting ',' delimiter or ']'", s, end - 1)
            comma_idx = end - 1
            try:
                if s[end] in ws:
                    end += 1
                    if s[end] in ws:
                        end = skip(s, end + 1).end()
            except IndexError:
                pass
            if s[end : end + 1] == "]":
                raise JSONDecodeError("Illegal trailing comma before end of array", s, comma_idx)
        return values, end


# -- the context object (awslambdaric's lambda_context.py) ---------------------------------------------------------

W3C_ALLOWED_FIELDS = ("traceparent", "tracestate", "baggage")


class LambdaContext:
    """The handler's `context`: the invocation's and the function's properties, as awslambdaric builds it."""

    def __init__(
        self,
        invoke_id: str,
        client_context: dict | None,
        cognito_identity: dict | None,
        epoch_deadline_time_in_ms: int,
        invoked_function_arn: str | None = None,
        tenant_id: str | None = None,
    ) -> None:
        self.aws_request_id = invoke_id
        self.log_group_name = _getenv("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = _getenv("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = _getenv("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = _getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = _getenv("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self._w3c_fields = self._extract_and_strip_w3c(client_context)

        self.client_context = make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = make_obj_from_dict(Client, self.client_context.client)

        self.identity = make_obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")

        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out, never below 0."""
        epoch_now_in_ms = int(time.time() * 1000)
        delta_ms = self._epoch_deadline_time_in_ms - epoch_now_in_ms
        return max(0, delta_ms)

    def w3c(self) -> dict:
        """The W3C trace context (traceparent, tracestate, baggage) the caller passed in the client context."""
        return dict(self._w3c_fields)

    @staticmethod
    def _extract_and_strip_w3c(client_context):
        # Pops `w3c` out of the client context, so it cannot be read through context.client_context.
        if not isinstance(client_context, dict):
            return {}
        if "w3c" not in client_context:
            return {}
        raw_w3c = client_context.pop("w3c")
        if not isinstance(raw_w3c, dict):
            return {}
        fields = {}
        for key in W3C_ALLOWED_FIELDS:
            value = raw_w3c.get(key)
            if isinstance(value, str):
                fields[key] = value
        return fields

    def log(self, msg: object) -> None:
        """Write msg to the function's log, through the runtime's log sink."""
        logging = sys.modules.get("logging")
        handlers = logging.getLogger().handlers if logging is not None else [_LOG_SINK_HOLDER]
        for handler in handlers:
            if hasattr(handler, "log_sink"):
                handler.log_sink.log(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )


class CognitoIdentity:
    """context.identity: the Amazon Cognito identity of a mobile caller."""

    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}"
            "])"
        )


class Client:
    """context.client_context.client: the calling mobile application."""

    __slots__ = ["app_package_name", "app_title", "app_version_code", "app_version_name", "installation_id"]

    def __repr__(self):
        return (
            f"{self.__class__.__name__}(["
            f"installation_id={self.installation_id},"
            f"app_title={self.app_title},"
            f"app_version_name={self.app_version_name},"
            f"app_version_code={self.app_version_code},"
            f"app_package_name={self.app_package_name}"
            "])"
        )


class ClientContext:
    """context.client_context: what the caller passed as client context."""

    __slots__ = ["client", "custom", "env"]

    def __repr__(self):
        return f"{self.__class__.__name__}([custom={self.custom},env={self.env},client={self.client}])"


def make_obj_from_dict(_class: type, _dict: dict | None, fields: list | None = None) -> object:
    """An instance of `_class` with its slots taken from `_dict` (None where missing); None for no dict."""
    if _dict is None:
        return None
    obj = _class()
    set_obj_from_dict(obj, _dict)
    return obj


def set_obj_from_dict(obj: object, _dict: dict, fields: list | None = None) -> None:
    """Set each of the object's slots (or `fields`) from `_dict`, None where missing."""
    if fields is None:
        fields = obj.__class__.__slots__
    for field in fields:
        setattr(obj, field, _dict.get(field, None))


# -- errors -----------------------------------------------------------------------------------------------------------


class FaultException(Exception):
    """An error of the runtime itself (`Runtime.*`), with the message and stack trace Lambda reports."""

    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type: str, msg: str, trace: list | None = None) -> None:
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


def make_error(error_message: str, error_type: str, stack_trace: list | None, invoke_id: str | None = None) -> dict:
    """An error payload, keys in Lambda's order."""
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb) -> list:
    """The traceback's frames from the first one outside the runtime (the function's, importlib's)."""
    import traceback

    tb_tuples = [(frame.filename, frame.lineno, frame.name, frame.line) for frame in traceback.extract_tb(tb)]
    for i in range(len(tb_tuples)):
        # awslambdaric's test ("/bootstrap.py" in the file name), and this file, which stands for that one.
        if "/bootstrap.py" not in tb_tuples[i][0] and tb_tuples[i][0] != __file__:
            tb_tuples = tb_tuples[i:]
            break
    return traceback.format_list(tb_tuples)


def build_fault_result(exc_info: tuple, msg: str | None) -> dict:
    """The init error payload of an exception raised while importing the function."""
    etype, value, tb = exc_info
    return make_error(msg if msg else str(value), etype.__name__, _user_frames(tb))


def _error_ensure_ascii() -> bool:
    # awslambdaric builds a new Encoder for every error payload, so it reads AWS_EXECUTION_ENV each time.
    return _getenv("AWS_EXECUTION_ENV") not in _NON_ASCII_RUNTIMES


def replace_line_indentation(line: str, indent_char: str, new_indent_char: str) -> str:
    ident_chars_count = 0
    for c in line:
        if c != indent_char:
            break
        ident_chars_count += 1
    return (new_indent_char * ident_chars_count) + line[ident_chars_count:]


def log_error(error_result: dict, log_sink: "StandardLogSink") -> None:
    """Write an unhandled error to the log: `[ERROR] Type: message` and the traceback, or one JSON object."""
    if _LOG_FORMAT_JSON:
        import logging

        error_result = {
            "timestamp": time.strftime(_JSON_DATE_FORMAT, logging.Formatter.converter(time.time())),
            "level": "ERROR",
            **error_result,
        }
        log_sink.log_error([to_json(error_result, _error_ensure_ascii())])
        return
    error_description = "[ERROR]"
    error_result_type = error_result.get("errorType")
    if error_result_type:
        error_description += " " + error_result_type
    error_result_message = error_result.get("errorMessage")
    if error_result_message:
        if error_result_type:
            error_description += ":"
        error_description += " " + error_result_message
    error_message_lines = [error_description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        error_message_lines += ["Traceback (most recent call last):"]
        for trace_element in stack_trace:
            if trace_element == "":
                error_message_lines += [""]
            else:
                for trace_line in trace_element.splitlines():
                    error_message_lines += [replace_line_indentation(trace_line, " ", _ERROR_LOG_IDENT)]
    log_sink.log_error(error_message_lines)


# -- logs -------------------------------------------------------------------------------------------------------------


class Unbuffered:
    """sys.stdout and sys.stderr: every write reaches the log at once, as awslambdaric arranges."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        pass

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


class StandardLogSink:
    """Where the runtime's own log lines go: stdout, which the engine reads as the function's log.

    Error lines are joined with "\\n", as Lambda's telemetry log sink does.
    """

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, exc_tb):
        pass

    def log(self, msg: str, frame_type: bytes | None = None) -> None:
        sys.stdout.write(msg)

    def log_error(self, message_lines: list) -> None:
        sys.stdout.write("\n".join(message_lines) + "\n")


_LOG_SINK = StandardLogSink()


class _SinkHolder:
    log_sink = _LOG_SINK


# Stands in for the root handler while `logging` is not imported yet (context.log looks for a handler's sink).
_LOG_SINK_HOLDER = _SinkHolder()
_GLOBAL_AWS_REQUEST_ID = None
_GLOBAL_TENANT_ID = None


def _format_log_level(record) -> int:
    return min(50, max(0, record.levelno)) // 10 * 10


def install_lambda_logging(logging: object) -> None:
    """Give the root logger Lambda's handler, format, filter and level (awslambdaric's `_setup_logging`)."""
    if not isinstance(getattr(logging, "Handler", None), type):
        return  # a module of the function's own that happens to be called logging
    text_frame_types = {
        level: frame.to_bytes(4, "big")
        for level, frame in zip(
            (0, 10, 20, 30, 40, 50), (0xA55A0003, 0xA55A000B, 0xA55A000F, 0xA55A0013, 0xA55A0017, 0xA55A001B)
        )
    }

    class LambdaLoggerHandler(logging.Handler):
        def __init__(self, log_sink):
            logging.Handler.__init__(self)
            self.log_sink = log_sink

        def emit(self, record):
            msg = self.format(record)
            self.log_sink.log(msg)

    class LambdaLoggerHandlerWithFrameType(logging.Handler):
        def __init__(self, log_sink):
            super().__init__()
            self.log_sink = log_sink

        def emit(self, record):
            self.log_sink.log(
                self.format(record),
                frame_type=(getattr(record, "_frame_type", None) or text_frame_types.get(_format_log_level(record))),
            )

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _GLOBAL_AWS_REQUEST_ID or ""
            record.tenant_id = _GLOBAL_TENANT_ID
            return True

    for cls in (LambdaLoggerHandler, LambdaLoggerHandlerWithFrameType, LambdaLoggerFilter):
        cls.__qualname__ = cls.__name__

    logging.Formatter.converter = time.gmtime
    logger = logging.getLogger()
    if _LOG_FORMAT_JSON or _LOG_LEVEL:
        logger_handler = LambdaLoggerHandlerWithFrameType(_LOG_SINK)
    else:
        logger_handler = LambdaLoggerHandler(_LOG_SINK)
    if _LOG_FORMAT_JSON:
        logger_handler.setFormatter(_json_formatter(logging))
    else:
        logger_handler.setFormatter(logging.Formatter(_TEXT_LOG_FORMAT, _TEXT_DATE_FORMAT))
    if _LOG_LEVEL in logging._nameToLevel:
        logger.setLevel(_LOG_LEVEL)
    logger_handler.addFilter(LambdaLoggerFilter())
    logger.addHandler(logger_handler)


def _json_formatter(logging):
    """awslambdaric's JsonFormatter: one JSON object per record (AWS_LAMBDA_LOG_FORMAT=JSON)."""
    import json
    import traceback

    reserved_fields = {
        "name",
        "msg",
        "args",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "exc_text",
        "stack_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "aws_request_id",
        "tenant_id",
        "_frame_type",
    }
    json_frame_types = {
        level: frame.to_bytes(4, "big")
        for level, frame in zip(
            (0, 10, 20, 30, 40, 50), (0xA55A0002, 0xA55A000A, 0xA55A000E, 0xA55A0012, 0xA55A0016, 0xA55A001A)
        )
    }
    # default=str: a value json cannot write is written as its str() rather than losing the whole record.
    encode_json = json.JSONEncoder(ensure_ascii=False, default=str).encode

    class JsonFormatter(logging.Formatter):
        def __init__(self):
            super().__init__(datefmt=_JSON_DATE_FORMAT)

        @staticmethod
        def __format_stacktrace(exc_info):
            if not exc_info:
                return None
            return traceback.format_tb(exc_info[2])

        @staticmethod
        def __format_exception_name(exc_info):
            if not exc_info:
                return None
            return exc_info[0].__name__

        @staticmethod
        def __format_exception(exc_info):
            if not exc_info:
                return None
            return str(exc_info[1])

        @staticmethod
        def __format_location(record):
            if not record.exc_info:
                return None
            return f"{record.pathname}:{record.funcName}:{record.lineno}"

        def format(self, record):
            record.levelno = _format_log_level(record)
            record.levelname = logging.getLevelName(record.levelno)
            record._frame_type = json_frame_types.get(record.levelno, json_frame_types[0])
            result = {
                "timestamp": self.formatTime(record, self.datefmt),
                "level": record.levelname,
                "message": (record.msg if isinstance(record.msg, dict) and not record.args else record.getMessage()),
                "logger": record.name,
                "stackTrace": self.__format_stacktrace(record.exc_info),
                "errorType": self.__format_exception_name(record.exc_info),
                "errorMessage": self.__format_exception(record.exc_info),
                "requestId": getattr(record, "aws_request_id", None),
                "location": self.__format_location(record),
            }
            if hasattr(record, "tenant_id") and record.tenant_id is not None:
                result["tenantId"] = record.tenant_id
            result.update(
                (key, value)
                for key, value in record.__dict__.items()
                if key not in reserved_fields and key not in result
            )
            result = {k: v for k, v in result.items() if v is not None}
            return encode_json(result) + "\n"

    JsonFormatter.__qualname__ = "JsonFormatter"
    return JsonFormatter()


class _LoggingImportHook:
    """Installs Lambda's root log handler the moment `logging` has been imported, by whoever imports it.

    awslambdaric imports logging before the function's code runs; importing it here would cost a cold start ~20 ms,
    so instead the handler appears exactly when the function (or a library) could first look at it.
    """

    def __init__(self) -> None:
        self.done = False

    def find_spec(self, name, path=None, target=None):
        if name != "logging" or self.done:
            return None
        self.done = True
        for finder in sys.meta_path:
            find_spec = getattr(finder, "find_spec", None)
            if finder is self or find_spec is None:
                continue
            spec = find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _InstallAfterExec(spec.loader, self)
        return spec


class _InstallAfterExec:
    """Wraps the loader of `logging`: runs it, puts it back in place, then installs the Lambda handler."""

    def __init__(self, loader, hook: _LoggingImportHook) -> None:
        self.loader = loader
        self.hook = hook

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = self.loader
        if getattr(module, "__spec__", None) is not None:
            module.__spec__.loader = self.loader
        if self.hook in sys.meta_path:
            sys.meta_path.remove(self.hook)
        self.loader.exec_module(module)
        install_lambda_logging(module)


def _install_logging_hook() -> None:
    if "logging" in sys.modules:
        install_lambda_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _LoggingImportHook())


# -- handler resolution and the invocation loop (awslambdaric's bootstrap.py) ---------------------------------------


def _get_handler(handler: str) -> object:
    """Import the handler's module and return the handler, or raise the FaultException Lambda reports."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME,
            f"Bad handler '{handler}': {e!s}",
        ) from None

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                f"Cannot use built-in module {modname} as a handler module",
            )
        m = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR,
            f"Unable to import module '{modname}': {e!s}",
        ) from None
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            f"Syntax error in module '{modname}': {e!s}",
            trace,
        ) from None

    try:
        request_handler = getattr(m, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            f"Handler '{fname}' missing on module '{modname}'",
            None,
        ) from None
    return request_handler


class LambdaMarshaller:
    """Event in, result out: JSON as awslambdaric's LambdaMarshaller reads and writes it."""

    def __init__(self) -> None:
        # Decided once, when the runtime starts, as awslambdaric's marshaller does.
        self.ensure_ascii = _getenv("AWS_EXECUTION_ENV") not in _NON_ASCII_RUNTIMES

    def unmarshal_request(self, request: bytes, content_type: str | None = "application/json") -> object:
        if content_type != "application/json":
            return request
        try:
            return loads_simplejson(request)
        except Exception as e:  # noqa: BLE001 (any failure is an UnmarshalError, as in awslambdaric)
            raise FaultException(
                FaultException.UNMARSHAL_ERROR,
                f"Unable to unmarshal input: {e!s}",
                None,
            ) from None

    def marshal_response(self, response: object) -> tuple:
        if isinstance(response, bytes):
            return response, "application/unknown"
        try:
            return to_json(response, self.ensure_ascii), "application/json"
        except Exception as e:  # noqa: BLE001 (any failure is a MarshalError, as in awslambdaric)
            raise FaultException(
                FaultException.MARSHAL_ERROR,
                f"Unable to marshal response: {e!s}",
                None,
            ) from None


def parse_json_header(header: str, name: str) -> object:
    """A context header's JSON, or the LambdaContextUnmarshalError awslambdaric reports."""
    try:
        return loads_stdlib(header)
    except Exception as e:  # noqa: BLE001 (any failure is a context error, as in awslambdaric)
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR,
            f"Unable to parse {name} JSON: {e!s}",
            None,
        ) from None


def create_lambda_context(
    client_context_json: str | None,
    cognito_identity_json: str | None,
    epoch_deadline_time_in_ms: int,
    invoke_id: str,
    invoked_function_arn: str,
    tenant_id: str | None,
) -> LambdaContext:
    client_context = None
    if client_context_json:
        client_context = parse_json_header(client_context_json, "Client Context")
    cognito_identity = None
    if cognito_identity_json:
        cognito_identity = parse_json_header(cognito_identity_json, "Cognito Identity")
    return LambdaContext(
        invoke_id,
        client_context,
        cognito_identity,
        epoch_deadline_time_in_ms,
        invoked_function_arn,
        tenant_id,
    )


def handle_event_request(
    lambda_runtime_client: RuntimeApiClient,
    marshaller: "LambdaMarshaller",
    request_handler: object,
    invoke_id: str,
    event_body: bytes,
    content_type: str | None,
    client_context_json: str | None,
    cognito_identity_json: str | None,
    invoked_function_arn: str,
    epoch_deadline_time_in_ms: int,
    tenant_id: str | None,
) -> None:
    """Run the handler on one event and post its result or its error."""
    error_result = None
    try:
        lambda_context = create_lambda_context(
            client_context_json,
            cognito_identity_json,
            epoch_deadline_time_in_ms,
            invoke_id,
            invoked_function_arn,
            tenant_id,
        )
        event = marshaller.unmarshal_request(event_body, content_type)
        response = request_handler(event, lambda_context)
        result, result_content_type = marshaller.marshal_response(response)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:  # noqa: BLE001 (the function's exception becomes its error payload)
        etype, value, tb = sys.exc_info()
        error_result = make_error(str(value), etype.__name__, _user_frames(tb), invoke_id)

    if error_result is not None:
        log_error(error_result, _LOG_SINK)
        lambda_runtime_client.post_invocation_error(
            invoke_id, to_json(error_result, _error_ensure_ascii()), error_result["errorType"]
        )
    else:
        lambda_runtime_client.post_invocation_result(
            invoke_id, result if isinstance(result, bytes) else result.encode("utf-8"), result_content_type
        )


def _deadline(value: str | None) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _log_preview_runtime_warning() -> None:
    if _getenv("LAMBDA_DISABLE_PREVIEW_WARN", ""):
        return
    if _getenv("AWS_EXECUTION_ENV", "") in _PREVIEW_RUNTIMES:
        import logging

        region = _getenv("AWS_REGION", "")
        host = "docs.amazonaws.cn" if region.startswith("cn-") else "docs.aws.amazon.com"
        logging.warning(  # noqa: LOG015 (the root logger, as awslambdaric logs it)
            f"{_LAMBDA_WARNING}: "
            "This is a preview runtime version and should not be used for production workloads. "
            "For further information and to provide feedback, see "
            f"https://{host}/lambda/latest/dg/lambda-runtimes.html\r"
        )


def run(handler: str, lambda_runtime_client: RuntimeApiClient) -> None:
    """The init phase (import the handler once), then serve events forever."""
    global _GLOBAL_AWS_REQUEST_ID, _GLOBAL_TENANT_ID

    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    _install_logging_hook()
    marshaller = LambdaMarshaller()

    error_result = None
    try:
        _log_preview_runtime_warning()
        request_handler = _get_handler(handler)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace)
    except Exception:  # noqa: BLE001 (an exception at import becomes the init error)
        error_result = build_fault_result(sys.exc_info(), None)

    if error_result is not None:
        import logging

        logging.warning(_UNHANDLED_EXCEPTION_WARNING)  # noqa: LOG015 (as awslambdaric logs it)
        log_error(error_result, _LOG_SINK)
        lambda_runtime_client.post_init_error(to_json(error_result, _error_ensure_ascii()), error_result["errorType"])
        sys.exit(1)

    while True:
        event_body, headers = lambda_runtime_client.wait_next_invocation()
        get = headers.get
        invoke_id = get("lambda-runtime-aws-request-id", "")
        _GLOBAL_AWS_REQUEST_ID = invoke_id
        _GLOBAL_TENANT_ID = get("lambda-runtime-aws-tenant-id")
        _setenv("_X_AMZN_TRACE_ID", get("lambda-runtime-trace-id"))
        handle_event_request(
            lambda_runtime_client,
            marshaller,
            request_handler,
            invoke_id,
            event_body,
            get("content-type"),
            get("lambda-runtime-client-context"),
            get("lambda-runtime-cognito-identity"),
            get("lambda-runtime-invoked-function-arn", ""),
            _deadline(get("lambda-runtime-deadline-ms")),
            _GLOBAL_TENANT_ID,
        )


# -- entry point ------------------------------------------------------------------------------------------------------


def _start_bootstrap(handler: str, api_address: str) -> None:
    _serve(handler, RuntimeApiClient(api_address))


def _serve(handler: str, client: RuntimeApiClient) -> None:
    # This frame stands for awslambdaric's main(): the handler then runs as deep in the stack under either client,
    # so the traceback of a RecursionError ("Previous line repeated N more times") is the same.
    run(handler, client)


def _start_awslambdaric(handler: str) -> None:
    """Hand over to AWS's client, unmodified: it reads AWS_LAMBDA_RUNTIME_API (plain host:port) itself."""
    from awslambdaric.__main__ import main as awslambdaric_main

    awslambdaric_main([sys.argv[0], handler])


def main() -> None:
    """Set up sys.path as Lambda does and run the chosen runtime client."""
    client, layers, watch_fd = _parse_args(sys.argv)
    if watch_fd is not None:
        watch_console(watch_fd)
    set_up_sys_path(_getenv("LAMBDA_TASK_ROOT"), layers, _getenv("LAMBDA_RUNTIME_DIR"))
    # The handler must not see our flags.
    sys.argv = [sys.argv[0]]
    handler = _getenv("_HANDLER")
    if client == "awslambdaric":
        _start_awslambdaric(handler)
    else:
        _start_bootstrap(handler, _getenv("AWS_LAMBDA_RUNTIME_API"))
