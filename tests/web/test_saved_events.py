"""Saved events are never lost: Save over another event's name asks first, Rename, Duplicate, Delete of the open one."""

from __future__ import annotations

import re

HTMX = {"HX-Request": "true"}
EVENTS = "/functions/hello_python/events"


def text(response) -> str:
    return response.get_data(as_text=True)


def saved(client) -> dict[str, str]:
    return {e["name"]: e["event"] for e in client.get("/functions/hello_python.json").get_json()["events"]}


def test_saving_over_another_events_name_asks_first_and_names_the_event(client) -> None:
    client.post(EVENTS, data={"event_name": "order", "event_json": '{"n": 1}'}, headers=HTMX)
    # A template opened, then named like the saved event: nothing is replaced, the editor asks.
    asked = client.post(EVENTS, data={"event_name": "order", "event_json": '{"n": 2}', "choice": "template:sqs"},
                        headers=HTMX)
    assert asked.status_code == 409
    html = text(asked)
    assert "An event named <strong>order</strong> is saved already." in html
    assert ">Replace order</button>" in html
    assert "{&#34;n&#34;: 2}" in html  # what was typed stays in the editor
    assert saved(client)["order"] == '{"n": 1}'
    # Replace, as the question's button sends it.
    done = client.post(EVENTS, data={"event_name": "order", "event_json": '{"n": 2}', "replace": "order"},
                       headers=HTMX)
    assert done.status_code == 200 and "Saved event order." in text(done)
    assert saved(client)["order"] == '{"n": 2}'


def test_saving_the_open_event_updates_it_without_asking(client) -> None:
    client.post(EVENTS, data={"event_name": "order", "event_json": '{"n": 1}'}, headers=HTMX)
    page = text(client.get("/functions/hello_python?event=order"))
    assert re.search(r'name="opened" value="order"', page)
    done = client.post(EVENTS, data={"event_name": "order", "event_json": '{"n": 3}', "opened": "order"}, headers=HTMX)
    assert done.status_code == 200 and saved(client)["order"] == '{"n": 3}'


def test_a_case_only_clash_asks_and_says_names_ignore_case(client) -> None:
    client.post(EVENTS, data={"event_name": "Order", "event_json": "1"}, headers=HTMX)
    asked = client.post(EVENTS, data={"event_name": "order", "event_json": "2"}, headers=HTMX)
    assert asked.status_code == 409
    assert "<strong>Order</strong> is saved already" in text(asked)
    assert "compared ignoring case" in text(asked)
    assert saved(client) == {"ada-lovelace": saved(client)["ada-lovelace"], "Order": "1"}


def test_rename_and_duplicate_the_open_event(client) -> None:
    client.post(EVENTS, data={"event_name": "order", "event_json": '{"n": 1}'}, headers=HTMX)
    renamed = client.post(f"{EVENTS}/rename", data={"opened": "order", "event_name": "order", "new_name": "first"},
                          headers=HTMX)
    assert "Renamed event order to first." in text(renamed)
    assert 'name="opened" value="first"' in text(renamed)
    copied = client.post(f"{EVENTS}/duplicate", data={"opened": "first", "new_name": "second"}, headers=HTMX)
    assert "Saved a copy of first as second; the copy is open." in text(copied)
    assert {k: v for k, v in saved(client).items() if k != "ada-lovelace"} == \
        {"first": '{"n": 1}', "second": '{"n": 1}'}
    taken = client.post(f"{EVENTS}/rename", data={"opened": "first", "new_name": "SECOND"}, headers=HTMX)
    assert taken.status_code == 422
    assert "already has an event named &#39;second&#39;" in text(taken)
    bad = client.post(f"{EVENTS}/duplicate", data={"opened": "first", "new_name": ""}, headers=HTMX)
    assert bad.status_code == 422 and 'id="new-name-error"' in text(bad)


def test_delete_removes_the_open_event_whatever_the_name_field_says(client) -> None:
    for name in ("keep", "drop"):
        client.post(EVENTS, data={"event_name": name, "event_json": "{}"}, headers=HTMX)
    done = client.post(f"{EVENTS}/delete", data={"opened": "drop", "event_name": "keep"}, headers=HTMX)
    assert "Deleted event drop." in text(done)
    assert "keep" in saved(client) and "drop" not in saved(client)


def test_the_buttons_read_save_test_then_delete_well_apart(client) -> None:
    client.post(EVENTS, data={"event_name": "order", "event_json": "{}"}, headers=HTMX)
    html = text(client.get("/functions/hello_python?event=order"))
    positions = [html.index(label) for label in (">Save</button>", ">Test</button>", ">Rename</button>",
                                                 ">Delete order</button>")]
    assert positions == sorted(positions)
    # The form's first submit button is a disabled one, so Enter in a field submits nothing.
    form = html[html.index('<form id="test-form"'):]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert "disabled" in first and 'type="submit"' in first


# -- the Configuration tab: every refusal at once, the header current, a handler found nowhere ---------------------

CONFIG = "/functions/hello_python/configuration"
SETTINGS = {"handler": "hello_python.my_handler", "timeout": "3", "memory": "128", "ephemeral_storage": "512",
            "environment": "", "description": ""}


def test_the_configuration_form_shows_every_refusal_at_once_and_saves_nothing(client) -> None:
    response = client.post(CONFIG, data={**SETTINGS, "timeout": "abc", "memory": "5", "ephemeral_storage": "99999",
                                         "environment": "no equals sign"}, headers=HTMX)
    assert response.status_code == 422
    html = text(response)
    for message in ("Timeout &#39;abc&#39; is not a whole number", "Memory 5 is not valid", "Ephemeral storage 99999 is not",
                    "Environment variables, line 1"):
        assert message in html
    assert client.get("/functions/hello_python.json").get_json()["timeout"] == 3


def test_saving_configuration_brings_the_header_up_to_date_in_the_same_answer(client) -> None:
    response = client.post(CONFIG, data={**SETTINGS, "timeout": "42", "memory": "256"}, headers=HTMX)
    html = text(response)
    assert "Configuration saved." in html
    head = html[html.index('<div id="function-head" hx-swap-oob="true">'):]
    assert "256 MB · 42 s" in head[:head.index("</div>")]
    page = text(client.post(CONFIG, data={**SETTINGS, "timeout": "41"}))  # without htmx: the whole page, once
    assert page.count('id="function-head"') == 1 and "128 MB · 41 s" in page


def test_a_handler_found_nowhere_in_the_code_is_saved_with_a_warning_naming_the_handlers_found(client) -> None:
    html = text(client.post(CONFIG, data={**SETTINGS, "handler": "hello_python.nothing"}, headers=HTMX))
    assert "Configuration saved." in html
    assert ("The handler hello_python.nothing matches no function found in the code (a file hello_python.py defining"
            " nothing(event, context)). Handlers found: hello_python.my_handler.") in html
    assert 'id="handler-warning"' not in text(client.post(CONFIG, data=SETTINGS, headers=HTMX))


# -- Clone and Delete function ------------------------------------------------------------------------------------


def test_clone_a_function_from_its_page(client) -> None:
    page = text(client.get("/functions/hello_python"))
    assert 'href="/functions/hello_python/clone"' in page and 'href="/functions/hello_python/delete"' in page
    form = text(client.get("/functions/hello_python/clone"))
    assert 'value="hello_python-copy"' in form
    done = client.post("/functions/hello_python/clone", data={"new_name": "hello_copy"})
    assert done.status_code == 303 and done.headers["Location"] == "/functions/hello_copy"
    copy = client.get("/functions/hello_copy.json").get_json()
    assert copy["handler"] == "hello_python.my_handler" and [e["name"] for e in copy["events"]] == ["ada-lovelace"]
    taken = client.post("/functions/hello_python/clone", data={"new_name": "hello_copy"})
    assert taken.status_code == 422 and 'id="new-name-error"' in text(taken) and "hello_copy" in text(taken)


def test_delete_a_function_after_being_told_what_goes_with_it(client) -> None:
    client.post("/functions/hello_python/clone", data={"new_name": "doomed"})
    asked = text(client.get("/functions/doomed/delete"))
    assert "Deleting <strong>doomed</strong> removes it with its 0 published versions, its 1 saved event" in asked
    assert "Its package stays stored" in asked
    assert client.get("/functions/doomed.json").status_code == 200  # asking deleted nothing
    done = client.post("/functions/doomed/delete")
    assert done.status_code == 303
    assert "Deleted function doomed." in text(client.get(done.headers["Location"]))
    assert client.get("/functions/doomed.json").status_code == 404
    assert client.post("/functions/doomed/delete").status_code == 404


def test_deleting_the_only_function_of_a_package_makes_the_package_deletable(client) -> None:
    package = client.get("/functions/return_none.json").get_json()["package_sha256"]
    assert f'action="/packages/{package}/delete"' not in text(client.get("/packages"))
    client.post("/functions/return_none/delete")
    assert f'action="/packages/{package}/delete"' in text(client.get("/packages"))
