"""What the console cannot honour of a function's Lambda settings is said with each Test result and on the
Configuration tab, and the settings themselves are shown as set."""

from __future__ import annotations

from html import unescape

from console import EXTENSION
from console.core.function_settings import machine_architecture
from tests.web.test_run_results import HTMX, poll_until_done


def test_a_result_says_what_was_not_honoured(app, client) -> None:
    console = app.extensions[EXTENSION]
    other = "x86_64" if machine_architecture() == "arm64" else "arm64"
    console.update_function_configuration("hello_python", settings={
        "Architectures": [other], "LoggingConfig": {"LogFormat": "JSON", "ApplicationLogLevel": "WARN"},
        "DeadLetterConfig": {"TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}})
    event = '{"first_name": "Ada", "last_name": "Lovelace"}'
    html = client.post("/functions/hello_python/test", data={"event_json": event}, headers=HTMX)
    html = unescape(poll_until_done(client, html.get_data(as_text=True)))
    assert "Executing function: succeeded" in html
    assert f"Architectures is {other}: the code runs on this machine's" in html
    assert "Event invocations that fail every attempt are not sent to arn:aws:sqs:us-east-1:123456789012:dlq" in html
    assert '"type":"platform.report"' in html  # the JSON log format

    page = unescape(client.get("/functions/hello_python/configuration").get_data(as_text=True))
    assert f"<dt>Architecture</dt><dd>{other}</dd>" in page
    assert "JSON\n      · application logs from WARN · system logs from INFO" in page


def test_a_function_lambda_runs_as_given_has_no_notes(app, client) -> None:
    console = app.extensions[EXTENSION]
    console.update_function_configuration("hello_python", settings={"Architectures": [machine_architecture()]})
    page = client.get("/functions/hello_python/configuration").get_data(as_text=True)
    assert 'data-testid="lambda-settings"' in page and 'role="note"' not in page
