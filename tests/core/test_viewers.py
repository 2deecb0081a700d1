"""Viewer links through the Console, without a web server: what a link opens, how it ends, what is stored."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.functions import FunctionNotFound
from console.core.viewers import Viewer, ViewerError, ViewerRefused


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": True})) as console:
        yield console


def test_a_link_opens_the_presenter_page_of_its_function_only(console):
    new = console.create_viewer_link("  Customer   demo ", function="hello_python", expires_in=3600)
    viewer = console.open_viewer_link(new.token)
    assert viewer.label == "Customer demo"
    assert viewer.may_present("hello_python") and not viewer.may_present("raise_error")
    every = console.open_viewer_link(console.create_viewer_link("Everyone").token)
    assert every.function is None and every.may_present("raise_error")


def test_only_a_digest_of_the_token_is_stored(console):
    new = console.create_viewer_link("Stored", function="hello_python")
    with sqlite3.connect(console.config.database_path) as db:
        dump = "\n".join(db.iterdump())
    assert new.token not in dump and "Stored" in dump
    assert len(new.token) >= 40  # 32 random bytes


@pytest.mark.parametrize(("label", "expires_in", "function", "says"), [
    ("", None, None, "Give the viewer link a label"),
    ("x" * 81, None, None, "keep it to 80"),
    ("bell\x07", None, None, "control characters"),
    ("Demo", 10, None, "out of that range"),
    ("Demo", 400 * 24 * 3600, None, "out of that range"),
])
def test_a_bad_link_says_what_to_change(console, label, expires_in, function, says):
    with pytest.raises(ViewerError, match=says):
        console.create_viewer_link(label, function=function, expires_in=expires_in)
    assert console.list_viewer_links() == []


def test_a_link_to_a_missing_function_is_refused(console):
    with pytest.raises(FunctionNotFound):
        console.create_viewer_link("Demo", function="no_such_function")


def test_a_revoked_link_refuses_its_token_and_its_sessions(console):
    new = console.create_viewer_link("Demo", function="hello_python")
    console.revoke_viewer_link(new.viewer.id)
    for attempt in (lambda: console.open_viewer_link(new.token), lambda: console.use_viewer_session(new.viewer.id)):
        with pytest.raises(ViewerRefused, match="was revoked") as refused:
            attempt()
        assert refused.value.reason == "revoked"
    assert [v.state() for v in console.list_viewer_links()] == ["revoked"]


def test_an_unknown_token_is_refused(console):
    console.create_viewer_link("Demo")
    with pytest.raises(ViewerRefused, match="not valid") as refused:
        console.open_viewer_link("guess")
    assert refused.value.reason == "unknown"
    with pytest.raises(ViewerRefused):
        console.open_viewer_link("")


def test_a_link_expires_at_its_time():
    viewer = Viewer(1, "Demo", None, created_at=1000.0, expires_at=4600.0)
    assert viewer.state(now=4599.0) == "active"
    assert viewer.state(now=4600.0) == "expired"


def test_deleting_a_function_deletes_its_links(console):
    new = console.create_viewer_link("Demo", function="hello_python")
    console.delete_function("hello_python")
    assert console.list_viewer_links() == []
    with pytest.raises(ViewerRefused):
        console.use_viewer_session(new.viewer.id)


def test_use_is_recorded(console):
    new = console.create_viewer_link("Demo", function="hello_python")
    assert console.list_viewer_links()[0].last_used_at is None
    before = time.time()
    console.open_viewer_link(new.token)
    assert console.list_viewer_links()[0].last_used_at >= before


def test_a_viewer_sees_the_response_of_presenter_runs_only(console):
    viewer = console.open_viewer_link(console.create_viewer_link("Demo").token)
    by_console, _ = console.start_saved_test("hello_python", "ada-lovelace")
    by_presenter, _ = console.start_saved_test("hello_python", "ada-lovelace", source="presenter")
    for job in (by_console, by_presenter):
        job.done.wait(60)
    assert not console.viewer_may_see_entry(viewer, "hello_python", by_console.entry_id)
    assert console.viewer_may_see_entry(viewer, "hello_python", by_presenter.entry_id)
    assert not console.viewer_may_see_entry(viewer, "raise_error", by_presenter.entry_id)


def test_a_viewer_follows_presenter_runs_only(console):
    viewer = console.open_viewer_link(console.create_viewer_link("Demo", function="sleep_seconds").token)
    by_console, _ = console.start_saved_test("sleep_seconds", "short")
    by_presenter, _ = console.start_saved_test("sleep_seconds", "short", source="presenter")
    assert not console.viewer_may_follow_job(viewer, "sleep_seconds", by_console.id)
    assert console.viewer_may_follow_job(viewer, "sleep_seconds", by_presenter.id)
    assert not console.viewer_may_follow_job(viewer, "sleep_seconds", "0" * 32)
    other = console.open_viewer_link(console.create_viewer_link("Other", function="hello_python").token)
    assert not console.viewer_may_follow_job(other, "sleep_seconds", by_presenter.id)
    for job in (by_console, by_presenter):
        job.done.wait(60)


def test_a_presenter_page_lists_the_open_links_that_reach_it(console):
    one = console.create_viewer_link("One", function="hello_python")
    console.create_viewer_link("Every")
    console.create_viewer_link("Other", function="raise_error")
    revoked = console.create_viewer_link("Gone", function="hello_python")
    console.revoke_viewer_link(revoked.viewer.id)
    assert [v.label for v in console.list_viewer_links(presenting="hello_python")] == ["Every", "One"]
    assert [v.label for v in console.list_viewer_links()] == ["Gone", "Other", "Every", "One"]
    assert one.viewer.id in [v.id for v in console.list_viewer_links(presenting="hello_python")]
