"""Layers in a real browser: publishing versions on the Layers page, adding and removing them on a function's
Configuration tab, and the Test tab running the code with them."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_console import run_test
from tests.zips import zip_bytes


def write_zip(folder: Path, name: str, files: dict[str, str]) -> Path:
    path = folder / name
    path.write_bytes(zip_bytes(files))
    return path


def publish(page, name: str, package: Path, description: str) -> None:
    page.get_by_label("Layer name").fill(name)
    page.get_by_label("Layer (.zip)").set_input_files(package)
    page.get_by_label("Description").fill(description)
    page.get_by_role("button", name="Publish").click()


def test_publish_layers_add_them_to_a_function_and_remove_one(page, tmp_path: Path) -> None:
    first = write_zip(tmp_path, "first.zip", {"python/greeting.py": "WORD = 'from the first layer'\n"})
    second = write_zip(tmp_path, "second.zip", {"python/greeting.py": "WORD = 'from the second layer'\n"})
    code = write_zip(tmp_path, "greet.zip", {"greet.py": (
        "import greeting\n"
        "def handler(event, context):\n"
        "    return greeting.WORD\n"
    )})

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Layers").click()
    expect(page).to_have_url(re.compile(r"/layers$"))
    publish(page, "greeting-one", first, "the first")
    expect(page.get_by_role("status")).to_have_text("Published greeting-one version 1.")
    publish(page, "greeting-two", second, "the second")
    expect(page.get_by_role("status")).to_have_text("Published greeting-two version 1.")
    publish(page, "greeting-two", second, "again")
    expect(page.get_by_role("status")).to_have_text("Published greeting-two version 2.")
    page.get_by_label("Layer name").fill("no spaces allowed")
    page.get_by_label("Layer (.zip)").set_input_files(first)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Layer name 'no spaces allowed' is not valid")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete greeting-two version 2").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted greeting-two version 2.")
    expect(page.get_by_role("button", name="Delete greeting-two version 2")).to_have_count(0)
    screenshot(page, "layers")

    page.goto("/functions/new")
    page.get_by_label("Package (.zip)").set_input_files(code)
    expect(page.get_by_label("Handler")).to_have_value("greet.handler")
    page.get_by_label("Function name").fill("layered-greet")
    page.get_by_role("button", name="Create function").click()
    expect(page).to_have_url(re.compile(r"/functions/layered-greet$"))
    result = run_test(page)
    expect(result.get_by_test_id("response")).to_contain_text("No module named 'greeting'")

    page.get_by_role("link", name="Configuration").click()
    layers = page.get_by_role("region", name="Layers")
    expect(layers.get_by_text("No layers")).to_be_visible()
    for choice in ("greeting-one version 1 · the first", "greeting-two version 1 · the second"):
        page.get_by_role("region", name="Layers").get_by_label("Add a layer version").select_option(label=choice)
        page.get_by_role("button", name="Add layer").click()
        expect(page.get_by_role("status")).to_have_text("Layer added. The next test runs with it.")
    rows = page.get_by_role("region", name="Layers").get_by_role("row")
    expect(rows.nth(1).get_by_role("cell")).to_have_text(["1", "greeting-one", "1", re.compile("bytes"), "Remove"])
    expect(rows.nth(2).get_by_role("cell")).to_have_text(["2", "greeting-two", "1", re.compile("bytes"),
                                                         re.compile(r"Move up\s+Remove")])
    screenshot(page, "configuration-layers")

    page.get_by_role("link", name="Test").click()
    expect(run_test(page).get_by_test_id("response")).to_have_text('"from the second layer"')  # the later layer's file wins

    page.get_by_role("link", name="Configuration").click()
    page.get_by_role("button", name="Move greeting-two version 1 up").click()
    expect(page.get_by_role("status")).to_have_text("Layer moved up. The next test runs with the new order.")
    rows = page.get_by_role("region", name="Layers").get_by_role("row")
    expect(rows.nth(1).get_by_role("cell").nth(1)).to_have_text("greeting-two")
    page.get_by_role("link", name="Test").click()
    expect(run_test(page).get_by_test_id("response")).to_have_text('"from the first layer"')

    page.get_by_role("link", name="Configuration").click()
    page.get_by_role("button", name="Remove greeting-one version 1").click()
    expect(page.get_by_role("status")).to_have_text("Layer removed. The next test runs without it.")
    expect(page.get_by_role("region", name="Layers").get_by_role("row")).to_have_count(2)  # the header and one
    page.get_by_role("link", name="Test").click()
    expect(run_test(page).get_by_test_id("response")).to_have_text('"from the second layer"')
