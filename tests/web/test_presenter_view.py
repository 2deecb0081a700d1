"""The presenter view through Flask's test client, as an audience sees it: plain words for the outcome, the event
sent as a table of its fields, the response as a tree, developer detail only inside the Details toggle."""

from __future__ import annotations

import re

from tests.processes import wait_until
from tests.web.test_folder_pages import create
from tests.web.test_pages import HTMX, text


def present(client, function: str, event: str) -> str:
    """Press an event's button as htmx does; the result once the run has finished."""
    html = text(client.post(f"/present/{function}", data={"event": event}, headers=HTMX))
    status = re.search(rf'hx-get="(/present/{function}/runs/\w+)"', html)
    if status:  # still running after the page's first wait: poll as htmx does
        html = wait_until(lambda: "banner-running" not in (polled := text(client.get(status.group(1), headers=HTMX)))
                          and polled, "the presenter's result")
    return html


def outside_details(html: str) -> str:
    return re.sub(r"<details.*?</details>", "", html, flags=re.DOTALL)


def test_numbered_event_buttons_and_the_keyboard_script(client) -> None:
    page = text(client.get("/present/raise_error"))
    for number, name in enumerate(("too-many", "valid-order", "zero-quantity"), start=1):
        assert f'data-key="{number}"><kbd>{number}</kbd> {name}</button>' in page
    assert re.search(r'<script src="/assets/presenter.js\?v=\w+" defer></script>', page)
    assert client.get("/assets/presenter.js").status_code == 200


def test_it_worked_with_the_event_as_a_table_and_the_response_as_a_tree(client) -> None:
    html = present(client, "hello_python", "ada-lovelace")
    assert "<strong>It worked</strong>" in html
    assert "The event that was sent: ada-lovelace" in html
    table = html.split('data-testid="event-table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">first_name</th><td><span class="json-string">Ada</span></td>' in table
    assert '<th scope="row">last_name</th><td><span class="json-string">Lovelace</span></td>' in table
    tree = html.split('data-testid="response-tree"', 1)[1].split("</div>", 1)[0]
    assert '<li><span class="json-key">message</span> <span class="json-string">Hello Ada Lovelace!</span></li>' in tree
    # Developer detail is there for developers, inside the closed Details toggle only.
    details = re.search(r'<details class="presenter-details"[^>]*>\s*<summary>Details</summary>(.*?)</details>',
                        html, re.DOTALL)
    assert details and "<dt>Code SHA-256</dt>" in details.group(1) and "<dt>Billed duration</dt>" in details.group(1)
    assert "<details class=\"presenter-details\" data-testid=\"details\" open" not in html
    shown = outside_details(html)
    assert "SHA-256" not in shown and "Billed" not in shown and "RequestId" not in shown
    assert "Executing function" not in shown


def test_it_failed_says_the_error_message(client) -> None:
    html = present(client, "raise_error", "zero-quantity")
    shown = outside_details(html)
    assert "<strong>It failed:</strong> quantity must be positive, got 0</p>" in shown
    assert '<th scope="row">quantity</th><td><span class="json-number">0</span></td>' in shown
    assert "ValueError" not in shown and "stackTrace" not in shown and "/var/task" not in shown
    assert "<dt>Error type</dt><dd>ValueError</dd>" in html  # inside Details


def test_an_api_response_is_shown_through_the_preview(client) -> None:
    html = present(client, "api_gateway_html", "get-hello")
    assert "<strong>It worked</strong>" in html
    frame = re.search(r'<iframe class="preview-frame" sandbox="" src="(/functions/api_gateway_html/history/\d+/preview)"',
                      html)
    assert frame, html
    assert "Hello" in text(client.get(frame.group(1)))
    assert '<th scope="row">httpMethod</th><td><span class="json-string">GET</span></td>' in html


def test_cancel_stops_a_running_event(client, tmp_path) -> None:
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "app.py").write_text("import time\n\ndef handler(event, context):\n    time.sleep(60)\n")
    assert create(client, folder, name="slow").status_code == 303
    assert client.post("/functions/slow/configuration", headers=HTMX,
                       data={"handler": "app.handler", "timeout": "120", "memory": "128", "ephemeral_storage": "512",
                             "environment": "", "description": ""}).status_code == 200
    client.post("/functions/slow/events", headers=HTMX, data={"event_name": "wait", "event_json": "{}"})
    running = text(client.post("/present/slow", data={"event": "wait"}, headers=HTMX))
    assert "Running wait…" in running
    cancel = re.search(r'hx-post="(/present/slow/runs/\w+/cancel)"', running)
    assert cancel and "data-presenter-cancel>Cancel <kbd>Esc</kbd></button>" in running
    assert "<strong>It was cancelled</strong>" in text(client.post(cancel.group(1), headers=HTMX))


def test_an_image_response_is_shown(client, tmp_path) -> None:
    folder = tmp_path / "picture"
    folder.mkdir()
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
           b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
    (folder / "app.py").write_text(
        "import base64\n\ndef handler(event, context):\n"
        f"    return {{'statusCode': 200, 'headers': {{'Content-Type': 'image/png'}}, 'isBase64Encoded': True,\n"
        f"            'body': base64.b64encode({png!r}).decode()}}\n")
    assert create(client, folder, name="picture").status_code == 303
    client.post("/functions/picture/events", headers=HTMX, data={"event_name": "draw", "event_json": "{}"})
    html = present(client, "picture", "draw")
    assert "<strong>It worked</strong>" in html
    image = re.search(r'<img class="preview-image" src="([^"]+)" alt="The image the function answered with">', html)
    assert image, html
    shown = client.get(image.group(1))
    assert shown.headers["Content-Type"] == "image/png" and shown.data == png
