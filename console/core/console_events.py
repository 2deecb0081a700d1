"""The Console's saved events and their use as tests: save, rename, import and export, expectations, Run all.

A part of console.core.console.Console (which inherits it): the one way in stays one object.
"""

from __future__ import annotations

from pathlib import Path

from console.core.console_parts import ConsoleParts
from console.core.events import SavedEvent
from console.core.expectations import (
    Expectation,
    ExpectationError,
    check_expectation,
    expectation_from,
    same_json,
)
from console.core.test_runs import LastRun, TestRun, last_runs
from console.core.test_runs import run as run_test_suite


class EventOperations(ConsoleParts):
    """The Console's saved events and their use as tests."""

    def list_events(self, function: str) -> list[SavedEvent]:
        return self.events.for_function(function)

    def get_event(self, function: str, name: str) -> SavedEvent:
        return self.events.get(function, name)

    def save_event(self, function: str, name: str, body: str, *, replace: bool = True) -> SavedEvent:
        """Save the event under `name`. With replace=False an event already saved under that name (ignoring case) is
        kept and EventExists names it, so that the person is asked before it is replaced."""
        self.functions.get(function)  # FunctionNotFound before anything else
        if not replace:
            return self.events.create(function, name, body)
        return self.events.save(function, name, body)

    def rename_event(self, function: str, name: str, new_name: str) -> SavedEvent:
        """Give a saved event a new name; its expectation goes with it (EventExists when the name is taken)."""
        self.functions.get(function)
        return self.events.rename(function, name, new_name)

    def duplicate_event(self, function: str, name: str, new_name: str) -> SavedEvent:
        """Save a copy of a saved event, with its expectation, under a new name."""
        self.functions.get(function)
        return self.events.duplicate(function, name, new_name)

    def delete_event(self, function: str, name: str) -> None:
        self.events.delete(function, name)

    def export_events(self, function: str, folder: Path | None = None) -> str | list[Path]:
        """The function's events as one bundle's text, or (given `folder`) as a `<name>.json` file each."""
        self.functions.get(function)
        return self.events.export_bundle(function) if folder is None else self.events.export_folder(function, folder)

    def import_events(self, function: str, source: Path | bytes, *, replace: bool = False) -> list[SavedEvent]:
        """A bundle's bytes, or a folder of `<name>.json` files: all stored, or none."""
        self.functions.get(function)
        if isinstance(source, Path):
            return self.events.import_folder(function, source, replace=replace)
        return self.events.import_bundle(function, source, replace=replace)

    def get_expectation(self, function: str, event: str) -> Expectation | None:
        """The saved event's expectation, or None (EventNotFound for an event that does not exist)."""
        self.events.get(function, event)
        return self.expectations.get(function, event)

    def list_expectations(self, function: str) -> dict[str, Expectation]:
        """The function's expectations by event name."""
        self.functions.get(function)
        return self.expectations.for_function(function)

    def set_expectation(self, function: str, event: str, response: str | None, outcome: str = "any",
                        max_duration: str | float | None = None) -> Expectation:
        """An expectation written by hand, checked (ExpectationError with its field), on a saved event."""
        self.events.get(function, event)
        return self.expectations.set(function, event, check_expectation(response, outcome, max_duration))

    def clear_expectation(self, function: str, event: str) -> bool:
        """Remove the saved event's expectation; False when it had none."""
        self.events.get(function, event)
        return self.expectations.clear(function, event)

    def save_as_expected(self, function: str, entry_id: int, event: str) -> tuple[SavedEvent, Expectation]:
        """"Save as expected": a history entry's result becomes the expectation of the saved event `event`, which is
        created from the entry's event when the function has none of that name. A saved event whose JSON differs
        from the entry's is refused (ExpectationError): the result did not come from it."""
        entry = self.get_invocation(entry_id, function)
        expectation = expectation_from(entry)
        saved = self.events.for_function(function)
        existing = next((item for item in saved if item.name == event), None)
        if existing is None:
            existing = self.events.create(function, event, entry.event)
        elif not same_json(existing.body, entry.event):
            raise ExpectationError(f"The saved event {event!r} holds other JSON than the event this result came "
                                   "from: choose another name to save that event with its result, or run the saved "
                                   "event and save its result.", "event")
        return existing, self.expectations.set(function, event, expectation)

    def saved_event_for(self, function: str, event: str) -> str | None:
        """The name of the function's saved event holding this JSON (formatting aside), or None."""
        return next((saved.name for saved in self.events.for_function(function) if same_json(saved.body, event)),
                    None)

    def run_tests(self, functions: list[str] | None = None, *, source: str = "console",
                  concurrency: int | None = None) -> TestRun:
        """Run the saved events with expectations of the functions (all when None) and wait for the results."""
        return run_test_suite(self.console, functions, source=source, concurrency=concurrency)

    def start_test_run(self, functions: list[str] | None = None) -> TestRun:
        """Run all: the same as `run_tests`, in the background; the page polls `get_test_run`."""
        return self.test_runs.start(functions)

    def get_test_run(self, run_id: str) -> TestRun:
        return self.test_runs.get(run_id)

    def last_test_runs(self) -> dict[str, LastRun]:
        """Each function's last test run, by function name."""
        return last_runs(self.console)
