"""Saved events in a real browser: Enter in the name, Save over another event, unsaved edits, Rename, Duplicate."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def saved_option(page, name: str):
    return page.get_by_label("Event", exact=True).locator(f"option[value='event:{name}']")


def save_new(page, name: str, body: str) -> None:
    page.goto("/functions/hello_python?choice=new")
    page.get_by_label("Event name").fill(name)
    page.get_by_label("Event JSON").fill(body)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"Saved event {name}.")).to_be_visible()


def test_enter_in_the_event_name_saves_nothing(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    page.get_by_label("Event name").fill("by-enter")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if request.method == "POST" else None)
    page.get_by_label("Event name").press("Enter")
    page.wait_for_timeout(300)
    assert requests == []
    page.reload()
    expect(saved_option(page, "by-enter")).to_have_count(0)


def test_save_over_another_event_asks_and_names_it(page) -> None:
    save_new(page, "care-over", '{"first_name": "First"}')
    page.get_by_label("Event", exact=True).select_option("new")
    expect(page.get_by_label("Event name")).to_have_value("")  # the new event's editor is in
    page.get_by_label("Event name").fill("care-over")
    page.get_by_label("Event JSON").fill('{"first_name": "Second"}')
    page.get_by_role("button", name="Save", exact=True).click()
    question = page.get_by_role("alert").filter(has_text="is saved already")
    expect(question).to_contain_text("An event named care-over is saved already.")
    screenshot(page, "save-over-asks")
    page.goto("/functions/hello_python?event=care-over")
    expect(page.locator("#event_json")).to_have_value('{"first_name": "First"}')  # nothing replaced yet
    page.get_by_label("Event", exact=True).select_option("new")
    expect(page.get_by_label("Event name")).to_have_value("")  # the new event's editor is in
    page.get_by_label("Event name").fill("care-over")
    page.get_by_label("Event JSON").fill('{"first_name": "Second"}')
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Replace care-over").click()
    expect(page.get_by_text("Saved event care-over.")).to_be_visible()
    page.goto("/functions/hello_python?event=care-over")
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Second"}')


def test_switching_events_with_unsaved_edits_asks_first(page) -> None:
    save_new(page, "care-draft", '{"first_name": "Draft"}')
    page.get_by_label("Event JSON").fill('{"first_name": "Edited"}')
    messages: list[str] = []

    def dismiss(dialog) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_label("Event", exact=True).select_option("template:sqs")
    expect(page.get_by_label("Event", exact=True)).to_have_value("event:care-draft")
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Edited"}')
    assert messages == ["Discard your unsaved changes to the event care-draft? Save keeps them."]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Event", exact=True).select_option("template:sqs")
    expect(page.locator("#event_json")).to_have_value(re.compile("eventSourceARN"))
    # Without edits, switching asks nothing (a dialog would fail the test: nobody answers it).
    page.get_by_label("Event", exact=True).select_option("event:care-draft")
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Draft"}')


def test_rename_and_duplicate_a_saved_event(page) -> None:
    save_new(page, "care-rename", '{"first_name": "Renamed"}')
    page.get_by_label("New name for care-rename").fill("care-renamed")
    page.get_by_label("New name for care-rename").press("Enter")  # does nothing either
    page.get_by_role("button", name="Rename", exact=True).click()
    expect(page.get_by_text("Renamed event care-rename to care-renamed.")).to_be_visible()
    expect(page.get_by_label("Event", exact=True)).to_have_value("event:care-renamed")
    page.get_by_label("New name for care-renamed").fill("care-copy")
    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_text("Saved a copy of care-renamed as care-copy; the copy is open.")).to_be_visible()
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Renamed"}')
    page.goto("/functions/hello_python?event=care-copy")
    expect(saved_option(page, "care-rename")).to_have_count(0)
    expect(saved_option(page, "care-renamed")).to_have_count(1)
    expect(saved_option(page, "care-copy")).to_have_count(1)
    # Delete is the last button of the form, away from Save and Test.
    save = page.get_by_role("button", name="Save", exact=True).bounding_box()
    test = page.get_by_role("button", name="Test", exact=True).bounding_box()
    delete = page.get_by_role("button", name="Delete care-copy").bounding_box()
    assert save["x"] < test["x"]
    assert delete["y"] > test["y"] + 100
    screenshot(page, "saved-event-actions")


def test_saving_configuration_updates_the_header_and_warns_of_a_handler_found_nowhere(page) -> None:
    page.goto("/functions/new")
    stored = page.get_by_label("Or a stored package")
    stored.select_option(stored.locator("option", has_text="hello_python.zip").first.get_attribute("value"))
    expect(page.get_by_label("Handler")).to_have_value("hello_python.my_handler")
    page.get_by_label("Function name").fill("care-config")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/care-config$"))
    page.get_by_role("link", name="Configuration").click()
    page.get_by_label("Handler").fill("hello_python.missing")
    page.get_by_label("Memory (MB)").fill("512")
    page.get_by_label("Timeout (seconds)").fill("30")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Configuration saved.")).to_be_visible()
    subtitle = page.locator("#function-head .subtitle")
    expect(subtitle).to_contain_text("hello_python.missing")
    expect(subtitle).to_contain_text("512 MB · 30 s")
    expect(page.get_by_role("alert")).to_contain_text("Handlers found: hello_python.my_handler.")
    screenshot(page, "configuration-saved-header")


def test_times_show_in_the_browsers_time_zone_with_utc_in_the_tooltip(browser, server) -> None:
    context = browser.new_context(base_url=server.url, timezone_id="Asia/Kolkata", locale="en-US")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto("/functions/hello_python")
        page.get_by_label("Event JSON").fill('{"first_name": "Time", "last_name": "Zone"}')
        page.get_by_role("button", name="Test", exact=True).click()
        expect(page.get_by_text("Executing function: succeeded")).to_be_visible()
        page.get_by_role("link", name="Open in History").click()
        heading_time = page.locator("#entry-heading time")
        stamp = heading_time.get_attribute("datetime")
        utc = stamp[:19].replace("T", " ") + " UTC"
        expect(heading_time).to_have_attribute("title", utc)
        # India is 5:30 ahead of UTC all year.
        from datetime import datetime, timedelta
        local = datetime.fromisoformat(stamp[:19]) + timedelta(hours=5, minutes=30)
        expect(heading_time).to_have_text(re.compile(re.escape(local.strftime("%Y-%m-%d %H:%M:%S")) + r" GMT\+5:30"))
        # Run again: the heading and the address then name the new entry, in local time too.
        first_url = page.url
        page.get_by_role("button", name="Run again").click()
        expect(page.get_by_text("Executing function: succeeded")).to_be_visible()
        expect(page).not_to_have_url(first_url)
        new_url = page.url
        new_stamp = page.locator("[data-entry-at]").get_attribute("data-entry-at")
        expect(heading_time).to_have_attribute("datetime", new_stamp)
        expect(heading_time).to_have_text(re.compile(r"GMT\+5:30$"))
        page.reload()
        expect(page).to_have_url(new_url)
        expect(page.locator("#entry-heading time")).to_have_attribute("datetime", new_stamp)
        assert not errors
    finally:
        context.close()


def test_copy_buttons_put_the_request_id_the_response_and_the_log_on_the_clipboard(browser, server) -> None:
    context = browser.new_context(base_url=server.url)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto("/functions/hello_python")
        page.get_by_label("Event JSON").fill('{"first_name": "Copy", "last_name": "Me"}')
        page.get_by_role("button", name="Test", exact=True).click()
        result = page.get_by_role("region", name="Execution result")
        expect(result.get_by_text("Executing function: succeeded")).to_be_visible()
        request_id = result.locator("[id^=request-id-]").inner_text()
        for button, expected in (("Copy ID", request_id), ("Copy response", None), ("Copy log", None)):
            result.get_by_role("button", name=button, exact=True).click()
            expect(result.get_by_role("button", name="Copied")).to_be_visible()
            copied = page.evaluate("navigator.clipboard.readText()")
            if expected is not None:
                assert copied == expected
            elif button == "Copy response":
                assert '"Hello Copy Me!"' in copied or "Hello Copy Me!" in copied
            else:
                assert copied.startswith("START RequestId: " + request_id) or f"START RequestId: {request_id}" in copied
                assert "REPORT RequestId:" in copied
            expect(result.get_by_role("button", name="Copied")).to_have_count(0)
    finally:
        context.close()


def test_clone_then_delete_a_function_from_its_page(page) -> None:
    page.goto("/functions/return_none")
    page.get_by_role("link", name="Clone").click()
    page.get_by_label("New function name").fill("care-clone")
    page.get_by_role("button", name="Clone function").click()
    expect(page).to_have_url(re.compile(r"/functions/care-clone$"))
    expect(page.get_by_role("heading", name="care-clone")).to_be_visible()
    page.get_by_role("link", name="Delete function").click()
    expect(page.get_by_role("alert")).to_contain_text("Deleting care-clone removes it")
    screenshot(page, "delete-function-asks")
    page.get_by_role("button", name="Delete care-clone").click()
    expect(page.get_by_text("Deleted function care-clone.")).to_be_visible()
    expect(page.get_by_role("link", name="care-clone", exact=True)).to_have_count(0)


def test_the_function_page_on_a_phone(browser, server) -> None:
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto("/functions/raise_error")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways: {width}px"
        screenshot(page, "function-page-phone")
    finally:
        context.close()


def test_without_script_save_over_asks_and_rename_works(browser, server) -> None:
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/functions/hello_python?choice=new")
        page.get_by_label("Event name").fill("care-noscript")
        page.get_by_label("Event JSON").fill('{"first_name": "One"}')
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Saved event care-noscript.")).to_be_visible()
        page.goto("/functions/hello_python?choice=new")
        page.get_by_label("Event name").fill("care-noscript")
        page.get_by_label("Event JSON").fill('{"first_name": "Two"}')
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("alert").filter(has_text="is saved already")).to_contain_text("care-noscript")
        page.get_by_role("button", name="Replace care-noscript").click()
        expect(page.get_by_text("Saved event care-noscript.")).to_be_visible()
        page.get_by_label("New name for care-noscript").fill("care-noscript-2")
        page.get_by_role("button", name="Rename", exact=True).click()
        expect(page.get_by_text("Renamed event care-noscript to care-noscript-2.")).to_be_visible()
        expect(page.locator("#event_json")).to_have_value('{"first_name": "Two"}')
    finally:
        context.close()
