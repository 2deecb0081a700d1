"""Versions and aliases in the pages: the Configuration tab lists the function's aliases with their weights, and the
Test tab runs $LATEST, a version or an alias, the result naming the version that ran."""

from __future__ import annotations

from html import unescape

from console import EXTENSION
from tests.web.test_run_results import HTMX, poll_until_done


def test_aliases_are_listed_and_the_test_tab_runs_the_one_chosen(app, client) -> None:
    console = app.extensions[EXTENSION]
    console.publish_version("hello_python")  # version 1
    console.update_function_configuration("hello_python", timeout=5)
    console.publish_version("hello_python")  # version 2
    console.create_alias("hello_python", "live", "1", "production", {"2": 0.25})
    console.create_alias("hello_python", "beta", "2")

    page = unescape(client.get("/functions/hello_python/configuration").get_data(as_text=True))
    assert "live</strong> → version 1 and version 2 for 25% of invocations" in page
    assert "beta</strong> → version 2" in page

    tab = unescape(client.get("/functions/hello_python").get_data(as_text=True))
    assert '<label for="qualifier">Version or alias</label>' in tab
    assert '<option value="beta" >beta → 2</option>' in tab.replace("  ", " ")
    assert "live → 1 + 2 (25%)" in tab

    event = '{"first_name": "Ada", "last_name": "Lovelace"}'
    html = client.post("/functions/hello_python/test", data={"event_json": event, "qualifier": "beta"}, headers=HTMX)
    html = unescape(poll_until_done(client, html.get_data(as_text=True)))
    assert "Executing function: succeeded" in html and "hello_python · version 2 ·" in html
    assert [record.version for record in console.list_invocations("hello_python")][:1] == ["2"]

    missing = client.post("/functions/hello_python/test", data={"event_json": event, "qualifier": "nope"},
                          headers=HTMX)
    assert missing.status_code == 404
