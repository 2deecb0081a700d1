"""The web console in a real browser: the seed's flow end to end, results of every kind, events, refusals, preview."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import HANDLERS, zip_contents


def run_test(page, event: str | None = None) -> object:
    """Type the event (if given), press Test and return the Execution result region once it holds a result."""
    if event is not None:
        page.get_by_label("Event JSON").fill(event)
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text(re.compile(r"Executing function: (succeeded|failed)"))).to_be_visible()
    return result


def test_seed_flow_upload_a_zip_create_the_function_and_test_it(page, tmp_path) -> None:
    package = zip_contents(HANDLERS / "hello_python", tmp_path / "hello_python.zip")
    page.goto("/")
    screenshot(page, "functions")
    page.get_by_role("link", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/new$"))
    page.get_by_label("Package (.zip)").set_input_files(package)
    # The upload reports the handlers found; the console fills the Handler and the name from them.
    expect(page.get_by_role("status").filter(has_text="Handlers found")).to_be_visible()
    expect(page.get_by_label("Handler")).to_have_value("hello_python.my_handler")
    page.get_by_label("Function name").fill("seed-hello")
    screenshot(page, "create-function")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/seed-hello$"))
    page.wait_for_load_state()  # the page's scripts have run: the event editor is over its textarea
    result = run_test(page, json.dumps({"first_name": "Ada", "last_name": "Lovelace"}))
    expect(result.get_by_text("Executing function: succeeded")).to_be_visible()
    expect(result.get_by_text("Hello Ada Lovelace!")).to_be_visible()
    for label in ("Code SHA-256", "Init duration", "Billed duration", "Resources configured", "Max memory used"):
        expect(result.get_by_text(label, exact=True)).to_be_visible()
    expect(result.get_by_text(re.compile(r"^START RequestId: .*END RequestId: .*REPORT RequestId", re.DOTALL))).to_be_visible()
    # Focus moved to the result, so a screen reader reads it next.
    expect(result.locator("[data-focus]")).to_be_focused()
    screenshot(page, "test-result")


def test_a_handler_returning_none_shows_null(page) -> None:
    page.goto("/functions/return_none")
    result = run_test(page)
    expect(result.get_by_test_id("response")).to_have_text("null")


def test_an_exception_shows_the_failed_banner_with_error_type_and_stack_trace(page) -> None:
    page.goto("/functions/raise_error?event=zero-quantity")
    result = run_test(page)
    expect(result.get_by_text("Executing function: failed")).to_be_visible()
    response = result.get_by_test_id("response")
    expect(response).to_contain_text('"errorType"')
    expect(response).to_contain_text('"stackTrace"')
    screenshot(page, "test-failed")


def test_ctrl_enter_runs_the_test_and_format_pretty_prints(page) -> None:
    page.goto("/functions/hello_python")
    editor = page.get_by_label("Event JSON")
    editor.fill('{"first_name":"Grace","last_name":"Hopper"}')
    page.get_by_role("button", name="Format").click()
    expect(page.locator("#event_json")).to_have_value('{\n  "first_name": "Grace",\n  "last_name": "Hopper"\n}')
    editor.press("Control+Enter")
    expect(page.get_by_role("region", name="Execution result").get_by_text("Hello Grace Hopper!")).to_be_visible()


def test_format_says_where_the_json_is_broken(page) -> None:
    page.goto("/functions/hello_python")
    editor = page.get_by_label("Event JSON")
    editor.fill('{\n  "first_name": "Ada",\n  "last_name" "Lovelace"\n}')
    page.get_by_role("button", name="Format").click()
    expect(page.locator("#event-json-error")).to_contain_text("not valid JSON at line 3, column 15")
    expect(editor).to_have_attribute("aria-invalid", "true")
    expect(editor).to_be_focused()


def test_bad_json_is_shown_with_line_and_column_before_anything_runs(page) -> None:
    page.goto("/functions/hello_python")
    page.get_by_label("Event JSON").fill('{\n  "first_name": "Ada",\n  "last_name" "Lovelace"\n}')
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text("Nothing ran: the event needs fixing first.")).to_be_visible()
    expect(result.get_by_text(re.compile("line 3, column 15"))).to_be_visible()
    expect(page.get_by_label("Event JSON")).to_be_focused()


def test_save_an_event_reload_it_is_there_then_delete_it(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    page.get_by_label("Event name").fill("browser-saved")
    page.get_by_label("Event JSON").fill('{"first_name": "Saved", "last_name": "Event"}')
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved event browser-saved.")).to_be_visible()
    page.reload()
    page.get_by_label("Event", exact=True).select_option("event:browser-saved")
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Saved", "last_name": "Event"}')
    result = run_test(page)
    expect(result.get_by_text("Hello Saved Event!")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted event browser-saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Event", exact=True).locator("option[value='event:browser-saved']")).to_have_count(0)


def test_a_long_invocation_shows_running_then_the_timeout(page) -> None:
    page.goto("/functions/sleep_seconds?event=too-long")
    # The running status stays until its poll is answered: held here, so that a busy machine, slow to look, cannot
    # miss it within the function's two seconds.
    held = []
    page.route(re.compile(r"/runs/\w+$"), lambda route: held.append(route))
    with page.expect_request(re.compile(r"/runs/\w+$")):
        page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text(re.compile(r"Running sleep_seconds"))).to_be_visible()
    expect(result.get_by_role("button", name="Cancel")).to_be_visible()
    screenshot(page, "test-running")
    # The rest of the page stays usable while it runs.
    page.get_by_role("button", name="Format").click()
    held[0].continue_()
    page.unroute(re.compile(r"/runs/\w+$"))
    expect(result.get_by_text("Executing function: failed")).to_be_visible()
    expect(result.get_by_test_id("response")).to_contain_text("Task timed out after 2.00 seconds")


def test_a_function_from_a_stored_package_and_cancel_a_long_run(page) -> None:
    page.goto("/functions/new")
    stored = page.get_by_label("Or a stored package")
    stored.select_option(stored.locator("option", has_text="sleep_seconds.zip").get_attribute("value"))
    expect(page.get_by_label("Handler")).to_have_value("sleep_seconds.handler")  # found in the package
    page.get_by_label("Function name").fill("sleepy")
    page.get_by_label("Timeout (seconds)").fill("60")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/sleepy$"))
    page.wait_for_load_state()  # the page's scripts have run: the event editor is over its textarea
    page.get_by_label("Event JSON").fill('{"seconds": 30}')
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text(re.compile(r"\d+\.\d s elapsed"))).to_be_visible()
    result.get_by_role("button", name="Cancel").click()
    expect(result.get_by_text("Executing function: failed")).to_be_visible()
    expect(result.get_by_text("(cancelled)")).to_be_visible()


def test_a_late_answer_of_the_running_status_lands_nowhere_after_cancel(page) -> None:
    page.goto("/functions/sleep_seconds?event=too-long")
    held = []
    # Hold the running status's poll, so that its answer comes after Cancel has replaced the status.
    page.route(re.compile(r"/runs/\w+$"), lambda route: held.append(route))
    with page.expect_request(re.compile(r"/runs/\w+$")):
        page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    result.get_by_role("button", name="Cancel").click()
    expect(result.get_by_text("(cancelled)")).to_be_visible()
    with page.expect_response(re.compile(r"/runs/\w+$")) as late:
        held[0].continue_()
    late.value.finished()
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 100))")  # let the page handle the answer
    expect(result.get_by_text("(cancelled)")).to_be_visible()  # and the page reported no error (fixture)


def test_a_file_that_is_not_a_zip_is_refused_beside_the_field(page, tmp_path) -> None:
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("these are notes, not a zip")
    page.goto("/functions/new")
    page.get_by_label("Package (.zip)").set_input_files(not_zip)
    error = page.locator("#package-error")
    expect(error).to_contain_text("notes.zip: not a zip file")
    screenshot(page, "create-refused")


def test_the_preview_of_an_html_response(page) -> None:
    page.goto("/functions/api_gateway_html")
    result = run_test(page)
    frame = result.locator("iframe")
    expect(frame).to_have_attribute("sandbox", "")
    expect(page.frame_locator("#result iframe").get_by_role("heading", name="Hello Ada <Lovelace>!")).to_be_visible()
    screenshot(page, "preview")


def test_presenter_runs_saved_events_without_the_configuration(page) -> None:
    page.goto("/functions/api_gateway_html")
    page.get_by_role("link", name="Presenter view").click()
    expect(page.get_by_role("link", name="Configuration")).to_have_count(0)
    page.get_by_role("button", name="get-hello").click()
    expect(page.frame_locator("iframe").get_by_role("heading")).to_contain_text("Hello")
    screenshot(page, "presenter")


def test_configuration_history_and_packages_pages(page) -> None:
    page.goto("/functions/hello_python")
    run_test(page)
    page.get_by_role("link", name="Configuration").click()
    expect(page).to_have_url(re.compile(r"/functions/hello_python/configuration$"))
    page.get_by_label("Memory (MB)").fill("64")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("is not valid: give a whole number of MB from 128 to 10240")).to_be_visible()
    screenshot(page, "configuration")
    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(r"/functions/hello_python/history$"))
    screenshot(page, "history")
    page.get_by_role("table").get_by_role("link").first.click()
    page.get_by_role("button", name="Run again").click()
    expect(page.get_by_role("region", name="Execution result").get_by_text("Executing function: succeeded")).to_be_visible()
    page.goto("/packages")
    expect(page.get_by_role("cell", name="hello_python.zip").first).to_be_visible()
    screenshot(page, "packages")


def test_narrow_screen(page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/functions/hello_python")
    run_test(page)
    # Nothing wider than the screen: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "narrow-test")
    page.goto("/")
    screenshot(page, "narrow-functions")


def test_a_dropped_zip_uploads_with_progress_and_offers_its_handler(page, tmp_path) -> None:
    import base64

    package = zip_contents(HANDLERS / "with_dependency", tmp_path / "with_dependency.zip").read_bytes()
    page.goto("/functions/new")
    # Record what the progress bar shows while the upload runs.
    page.evaluate("""() => { window.progressShown = [];
        document.addEventListener('htmx:xhr:progress', () => {
          const bar = document.getElementById('package-progress');
          window.progressShown.push([bar.value, getComputedStyle(bar).display]); }); }""")
    dropped = page.evaluate_handle("""(b64) => { const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const data = new DataTransfer(); data.items.add(new File([bytes], 'dropped.zip', {type: 'application/zip'}));
        return data; }""", base64.b64encode(package).decode())
    page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": dropped})
    expect(page.locator("#package-field [role=status]")).to_contain_text("app.handler")
    expect(page.get_by_label("Handler")).to_have_value("app.handler")
    expect(page.get_by_label("Function name")).to_have_value("dropped")
    assert [100, "block"] in page.evaluate("window.progressShown")
