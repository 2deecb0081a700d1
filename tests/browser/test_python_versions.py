"""A deprecated runtime in a real browser: marked in the function list and on its Configuration tab, which shows the
Python that runs it, and every result says that Python is not the runtime's."""

from __future__ import annotations

import re
import sys

from playwright.sync_api import expect

from tests.api.conftest import ROLE, boto3_client
from tests.browser.conftest import screenshot
from tests.browser.test_console import run_test
from tests.zips import zip_bytes

OWN = f"{sys.version_info.major}.{sys.version_info.minor}"


def test_a_deprecated_runtime_is_marked_and_its_results_say_which_python_ran_them(page, server) -> None:
    source = "import sys\n\ndef handler(event, context):\n    return list(sys.version_info[:2])\n"
    boto3_client(server.url).create_function(FunctionName="legacy36", Runtime="python3.6", Role=ROLE,
                                              Handler="app.handler", Code={"ZipFile": zip_bytes({"app.py": source})})
    page.goto("/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="legacy36", exact=True))
    expect(row.get_by_text("deprecated", exact=True)).to_be_visible()

    page.goto("/functions/legacy36/configuration")
    panel = page.get_by_test_id("runtime-panel")
    expect(panel.get_by_text("deprecated", exact=True)).to_be_visible()
    expect(panel.get_by_test_id("interpreter")).to_contain_text(f"Python {OWN}.")
    expect(panel.get_by_test_id("interpreter")).to_contain_text(sys.executable)
    expect(panel.get_by_test_id("interpreter-note")).to_contain_text(
        f"Not python3.6: this function runs on Python {OWN}, because ")
    screenshot(page, "python-versions-configuration")

    page.goto("/functions/legacy36")
    result = run_test(page, "{}")
    expect(result.get_by_test_id("interpreter-note")).to_have_text(
        re.compile(rf"^Ran on Python {re.escape(OWN)}; the function's runtime is python3\.6 \(.+\)\.$"))
    expect(result.get_by_test_id("response")).to_contain_text(OWN.split(".")[1])
    screenshot(page, "python-versions-result")
