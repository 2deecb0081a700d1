"""The Viewer links page with bad input: each refusal says what to change, nothing is stored, never a 500. Without
authentication the page says viewer links need it and makes none."""

from __future__ import annotations

import re

import pytest

from console import EXTENSION, create_app
from console.security import Authentication

AUTH = Authentication.create("the-token", "AKIDTESTCONSOLE", "the-secret")
HOST = {"Host": "127.0.0.1:8000"}
WRITE_KEY = re.compile(rb'<meta name="lambda-console-write-key" content="([^"]+)">')


@pytest.fixture
def owner(tmp_path):
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "AUTHENTICATION": AUTH,
                      "CONSOLE": {"load_samples": True}})
    client = app.test_client()
    signed_in = client.get("/?token=the-token", headers=HOST)
    client.write_key = WRITE_KEY.search(signed_in.data).group(1).decode()
    client.console = app.extensions[EXTENSION]
    yield client
    app.extensions[EXTENSION].close()


@pytest.mark.parametrize(("form", "says"), [
    ({"label": "", "function": "", "expires": ""}, "Give the viewer link a label"),
    ({"label": "   ", "function": "hello_python", "expires": "1h"}, "Give the viewer link a label"),
    ({"label": "x" * 200, "function": "", "expires": ""}, "keep it to 80"),
    ({"label": "Demo", "function": "no_such_function", "expires": ""}, "no_such_function"),
    ({"label": "Demo", "function": "", "expires": "forever"}, "choose one of the expiries offered"),
    ({"label": "Demo\x07", "function": "", "expires": ""}, "control characters"),
])
def test_a_refused_link_says_what_to_change_and_keeps_what_was_typed(owner, form, says):
    response = owner.post("/viewers", data={**form, "lambda_console_key": owner.write_key}, headers=HOST)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert says in page
    assert 'role="alert"' in page
    assert owner.console.list_viewer_links() == []


def test_revoking_a_link_that_is_not_there_says_so(owner):
    response = owner.post("/viewers/99/revoke", data={"lambda_console_key": owner.write_key}, headers=HOST)
    assert response.status_code == 404
    assert "There is no viewer link 99" in response.get_data(as_text=True)


def test_the_owner_sees_the_link_once_and_then_only_its_label(owner):
    made = owner.post("/viewers", data={"label": "Customer demo", "function": "hello_python", "expires": "1d",
                                        "lambda_console_key": owner.write_key}, headers=HOST)
    assert made.status_code == 201 and made.headers["Cache-Control"] == "no-store"
    token = re.search(r"\?viewer=([\w-]+)", made.get_data(as_text=True)).group(1)
    listing = owner.get("/viewers", headers=HOST).get_data(as_text=True)
    assert "Customer demo" in listing and token not in listing
    presenter = owner.get("/present/hello_python", headers=HOST).get_data(as_text=True)
    assert "Open viewer links: <strong>Customer demo</strong>" in presenter and token not in presenter


def test_without_authentication_viewer_links_are_not_offered(client):
    page = client.get("/viewers")
    assert page.status_code == 200
    assert "Viewer links need authentication" in page.get_data(as_text=True)
    made = client.post("/viewers", data={"label": "Demo", "function": "", "expires": ""})
    assert made.status_code == 409
    assert "serve --auth" in made.get_data(as_text=True)
    assert client.application.extensions[EXTENSION].list_viewer_links() == []
    assert "Share with the audience" not in client.get("/present/hello_python").get_data(as_text=True)


def test_revoking_a_link_number_beyond_the_databases_integers_says_it_is_not_there(owner):
    response = owner.post("/viewers/99999999999999999999999/revoke", data={"lambda_console_key": owner.write_key},
                          headers=HOST)
    assert response.status_code == 404
    assert "There is no viewer link 99999999999999999999999" in response.get_data(as_text=True)
