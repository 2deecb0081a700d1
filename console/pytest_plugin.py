"""The pytest plugin (entry point `pytest11`, installed with lambda-console): the `lambda_console` fixture.

    def test_hello(lambda_console):
        result = lambda_console.invoke("hello_python", {"first_name": "Ada", "last_name": "Lovelace"})
        assert result.function_error is None
        assert result.payload == {"message": "Hello Ada Lovelace!"}

The functions are those of the console's data folder (`--lambda-console-data-dir`, else `LAMBDA_CONSOLE_DATA`, else
the console's default). One Console serves the whole session, so warm execution environments are reused from test to
test, as Lambda reuses them, and a suite of a thousand invocations takes seconds. Each invocation is recorded in the
function's history, as a command-line test is.

`--lambda-console-saved-events` also collects one test per saved event that has an expectation
(console.core.expectations), failing with the diff.

The plugin is loaded into every pytest run of the environment it is installed in, so it costs nothing until used:
importing it imports only the standard library, and the Console (with its engine and database) is made on the
first invocation.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.expectations import Expectation

DATA_DIR_OPTION = "--lambda-console-data-dir"
TEMPLATE_OPTION = "--lambda-console-template"
SAVED_EVENTS_OPTION = "--lambda-console-saved-events"
_SESSION_KEY = pytest.StashKey["LambdaConsole"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lambda-console", "lambda-console: invoke Lambda handlers locally")
    group.addoption(DATA_DIR_OPTION, metavar="DIR", default=None,
                    help="The lambda-console data folder whose functions the lambda_console fixture invokes "
                         "(default: LAMBDA_CONSOLE_DATA, else lambda-console's own default).")
    group.addoption(TEMPLATE_OPTION, metavar="FILE", action="append", default=[],
                    help="A SAM template whose functions (named by their logical ids) the lambda_console fixture "
                         "invokes, with the project's events/*.json as their saved events; repeat for more. Without "
                         f"{DATA_DIR_OPTION}, they live in a temporary data folder for the session.")
    group.addoption(SAVED_EVENTS_OPTION, action="store_true", default=False,
                    help="Also run each saved event that has an expectation as a test.")


def pytest_configure(config: pytest.Config) -> None:
    templates = [Path(path).resolve() for path in config.getoption(TEMPLATE_OPTION, None) or []]
    if templates:  # a template that cannot be read stops the session at once, with the reader's line and column
        from console.core.sam import read_template
        from console.core.sam_yaml import TemplateError

        for template in templates:
            try:
                read_template(template)
            except TemplateError as exc:
                raise pytest.UsageError(f"{TEMPLATE_OPTION}: {exc}") from None
    config.stash[_SESSION_KEY] = LambdaConsole(config.getoption(DATA_DIR_OPTION, None), templates)


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION_KEY, None)
    if session is not None:
        session.close()


@dataclass(frozen=True)
class Result:
    """One invocation as a test sees it."""

    payload: Any  # the response parsed as JSON (Lambda's error payload when it failed); the text if not JSON
    raw: bytes  # the response's bytes, exactly as Lambda returns them
    function_error: str | None  # None when it succeeded, "Unhandled" when it failed (Lambda's FunctionError)
    log: str  # START, the handler's output, END, REPORT
    duration_ms: float
    error_type: str | None = None  # the failure's errorType (Runtime.ExitError, a handler's exception class...)


class LambdaConsole:
    """The session's console: made on first use, closed when the session ends."""

    def __init__(self, data_dir: str | None, templates: list[Path] | None = None) -> None:
        self._data_dir = data_dir
        self._templates = templates or []
        self._temporary: tempfile.TemporaryDirectory | None = None
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = self._open()
        return self._console

    def _open(self) -> Console:
        from console.config import ConfigError, load_config
        from console.core.console import Console
        from console.core.credentials import CredentialsError
        from console.core.sam_local import EnvVarsError
        from console.core.sam_yaml import TemplateError
        from console.core.store import StoreError

        data_dir = self._data_dir
        settings: dict[str, object] = {"watch_folders": False}  # a test session runs the code as it is at its start
        if self._templates:
            settings["load_samples"] = False
            if data_dir is None:
                self._temporary = tempfile.TemporaryDirectory(prefix="lambda-console-pytest-")
                data_dir = self._temporary.name
        try:
            console = Console(load_config(data_dir, settings))
        except (ConfigError, StoreError, CredentialsError) as exc:
            raise pytest.UsageError(f"lambda-console: {exc}") from None
        if self._templates:
            try:
                notices = console.serve_templates(self._templates)
            except (TemplateError, EnvVarsError) as exc:
                console.close()
                raise pytest.UsageError(f"{TEMPLATE_OPTION}: {exc}") from None
            for notice in notices:
                print(f"lambda-console: {notice.line()}", file=sys.stderr)
        return console

    def invoke(self, function: str, event: Any = None, *, version: str = "$LATEST") -> Result:
        """Invoke the function with the event (a JSON value, or bytes sent as they are; None sends `{}`) and wait."""
        from console.core.functions import FunctionNotFound

        payload = event if isinstance(event, bytes) else json.dumps({} if event is None else event).encode()
        try:
            record = self.console.invoke(function, payload, version=version, source="cli")
        except FunctionNotFound:
            known = ", ".join(f.name for f in self.console.list_functions()) or "none"
            raise LookupError(f"lambda-console has no function {function!r} in {self.console.config.data_dir} "
                              f"(it has: {known}).") from None
        try:
            parsed = json.loads(record.payload)
        except (ValueError, RecursionError):
            parsed = record.payload.decode("utf-8", "replace")
        return Result(parsed, record.payload, None if record.succeeded else "Unhandled", record.log,
                      record.duration_ms, record.error_type)

    def invoke_saved(self, function: str, event: str) -> Result:
        """Invoke the function with one of its saved events."""
        return self.invoke(function, self.console.get_event(function, event).payload)

    def close(self) -> None:
        if self._console is not None:
            self._console.close()
            self._console = None
        if self._temporary is not None:
            self._temporary.cleanup()
            self._temporary = None


@pytest.fixture(scope="session")
def lambda_console(pytestconfig: pytest.Config) -> Iterator[LambdaConsole]:
    """Invoke the data folder's functions: `lambda_console.invoke(function, event)` returns a `Result`."""
    yield pytestconfig.stash[_SESSION_KEY]


# -- saved events as tests ----------------------------------------------------------------------------------------


class SavedEventFailed(AssertionError):
    """A saved event's invocation did not produce what its expectation says."""


class SavedEventItem(pytest.Item):
    """One saved event with an expectation, run as a test."""

    def __init__(self, *, function: str, event: str, expectation: Expectation, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.function, self.event, self.expectation = function, event, expectation

    def runtest(self) -> None:
        from console.core.expectations import verdict

        session: LambdaConsole = self.config.stash[_SESSION_KEY]
        record = session.console.invoke(self.function, session.console.get_event(self.function, self.event).payload,
                                        source="cli")
        checked = verdict(self.expectation, record)
        if not checked.passed:
            raise SavedEventFailed(checked.diff_text())

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SavedEventFailed):
            return f"{self.function}/{self.event} did not produce its expected result:\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"lambda-console saved event {self.function}/{self.event}"


class SavedEvents(pytest.Collector):
    """The saved events with expectations of every function in the data folder."""

    def collect(self) -> list[pytest.Item]:
        from console.core import test_runs

        session: LambdaConsole = self.config.stash[_SESSION_KEY]
        return [SavedEventItem.from_parent(self, name=f"{function}/{event}", function=function, event=event,
                                           expectation=expectation)
                for function, event, _payload, expectation in test_runs.plan(session.console, None)]


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption(SAVED_EVENTS_OPTION, False):
        return
    collector = SavedEvents.from_parent(session, name="lambda-console")
    items.extend(collector.collect())
