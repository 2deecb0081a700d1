"""A web front end on another origin calling a SAM template's API on the API port, in Chromium: the browser's own
CORS checks decide what the page may read, as they would against API Gateway."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.http_front.conftest import history

FRONT_END = """<!doctype html><title>Shop</title>
<h1>Shop</h1><ul id="results"></ul>
<script>
async function call(label, url, options) {
  const item = document.createElement("li");
  try {
    const response = await fetch(url, options);
    const body = await response.json();
    item.textContent = `${label}: ${response.status} ${body.function} ${body.method}`;
  } catch (error) {
    item.textContent = `${label}: refused by the browser`;
  }
  item.dataset.label = label;
  document.getElementById("results").append(item);
}
const api = new URLSearchParams(location.search).get("api");
const json = {method: "POST", headers: {"Content-Type": "application/json"}, body: '{"item": "tea"}'};
(async () => {
  await call("cart", `${api}/cart`, json);
  await call("orders", `${api}/orders`, json);
  document.body.dataset.done = "yes";
})();
</script>"""


@pytest.fixture
def front_end(tmp_path: Path) -> Iterator[str]:
    """A static web server on its own port serving the shop's page: another origin than the API port."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text(FRONT_END)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_front_end_on_another_origin_reads_what_the_apis_cors_allows(browser, served, front_end) -> None:
    from playwright.sync_api import expect

    server, _, _ = served("cors_api", "--parameter-overrides", f"FrontendOrigin={front_end}")
    context = browser.new_context(viewport={"width": 1000, "height": 600})
    try:
        page = context.new_page()
        page.goto(f"{front_end}/index.html?api={server.api_url}")
        expect(page.locator("body[data-done=yes]")).to_have_count(1)
        # The HTTP API answers the preflight and puts the allowed origin on the answer: the page reads it.
        expect(page.locator("li[data-label=cart]")).to_have_text("cart: 200 CartFunction POST")
        # The REST API answers the preflight, but the answer is the function's own, naming another origin (a proxy
        # integration's function must return the CORS headers itself): the browser refuses it, as with API Gateway.
        expect(page.locator("li[data-label=orders]")).to_have_text("orders: refused by the browser")
        # Its preflight passed: the POST reached the function, whose answer the browser then kept from the page.
        [order] = history(server, "OrdersFunction")
        assert json.loads(order["event"])["httpMethod"] == "POST"
        screenshot(page, "api-cors-front-end")
    finally:
        context.close()
