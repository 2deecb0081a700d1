"""Saved events as tests in a real browser: expected results set by hand, Run all with one failure and its diff."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot


def set_expected(page, event: str, response: str, must: str) -> None:
    page.goto(f"/functions/raise_error?event={event}")
    page.locator("details.expectation summary").click()
    page.get_by_label("Expected response (JSON)").fill(response)
    page.get_by_label("The invocation must").select_option(label=must)
    page.get_by_role("button", name="Save expected result").click()
    expect(page.get_by_role("status").filter(has_text=f"Saved the expected result of {event}")).to_be_visible()


def test_run_all_shows_the_pass_fail_list_and_the_diff_of_the_failure(page) -> None:
    set_expected(page, "zero-quantity", '{"errorType": "ValueError"}', "fail (FunctionError)")
    set_expected(page, "too-many", '{"accepted": 11}', "succeed")
    # A mistake in the expected JSON is refused beside the field, and what was typed stays.
    page.get_by_label("Expected response (JSON)").fill('{"accepted": }')
    page.get_by_role("button", name="Save expected result").click()
    expect(page.get_by_text("Expected response: not valid JSON at line 1, column 14")).to_be_visible()
    expect(page.get_by_label("Expected response (JSON)")).to_have_value('{"accepted": }')

    tests = page.get_by_role("region", name="Tests")
    tests.get_by_role("button", name="Run all").click()
    expect(tests.get_by_test_id("test-summary").locator("strong")).to_have_text("1 passed, 1 failed")
    rows = tests.get_by_test_id("test-result")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="too-many")).to_contain_text("failed")
    expect(rows.filter(has_text="zero-quantity")).to_contain_text("passed")
    diff = tests.get_by_test_id("test-diff")
    expect(diff).to_have_count(1)
    expect(diff).to_contain_text("outcome: expected the invocation to succeed, it failed (OrderRejected)")
    expect(diff).to_contain_text("missing  $.accepted: expected 11, the response has none")
    screenshot(page, "run-all-failure")

    # The function list shows the last test run, and its own Run all runs every function's tests.
    page.goto("/")
    row = page.get_by_role("row").filter(has_text="raise_error")
    expect(row.get_by_test_id("last-test-run")).to_contain_text("1 passed, 1 failed")
    before = row.get_by_test_id("last-test-run").locator("time").get_attribute("datetime")
    page.get_by_role("button", name="Run all").click()
    expect(page.get_by_test_id("test-summary")).to_contain_text("failed")
    expect(page.get_by_test_id("test-diff").first).to_contain_text("$.accepted")
    # The list's Last test run takes the new run's time without a reload.
    expect(row.get_by_test_id("last-test-run").locator("time")).not_to_have_attribute("datetime", before)
    screenshot(page, "run-all-functions")


def test_save_as_expected_under_a_result(page) -> None:
    page.goto("/functions/hello_python?event=ada-lovelace")
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.get_by_role("region", name="Execution result")
    expect(result.get_by_text("Executing function: succeeded")).to_be_visible()
    expect(result.get_by_label("Save this result as the expected result of the saved event")).to_have_value(
        "ada-lovelace")
    result.get_by_role("button", name="Save as expected").click()
    expect(result.get_by_text("Saved as the expected result of ada-lovelace")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Expected response (JSON)")).to_have_value(
        '{\n  "message": "Hello Ada Lovelace!"\n}')
