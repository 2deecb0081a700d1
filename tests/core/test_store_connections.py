"""The store's connections over many threads: a thread's connection closes with the thread, or goes back for the
next thread when handed back, so the open files stay flat however many threads come and go."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def in_threads(count: int, work) -> None:
    for _ in range(count):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()


def test_a_thread_that_ends_leaves_no_connection_open(store):
    store.set_meta("k", "v")
    in_threads(5, lambda: store.get_meta("k"))
    before = open_files()
    in_threads(300, lambda: store.get_meta("k"))
    assert open_files() - before <= 2


def test_a_handed_back_connection_serves_the_next_thread(store):
    def work() -> None:
        store.set_meta("k", threading.current_thread().name)
        store.release()

    in_threads(5, work)
    before = open_files()
    in_threads(300, work)
    assert open_files() - before <= 2
    assert store.get_meta("k").startswith("Thread-")


def test_a_closed_store_closes_every_connection(tmp_path):
    from console.core.store import Store

    before = open_files()
    store = Store(tmp_path / "db.sqlite3")
    gate, connected = threading.Event(), threading.Semaphore(0)

    def hold() -> None:
        store.get_meta("k")
        connected.release()
        gate.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(5)]
    for thread in holders:
        thread.start()
    for _ in holders:
        assert connected.acquire(timeout=10)
    assert open_files() > before
    store.close()
    gate.set()
    for thread in holders:
        thread.join()
    assert open_files() <= before
