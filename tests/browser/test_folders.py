"""A folder function in a real browser: created from a folder, its file edited, the header saying it reloaded and
the next Test running the new code, with no click in between."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_console import run_test


def test_a_saved_file_reloads_and_the_page_says_so(page, tmp_path) -> None:
    folder = tmp_path / "greeter"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 'before the edit'\n")
    page.goto("/functions/new")
    page.get_by_label("Folder on this machine").fill(str(folder))
    page.get_by_label("Folder on this machine").press("Tab")
    # The folder's handlers are found as soon as it is typed; the handler and the name are filled from them.
    expect(page.get_by_role("status").filter(has_text="Handlers found in the folder")).to_contain_text("app.handler")
    expect(page.get_by_label("Handler")).to_have_value("app.handler")
    expect(page.get_by_label("Function name")).to_have_value("greeter")
    page.get_by_label("Function name").fill("folder-greeter")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/folder-greeter$"))
    expect(page.locator("[data-folder]")).to_have_text(str(folder))
    result = run_test(page)
    expect(result.get_by_test_id("response")).to_have_text('"before the edit"')

    (folder / "app.py").write_text("def handler(event, context):\n    return 'after the edit'\n")
    # The header polls the code's status: it says the function reloaded, with no click.
    expect(page.locator("[data-code-change]")).to_contain_text("code changed, reloaded (app.py)")
    result = run_test(page)
    expect(result.get_by_test_id("response")).to_have_text('"after the edit"')
    screenshot(page, "folder-function-reloaded")


def test_a_missing_folder_is_refused_on_the_form(page, tmp_path) -> None:
    page.goto("/functions/new")
    page.get_by_label("Folder on this machine").fill(str(tmp_path / "nowhere"))
    page.get_by_label("Function name").fill("folder-missing")
    page.get_by_label("Handler").fill("app.handler")
    page.get_by_role("button", name="Create function").click()
    expect(page.get_by_role("alert").filter(has_text="does not exist")).to_be_visible()
    expect(page.get_by_label("Folder on this machine")).to_have_value(str(tmp_path / "nowhere"))
