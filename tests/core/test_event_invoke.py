"""Asynchronous invocation settings in the Event queue: the retries a qualifier's EventInvokeConfig allows, and an
event older than its maximum age discarded rather than tried."""

from __future__ import annotations

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.event_invoke import EventInvokeConfigNotFound
from console.core.function_settings import ConstraintError
from tests.core.test_console import make_zip

FAIL = make_zip({"app.py": "def handler(event, context):\n    raise RuntimeError('no')\n"})


@pytest.fixture
def console(tmp_path):
    with Console(load_config(tmp_path / "data", {"load_samples": False, "event_retry_delay": 0.05})) as console:
        console.create_function("fails", FAIL, "app.handler", publish=True)
        yield console


def attempts(console: Console, name: str, version: str = "$LATEST") -> int:
    job = console.start_event_invocation(name, b"{}", version=version)
    assert job.done.wait(60)
    assert console.jobs.queue.pending() == 0  # finished: nothing left to retry
    return job.attempts


def test_retries_follow_the_qualifiers_settings(console: Console) -> None:
    assert attempts(console, "fails") == 3  # Lambda's default: two retries
    console.put_event_invoke_config("fails", "$LATEST", retries=0)
    assert attempts(console, "fails") == 1
    console.put_event_invoke_config("fails", "1", retries=1)
    assert attempts(console, "fails", "1") == 2
    assert attempts(console, "fails") == 1  # $LATEST keeps its own
    # Update changes what it names; Put resets the rest to Lambda's defaults.
    console.put_event_invoke_config("fails", "1", max_age=600, replace=False)
    assert console.get_event_invoke_config("fails", "1").maximum_retry_attempts == 1
    console.put_event_invoke_config("fails", "1", max_age=600)
    assert console.get_event_invoke_config("fails", "1").maximum_retry_attempts is None
    assert attempts(console, "fails", "1") == 3
    console.delete_event_invoke_config("fails", "$LATEST")
    assert attempts(console, "fails") == 3
    with pytest.raises(EventInvokeConfigNotFound):
        console.get_event_invoke_config("fails", "$LATEST")


def test_settings_go_with_their_version_or_alias(console: Console) -> None:
    console.create_alias("fails", "live", "1")
    console.put_event_invoke_config("fails", "live", retries=0)
    console.put_event_invoke_config("fails", "1", retries=1)
    assert attempts(console, "fails", "live") == 1
    console.delete_alias("fails", "live")
    console.delete_version("fails", "1")
    assert console.list_event_invoke_configs("fails") == []
    console.create_alias("fails", "live", "$LATEST")  # a new alias of the same name starts with Lambda's defaults
    assert attempts(console, "fails", "live") == 3


def test_an_expired_event_is_discarded_not_tried(console: Console) -> None:
    job = console.jobs.start("fails", b"{}", source="event", retries=2, durable=True, max_age=0)
    assert job.done.wait(60)
    assert job.attempts == 0 and console.list_invocations("fails") == []
    assert "MaximumEventAgeInSeconds" in (job.error or "")
    assert console.jobs.queue.pending() == 0


@pytest.mark.parametrize(("settings", "path"), [
    ({"retries": 3}, "maximumRetryAttempts"),
    ({"max_age": 59}, "maximumEventAgeInSeconds"),
    ({"max_age": 21_601}, "maximumEventAgeInSeconds"),
])
def test_settings_out_of_range_are_refused_in_lambdas_words(console: Console, settings: dict, path: str) -> None:
    with pytest.raises(ConstraintError, match=f"at '{path}' failed to satisfy constraint"):
        console.put_event_invoke_config("fails", "$LATEST", **settings)
