"""Attacks on the Runtime API from other local processes, and from a handler against its own environment.

Each environment listens on its own port, given as plain host:port; only its worker's connection is served (on Linux
the peer is looked up in /proc), one at a time, with bounded request heads and an idle timeout. The thieves run
without the sandbox, whose own PID namespace would hide the victim from them before the port's checks are reached
(test_sandbox.py covers that).
"""

from __future__ import annotations

import importlib.util
import json
import os
import selectors
import socket
import sys
import threading
import time

import pytest

from console.engine import peers
from console.engine.runtime_api import IDLE_SECONDS
from tests.engine.conftest import body

CLIENTS = ["bootstrap"] + (["awslambdaric"] if importlib.util.find_spec("awslambdaric") else [])

VICTIM = """
import os, time
time.sleep(float(os.environ.get("INIT_SLEEP", "0")))
def handler(event, context):
    return {"n": event.get("n"), "request": context.aws_request_id}
"""

# Reads the victim's environment from /proc, as any process of the same user can, and asks its Runtime API for the
# next event, then tries to answer one.
THIEF = """
import os, socket
def handler(event, context):
    with open(f"/proc/{event['victim']}/environ", "rb") as environ:
        variables = dict(item.split(b"=", 1) for item in environ.read().split(b"\\0") if b"=" in item)
    address = variables[b"AWS_LAMBDA_RUNTIME_API"].decode()
    host, port = address.rsplit(":", 1)
    outcomes = []
    for request in (b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
                    b"POST /2018-06-01/runtime/invocation/forged/response HTTP/1.1\\r\\nContent-Length: 6\\r\\n\\r\\nforged"):
        try:
            with socket.create_connection((host, int(port)), timeout=5) as conn:
                conn.sendall(request)
                outcomes.append(conn.recv(65536).decode("latin-1") or "hung up")
        except OSError as error:
            outcomes.append("hung up: " + type(error).__name__)
    return {"address": address, "outcomes": outcomes}
"""


def _environment_pid(engine, name: str) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for env in engine.environments():
            if env.function == name:
                return env.pid
        time.sleep(0.01)
    raise AssertionError(f"no environment for {name}")


def _assert_refused(stolen: dict) -> None:
    assert stolen["outcomes"] and all(outcome.startswith("hung up") for outcome in stolen["outcomes"]), stolen


@pytest.mark.skipif(not peers.SUPPORTED, reason="the peer of a TCP connection is known on Linux only")
@pytest.mark.parametrize("client", CLIENTS)
def test_token_theft_during_the_victims_init_gets_nothing(no_sandbox, engine, make_function, client):
    """The victim has not connected yet (its init is running): the thief's connection is refused by the peer check,
    and the victim's event is not taken."""
    victim = make_function(VICTIM, name="victim", runtime_client=client, environment={"INIT_SLEEP": "1.5"})
    thief = make_function(THIEF, name="thief")
    results = []
    worker = threading.Thread(target=lambda: results.append(engine.invoke(victim, b'{"n": 1}', request_id="victim-1")))
    worker.start()
    stolen = body(engine.invoke(thief, json.dumps({"victim": _environment_pid(engine, "victim")}).encode()))
    worker.join(timeout=30)
    _assert_refused(stolen)
    assert results and body(results[0]) == {"n": 1, "request": "victim-1"}


@pytest.mark.parametrize("client", CLIENTS)
def test_event_stealing_from_a_warm_worker_gets_nothing(no_sandbox, engine, make_function, client):
    """The victim waits for its next event on its one connection: nobody else is served on its port, and every
    later invocation is answered by the victim itself."""
    victim = make_function(VICTIM, name="victim", runtime_client=client)
    thief = make_function(THIEF, name="thief")
    assert body(engine.invoke(victim, b'{"n": 0}', request_id="warm-0"))["n"] == 0
    for attempt in range(3):
        stolen = body(engine.invoke(thief, json.dumps({"victim": _environment_pid(engine, "victim")}).encode()))
        _assert_refused(stolen)
    for n in range(1, 6):
        result = engine.invoke(victim, json.dumps({"n": n}).encode(), request_id=f"warm-{n}")
        assert body(result) == {"n": n, "request": f"warm-{n}"} and not result.cold


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_runtime_api_flood_keeps_threads_and_memory_bounded(engine, make_function):
    """Three thousand connections from an outside process, all held open: each is hung up at once by the server, and
    no thread or buffer is kept for any. (Sent in waves of 25: a listen queue overrun only delays connections.)"""
    spec = make_function("import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_RUNTIME_API']\n")
    host, port = body(engine.invoke(spec)).rsplit(":", 1)
    threads, rss = threading.active_count(), _rss_kb()
    selector = selectors.DefaultSelector()
    flood: list[socket.socket] = []
    try:
        for _wave in range(120):
            wave = set()
            for _ in range(25):
                conn = socket.socket()
                conn.setblocking(False)
                conn.connect_ex((host, int(port)))
                flood.append(conn)
                wave.add(conn)
                selector.register(conn, selectors.EVENT_READ)
            deadline = time.monotonic() + 30
            while wave and time.monotonic() < deadline:
                for key, _ in selector.select(timeout=1):
                    try:
                        data = key.fileobj.recv(1)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        data = b""
                    assert data == b"", "a flood connection was answered"
                    selector.unregister(key.fileobj)
                    wave.discard(key.fileobj)
            assert not wave, f"{len(wave)} flood connections were left open"
            assert threading.active_count() <= threads + 1
        assert threading.active_count() <= threads + 1
        assert _rss_kb() - rss < 20 * 1024
        # The environment itself was never disturbed.
        result = engine.invoke(spec)
        assert body(result) == f"{host}:{port}" and not result.cold
    finally:
        selector.close()
        for conn in flood:
            conn.close()


# During its init, before the runtime client connects, a handler can reach its own port itself: the server's limits
# on request heads and idle connections apply to it as to anyone the peer check lets in.
HEADER_FLOOD = """
import os, socket, threading, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
OUTCOMES = {}

def _send(name, data):
    conn = socket.create_connection((host, int(port)), timeout=20)
    try:
        sent = 0
        while sent < len(data):
            sent += conn.send(data[sent:sent + 65536])
        OUTCOMES[name] = conn.recv(65536).decode("latin-1").split("\\r\\n")[0] or "hung up"
    except OSError as error:
        OUTCOMES[name] = f"hung up after {sent} bytes: {type(error).__name__}"
    finally:
        conn.close()

request = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\n"
_send("many headers", request + b"".join(b"X-H%d: v\\r\\n" % i for i in range(500)) + b"\\r\\n")
_send("a long header", request + b"X-Big: " + b"a" * (16 << 20) + b"\\r\\n\\r\\n")

def handler(event, context):
    return OUTCOMES
"""

IDLE = """
import os, socket, threading, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
OUTCOMES = {}

def _idle(name, data):
    conn = socket.create_connection((host, int(port)), timeout=4 * IDLE)
    started = time.monotonic()
    try:
        conn.sendall(data)
        OUTCOMES[name] = conn.recv(65536).decode("latin-1") or "hung up"
    except socket.timeout:
        OUTCOMES[name] = "still open"
    except OSError as error:
        OUTCOMES[name] = "hung up: " + type(error).__name__
    OUTCOMES[name + " after"] = time.monotonic() - started
    conn.close()

_idle("sends nothing", b"")
_idle("stalls mid-request", b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost:")

def handler(event, context):
    return OUTCOMES
"""


@pytest.mark.parametrize("client", CLIENTS)
def test_header_floods_are_refused_and_the_worker_still_runs(engine, make_function, client):
    spec = make_function(HEADER_FLOOD, runtime_client=client, timeout=30)
    outcomes = body(engine.invoke(spec))
    assert outcomes["many headers"] == "HTTP/1.1 431 Request Header Fields Too Large"
    # Cut off well before the sixteen megabytes were taken (the reply may be lost to the reset of the unread rest).
    big = outcomes["a long header"]
    assert big == "HTTP/1.1 431 Request Header Fields Too Large" or big.startswith("hung up after"), big
    if big.startswith("hung up after"):
        assert int(big.split()[3]) < 16 << 20
    assert engine.invoke(spec).payload == json.dumps(outcomes).encode()


def test_idle_connections_are_closed(engine, make_function):
    spec = make_function(IDLE.replace("4 * IDLE", str(4 * IDLE_SECONDS)), timeout=30)
    outcomes = body(engine.invoke(spec))
    for name in ("sends nothing", "stalls mid-request"):
        assert outcomes[name].startswith("hung up"), outcomes
        assert outcomes[name + " after"] >= IDLE_SECONDS - 0.5


def test_a_worker_address_is_plain_host_and_port(engine, make_function):
    spec = make_function("import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_RUNTIME_API']\n")
    other = make_function("import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_RUNTIME_API']\n")
    first, second = body(engine.invoke(spec)), body(engine.invoke(other))
    host, port = first.rsplit(":", 1)
    assert host == "127.0.0.1" and port.isdigit() and first != second  # one port per environment
    engine.retire(spec.name)
    with pytest.raises(OSError):  # closed when its environment retires
        socket.create_connection((host, int(port)), timeout=5).close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX")
def test_other_paths_on_the_port_are_not_found(engine, make_function):
    spec = make_function(
        "import os, socket\n"
        "host, port = os.environ['AWS_LAMBDA_RUNTIME_API'].rsplit(':', 1)\n"
        "conn = socket.create_connection((host, int(port)), timeout=5)\n"
        "conn.sendall(b'GET /../2018-06-01/runtime/invocation/next HTTP/1.1\\r\\n\\r\\n')\n"
        "REPLY = conn.recv(65536).decode().split('\\r\\n')[0]\n"
        "def handler(event, context):\n    return REPLY\n"
    )
    assert body(engine.invoke(spec)) == "HTTP/1.1 404 Not Found"


@pytest.mark.skipif(not peers.SUPPORTED, reason="the peer of a TCP connection is known on Linux only")
@pytest.mark.parametrize("family", ["ipv4", "ipv4-mapped ipv6"])
def test_the_process_behind_a_loopback_connection_is_found(family):
    """The process at the other end is named when it is among the candidates, and only then."""
    import subprocess

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        host = "127.0.0.1" if family == "ipv4" else "::ffff:127.0.0.1"
        source = (f"import socket, time\ns = socket.socket(socket.{'AF_INET' if family == 'ipv4' else 'AF_INET6'})\n"
                  f"s.connect(({host!r}, {port}))\nprint('connected', flush=True)\ntime.sleep(30)\n")
        connector = subprocess.Popen([sys.executable, "-c", source], stdout=subprocess.PIPE, text=True)
        try:
            assert connector.stdout.readline() == "connected\n"
            conn, peer = server.accept()
            with conn:
                assert peers.connected_from(port, peer[1], [os.getpid(), connector.pid]) == connector.pid
                assert peers.connected_from(port, peer[1], [os.getpid()]) is None
        finally:
            connector.kill()
            connector.wait()
