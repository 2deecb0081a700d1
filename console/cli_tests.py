"""`lambda-console test --all`: every saved event with an expectation run as a test, as CI runs a suite.

One line per event (`PASS`/`FAIL`, the function and event, the duration), then the diff of each failure, then the
closing line `N passed, M failed`. Exit status 0 when all passed, 1 when any failed, 2 when the command was wrong.
`--junit FILE` also writes the results as JUnit XML (console.junit).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from console.cli_input import InputError, function_error, open_console

if TYPE_CHECKING:
    from console.core.console import Console
    from console.core.test_runs import TestRun


def run_all(ctx: click.Context, names: tuple[str, ...], junit: str | None, profile: str | None,
            assume_role: bool, remote: str | None = None) -> int:
    """Run the saved events with expectations of the named functions (all when none is named) and report; with
    `remote`, on that remote's deployed functions of the same names."""
    from console.core.functions import FunctionNotFound
    from console.junit import junit_xml

    console = open_console(ctx, profile=profile, assume_role=assume_role)
    for name in names:
        if not console.function_exists(name):
            raise function_error(name)
    if junit is not None and Path(junit).is_dir():
        raise InputError(f"--junit {junit}: a folder. Give the file to write the JUnit XML to, like report.xml.")
    try:
        if remote is None:
            test_run = console.run_tests(list(names) or None, source="cli")
        else:
            test_run = _remote_run(console, remote, names)
    except FunctionNotFound as exc:  # deleted while the run started
        raise function_error(str(exc.args[0] if exc.args else exc)) from None
    outcomes = test_run.ordered
    width = max((len(f"{o.function}/{o.event}") for o in outcomes), default=0)
    for outcome in outcomes:
        label = "PASS" if outcome.passed else "FAIL"
        click.echo(f"{label}  {f'{outcome.function}/{outcome.event}'.ljust(width)}  {outcome.duration_ms:9.2f} ms")
    for outcome in outcomes:
        if not outcome.passed:
            click.echo(f"\n--- {outcome.function}/{outcome.event}")
            for line in outcome.diff.splitlines():
                click.echo(f"    {line}")
    if not outcomes:
        scope = ", ".join(names) if names else "any function"
        click.echo(f"No saved event of {scope} has an expectation: nothing was tested. Save one with Save as "
                   "expected in the web console, or import <name>.expected.json files with 'events import'.",
                   err=True)
    elif test_run.failed:
        click.echo("")
    click.echo(f"{test_run.passed} passed, {test_run.failed} failed")
    if junit is not None:
        try:
            Path(junit).write_bytes(junit_xml(test_run))
        except OSError as exc:
            raise InputError(f"--junit {junit}: cannot write it: {exc.strerror or exc}. Choose a file you can "
                             "write to.") from None
    return 1 if test_run.failed else 0


def _remote_run(console: Console, remote: str, names: tuple[str, ...]) -> TestRun:
    """The run on the remote; a remote not found, not configured or not reached is one clear error."""
    from console.core.remotes import RemoteError, RemoteNotFound

    try:
        return console.run_remote_tests(remote, list(names) or None)
    except RemoteNotFound as exc:
        raise InputError(f"--remote {exc}") from None
    except RemoteError as exc:
        raise click.ClickException(str(exc)) from None
