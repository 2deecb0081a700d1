"""A test run as JUnit XML, the report CI systems (GitHub Actions, GitLab, Jenkins) read and show.

The shape is the one those readers share (the Ant JUnit schema): `<testsuites>` holding one `<testsuite>` per
function, one `<testcase>` per saved event (`classname` the function, `name` the event, `time` in seconds), and in a
failed case a `<failure message=... type=...>` element whose text is the diff; an event that could not run at all has
an `<error>` instead. Counts (`tests`, `failures`, `errors`, `skipped`) and times are on every suite.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.core.test_runs import EventOutcome, TestRun

# Characters XML 1.0 cannot carry at all (a handler's output may hold them): written as their escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 256
                        else f"\\u{ord(match.group()):04x}", value)


def _seconds(milliseconds: float) -> str:
    return f"{milliseconds / 1000:.6f}"


def junit_xml(test_run: TestRun) -> bytes:
    """The run's JUnit XML document, UTF-8 with its declaration."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    grouped = test_run.by_function()
    root = ET.Element("testsuites", {
        "name": "lambda-console", "tests": str(len(test_run.results)), "failures": "0", "errors": "0",
        "time": _seconds(test_run.duration_ms),
    })
    failures = errors = 0
    for index, (function, outcomes) in enumerate(grouped.items()):
        suite_failures = sum(1 for outcome in outcomes if not outcome.passed and outcome.error is None)
        suite_errors = sum(1 for outcome in outcomes if outcome.error is not None)
        failures, errors = failures + suite_failures, errors + suite_errors
        suite = ET.SubElement(root, "testsuite", {
            "name": _text(function), "id": str(index), "tests": str(len(outcomes)), "failures": str(suite_failures),
            "errors": str(suite_errors), "skipped": "0",
            "time": _seconds(sum(outcome.duration_ms for outcome in outcomes)), "timestamp": stamp,
            "hostname": _text(socket.gethostname() or "localhost"),
        })
        for outcome in outcomes:
            _case(suite, outcome)
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _case(suite: ET.Element, outcome: EventOutcome) -> None:
    case = ET.SubElement(suite, "testcase", {
        "classname": _text(outcome.function), "name": _text(outcome.event), "time": _seconds(outcome.duration_ms),
    })
    if outcome.passed:
        return
    first = outcome.diff.splitlines()[0] if outcome.diff else "failed"
    if outcome.error is not None:
        element = ET.SubElement(case, "error", {"message": _text(first), "type": "CouldNotRun"})
    else:
        element = ET.SubElement(case, "failure", {"message": _text(first), "type": "ExpectationNotMet"})
    element.text = _text(outcome.diff)
