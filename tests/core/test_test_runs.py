"""Saved events run as tests through the Console: passes, failures with their diff, the last run kept per function."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.functions import FunctionNotFound
from tests.zips import zip_bytes

CODE = (
    "import time\n"
    "def handler(event, context):\n"
    "    time.sleep(event.get('sleep', 0))\n"
    "    if 'name' not in event:\n"
    "        raise KeyError('name')\n"
    "    return {'greeting': 'hello ' + event['name'], 'items': [1, 2]}\n"
)


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False, "max_environments": 4})) as console:
        for name in ("one", "two"):
            console.create_function(name, zip_bytes({"app.py": CODE}), "app.handler")
        yield console


def test_run_all_reports_passes_and_failures_with_diffs(console) -> None:
    console.save_event("one", "ada", '{"name": "Ada"}')
    console.set_expectation("one", "ada", '{"greeting": "hello Ada"}', "success")
    console.save_event("one", "wrong", '{"name": "Bob"}')
    console.set_expectation("one", "wrong", '{"greeting": "hello Ada", "items": [1], "extra": true}')
    console.save_event("one", "keyerror", "{}")
    console.set_expectation("one", "keyerror", '{"errorType": "KeyError"}', "failure")
    console.save_event("one", "no-expectation", '{"name": "x"}')
    console.save_event("two", "slow", '{"name": "Sam", "sleep": 0.3}')
    console.set_expectation("two", "slow", None, "any", "100")

    run = console.run_tests()
    assert run.functions == ("one", "two") and run.total == 4
    outcomes = {(o.function, o.event): o for o in run.ordered}
    assert set(outcomes) == {("one", "ada"), ("one", "keyerror"), ("one", "wrong"), ("two", "slow")}
    assert (run.passed, run.failed) == (2, 2)
    assert outcomes["one", "ada"].passed and outcomes["one", "keyerror"].passed
    assert outcomes["one", "wrong"].diff.splitlines() == [
        'changed  $.greeting: expected "hello Ada", got "hello Bob"',
        "added    $.items[1]: 2, not expected",
        "missing  $.extra: expected true, the response has none",
    ]
    slow = outcomes["two", "slow"]
    assert not slow.passed and slow.duration_ms >= 300
    assert slow.diff.startswith("duration: ") and "more than the 100 ms allowed" in slow.diff
    # Each invocation is in the history, where a failure can be opened.
    entry = console.get_invocation(outcomes["one", "wrong"].entry_id, "one")
    assert json.loads(entry.payload)["greeting"] == "hello Bob"

    last = console.last_test_runs()
    assert (last["one"].passed, last["one"].failed, last["two"].failed) == (2, 1, 1)
    assert [o.event for o in last["one"].results] == ["ada", "keyerror", "wrong"]
    assert last["one"].results[2].diff == outcomes["one", "wrong"].diff
    summary = {row.function.name: row.last_test for row in console.summary()}
    assert summary["one"].status == "failed" and summary["two"].status == "failed"


def test_run_of_one_function_only_and_of_a_missing_one(console) -> None:
    console.save_event("two", "sam", '{"name": "Sam"}')
    console.set_expectation("two", "sam", '{"greeting": "hello Sam"}')
    run = console.run_tests(["two"])
    assert [(o.event, o.passed) for o in run.ordered] == [("sam", True)]
    assert set(console.last_test_runs()) == {"two"}
    with pytest.raises(FunctionNotFound):
        console.run_tests(["nope"])


def test_events_run_concurrently_as_the_engine_allows(console) -> None:
    for index in range(4):
        console.save_event("one", f"e{index}", '{"name": "x", "sleep": 0.5}')
        console.set_expectation("one", f"e{index}", None, "success")
    run = console.run_tests(["one"])
    assert run.passed == 4
    # A busy environment is never shared: four events that overlap took four environments (one by one, one would do).
    assert len([env for env in console.engine.environments() if env.function == "one"]) == 4


def test_a_background_run_is_polled_until_it_finishes(console) -> None:
    console.save_event("one", "ada", '{"name": "Ada"}')
    console.set_expectation("one", "ada", '{"greeting": "hello Ada"}')
    run = console.start_test_run(["one"])
    assert console.get_test_run(run.id) is run
    assert run.done.wait(30)
    assert (run.passed, run.failed, run.error) == (1, 0, None)
