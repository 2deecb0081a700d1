"""The Test tab's event editor in a real browser: line numbers, growing with the event, the broken line marked,
Ctrl+Enter, Format, the result in view after Test with Test again at hand, the form's field kept in step, and the
plain textarea without script; on a desktop and on a phone."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.browser.conftest import screenshot

BROKEN = '{\n  "first_name": "Ada",\n  "last_name" "Lovelace"\n}'


def editor(page):
    """The editor's text area, found as a person finds it: by its label."""
    return page.get_by_label("Event JSON")


def shown_lines(page) -> list[str]:
    return [line.replace("\u00a0", " ") for line in page.locator(".cm-content .cm-line").all_inner_texts()]


def editor_height(page) -> float:
    return page.locator(".cm-editor").bounding_box()["height"]


def long_event(keys: int) -> str:
    return json.dumps({"first_name": "Ada", "last_name": "Lovelace", **{f"key{i}": i for i in range(keys)}}, indent=2)


def test_the_editor_has_line_numbers_and_keeps_the_form_field_in_step(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(page.locator("textarea#event_json")).to_be_hidden()  # the form's field, kept in step by the editor
    editor(page).fill(BROKEN)
    gutter = page.locator(".cm-lineNumbers .cm-gutterElement:visible")
    expect(gutter.filter(has_text=re.compile(r"^\d+$"))).to_have_text(["1", "2", "3", "4"])
    assert shown_lines(page) == BROKEN.split("\n")
    expect(page.locator("#event_json")).to_have_value(BROKEN)


def test_a_long_event_grows_the_editor_up_to_the_window(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    editor(page).fill('{"first_name": "Ada"}')
    short = editor_height(page)
    editor(page).fill(long_event(12))
    expect(page.locator(".cm-lineNumbers .cm-gutterElement").filter(has_text=re.compile(r"^16$"))).to_be_visible()
    taller = editor_height(page)
    assert taller > short + 50, f"the editor did not grow: {short} -> {taller}"
    # An event far longer than the window: the editor stops at the window's height and scrolls inside.
    editor(page).fill(long_event(200))
    window = page.viewport_size["height"]
    tallest = editor_height(page)
    assert taller < tallest <= window, f"the editor is {tallest}px in a {window}px window"
    scroller = page.locator(".cm-scroller")
    assert scroller.evaluate("s => s.scrollHeight > s.clientHeight + 100")
    expect(page.locator("#event_json")).to_have_value(long_event(200))


def test_bad_json_from_test_names_line_and_column_and_the_editor_marks_that_line(page) -> None:
    page.goto("/functions/hello_python")
    editor(page).fill(BROKEN)
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text("Nothing ran: the event needs fixing first.")).to_be_visible()
    expect(result.get_by_text(re.compile("line 3, column 15"))).to_be_visible()
    marked = page.locator(".cm-line.cm-error-line")
    expect(marked).to_have_count(1)
    assert marked.inner_text().replace("\u00a0", " ") == '  "last_name" "Lovelace"'
    expect(page.locator(".cm-lineNumbers .cm-gutterElement.cm-error-gutter")).to_have_text("3")
    expect(editor(page)).to_be_focused()
    expect(editor(page)).to_have_attribute("aria-invalid", "true")
    screenshot(page, "event-editor-error")
    # The cursor waits at line 3, column 15 (before "Lovelace"): the missing colon typed there fixes the event, and
    # the mark goes.
    page.keyboard.type(":")
    expect(marked).to_have_count(0)
    expect(page.locator("#event_json")).to_have_value('{\n  "first_name": "Ada",\n  "last_name" :"Lovelace"\n}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(result.get_by_text("Hello Ada Lovelace!")).to_be_visible()


def test_format_through_the_editor_and_its_error_marks_the_line(page) -> None:
    page.goto("/functions/hello_python")
    editor(page).fill('{"first_name":"Grace",   "last_name":"Hopper"}')
    page.get_by_role("button", name="Format").click()
    formatted = '{\n  "first_name": "Grace",\n  "last_name": "Hopper"\n}'
    assert shown_lines(page) == formatted.split("\n")
    expect(page.locator("#event_json")).to_have_value(formatted)
    # Format is one step of the editor's history: Undo brings the text as typed back.
    editor(page).press("Control+z")
    expect(page.locator("#event_json")).to_have_value('{"first_name":"Grace",   "last_name":"Hopper"}')
    editor(page).fill(BROKEN)
    page.get_by_role("button", name="Format").click()
    expect(page.locator("#event-json-error")).to_contain_text("not valid JSON at line 3, column 15")
    expect(page.locator(".cm-line.cm-error-line")).to_contain_text('"last_name" "Lovelace"')
    expect(editor(page)).to_be_focused()
    # Fixed and formatted: the message and the mark go.
    editor(page).fill('{"first_name": "Grace", "last_name": "Hopper"}')
    page.get_by_role("button", name="Format").click()
    expect(page.locator("#event-json-error")).to_be_hidden()
    expect(page.locator(".cm-error-line")).to_have_count(0)
    expect(editor(page)).to_have_attribute("aria-invalid", "false")


def test_ctrl_enter_in_the_editor_runs_the_test_without_adding_a_line(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    editor(page).click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")  # the new event's starting JSON
    # Typed key by key: the editor closes brackets and quotes, and typing the closing one steps over it.
    page.keyboard.type('{"first_name": "Key", "last_name": "Board"}')
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Key", "last_name": "Board"}')
    page.keyboard.press("Control+Enter")
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text("Hello Key Board!")).to_be_visible()
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Key", "last_name": "Board"}')
    assert len(shown_lines(page)) == 1


def test_after_test_the_result_is_in_view_and_test_again_is_at_hand(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    editor(page).fill(long_event(40))  # the editor fills the window: the result starts below it
    page.evaluate("window.scrollTo(0, 0)")
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_role("heading", name="Execution result")).not_to_be_in_viewport()
    dock = page.get_by_role("group", name="Test")
    expect(dock).to_be_hidden()  # the form's own Test button is in view
    page.get_by_role("button", name="Test", exact=True).click()
    expect(result.get_by_text("Executing function: succeeded")).to_be_in_viewport()
    expect(result.get_by_role("heading", name="Execution result")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Test", exact=True)).not_to_be_in_viewport()
    expect(dock.get_by_role("button", name="Test again")).to_be_in_viewport()
    screenshot(page, "event-editor-result-in-view")
    before = page.locator("#result-body").inner_text()
    dock.get_by_role("button", name="Test again").click()
    expect(page.locator("#result-body")).not_to_have_text(before)  # a new run: another request ID
    expect(result.get_by_text("Executing function: succeeded")).to_be_in_viewport()
    # Edit event goes back up to the editor, with the cursor in it.
    dock.get_by_role("link", name="Edit event").click()
    expect(editor(page)).to_be_focused()
    expect(page.get_by_role("button", name="Test", exact=True)).to_be_in_viewport()
    expect(dock).to_be_hidden()


def test_the_form_posts_what_was_typed_in_the_editor(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    page.get_by_label("Event name").fill("typed-in-editor")
    editor(page).click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type('{"first_name": "Typed",')
    page.keyboard.press("Enter")
    page.keyboard.type('"last_name": "Person"')
    # Brackets and quotes closed as typed, the new line indented by the editor: the field holds what it shows.
    field = page.locator("#event_json")
    expect(field).to_have_value(re.compile(r'^\{"first_name": "Typed",\n\s*"last_name": "Person"\s*\}$'))
    typed = field.input_value()
    assert shown_lines(page) == typed.split("\n")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved event typed-in-editor.")).to_be_visible()
    page.goto("/functions/hello_python?event=typed-in-editor")
    assert shown_lines(page) == typed.split("\n")
    # Edited again in the editor, Test runs exactly the text shown.
    editor(page).click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type('{"first_name": "Edited", "last_name": "Again"}')
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_role("region", name="Execution result").get_by_text("Hello Edited Again!")).to_be_visible()


def test_switching_events_after_typing_in_the_editor_asks_first(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    editor(page).click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type('{"unsaved": true')
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_label("Event", exact=True).select_option(label="Application Load Balancer")
    expect(page.get_by_label("Event", exact=True)).to_have_value("new")
    assert asked and "unsaved changes" in asked[0]
    expect(page.locator("#event_json")).to_have_value('{"unsaved": true}')


def test_without_script_the_textarea_is_the_editor(browser, server) -> None:
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/functions/hello_python?choice=new")
        expect(page.locator(".cm-editor")).to_have_count(0)
        field = page.get_by_label("Event JSON")
        expect(field).to_be_visible()
        field.fill('{"first_name": "No", "last_name": "Script"}')
        page.get_by_role("button", name="Test", exact=True).click()
        expect(page.get_by_text("Hello No Script!")).to_be_visible()  # the textarea's text was posted
        expect(page.get_by_role("group", name="Test")).to_be_hidden()
        # The page after Test shows the event that ran, ready to change and run again, not the first saved event.
        expect(field).to_have_value('{"first_name": "No", "last_name": "Script"}')
        field.fill('{"first_name": "Saved", "last_name": "Event"}')
        page.get_by_label("Event name").fill("no-script")
        page.get_by_role("button", name="Save", exact=True).click()
        page.goto("/functions/hello_python?event=no-script")
        page.get_by_role("button", name="Test", exact=True).click()
        expect(page.get_by_text("Hello Saved Event!")).to_be_visible()
        expect(page.get_by_label("Event", exact=True)).to_have_value("event:no-script")
        expect(field).to_have_value('{"first_name": "Saved", "last_name": "Event"}')
    finally:
        context.close()


def test_the_editor_on_a_phone(browser, server) -> None:
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        page.goto("/functions/hello_python?choice=new")
        editor(page).fill('{"first_name": "Phone", "last_name": "User", "note": "' + "a long line " * 12 + '"}')
        expect(page.locator(".cm-lineNumbers .cm-gutterElement").filter(has_text=re.compile(r"^1$"))).to_be_visible()
        # A long line wraps in the editor: nothing is wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator(".cm-editor").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        screenshot(page, "event-editor-phone")
        page.get_by_role("button", name="Test", exact=True).click()
        result = page.get_by_role("region", name="Execution result")
        expect(result.get_by_text("Hello Phone User!")).to_be_in_viewport()
        dock = page.get_by_role("group", name="Test")
        expect(dock.get_by_role("button", name="Test again")).to_be_in_viewport()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "event-editor-phone-result")
    finally:
        context.close()


def test_save_refuses_broken_json_and_the_editor_marks_the_line(page) -> None:
    page.goto("/functions/hello_python?choice=new")
    page.get_by_label("Event name").fill("broken-on-save")
    editor(page).fill(BROKEN)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#event-json-error")).to_contain_text("line 3, column 15")
    expect(page.locator(".cm-line.cm-error-line")).to_contain_text('"last_name" "Lovelace"')
    expect(editor(page)).to_be_focused()
    expect(page.locator("#event_json")).to_have_value(BROKEN)  # every character typed is still there
    expect(page.get_by_label("Event", exact=True).locator("option[value='event:broken-on-save']")).to_have_count(0)


def test_the_editor_attaches_when_the_test_tab_is_swapped_in(page) -> None:
    page.goto("/functions/hello_python/configuration")
    expect(page.locator(".cm-editor")).to_have_count(0)
    page.get_by_role("navigation", name="Function").get_by_role("link", name="Test").click()
    expect(page).to_have_url(re.compile(r"/functions/hello_python$"))
    expect(page.locator(".cm-lineNumbers .cm-gutterElement").filter(has_text=re.compile(r"^1$"))).to_be_visible()
    expect(page.locator("textarea#event_json")).to_be_hidden()
    # And when the form itself is swapped: another event chosen. The editor swapped out is let go.
    page.evaluate("window.before = document.getElementById('event_json').lambdaConsoleEditor.view")
    page.get_by_label("Event", exact=True).select_option(label="Application Load Balancer")
    expect(page.locator("#event_json")).to_have_value(re.compile("elb"))
    expect(page.locator(".cm-editor")).to_have_count(1)
    assert any("elb" in line for line in shown_lines(page))
    assert page.evaluate("window.before.destroyed") is True


def test_typing_before_the_editor_arrives_carries_on_in_the_editor(page) -> None:
    held: list = []
    page.route("**/codemirror-*.min.js*", lambda route: held.append(route))  # the editor's script is slow to come
    page.goto("/functions/hello_python?choice=new", wait_until="commit")
    field = page.locator("textarea#event_json")
    expect(field).to_be_visible()
    field.fill('{"first_name": "Early", "last_name": "Bird"')  # the closing brace not typed yet
    for _ in range(200):  # the request for the editor's script is held until now
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(".cm-editor")).to_be_visible()
    expect(field).to_be_hidden()
    expect(editor(page)).to_be_focused()
    page.keyboard.type("}")  # typed where the person left off: the end
    expect(page.locator("#event_json")).to_have_value('{"first_name": "Early", "last_name": "Bird"}')
