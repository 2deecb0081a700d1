"""The Function URL section of the Configuration tab, the Test tab's Open link and the presenter's, through Flask's
test client over the samples."""

from __future__ import annotations

import re

HTMX = {"HX-Request": "true"}
ADDRESS = re.compile(r'http://[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost/')


def test_create_open_and_delete_a_function_url(client) -> None:
    page = client.get("/functions/hello_python/configuration").get_data(as_text=True)
    assert "No function URL" in page and "Create function URL" in page

    made = client.post("/functions/hello_python/url", headers=HTMX,
                       data={"auth_type": "NONE", "cors": "1", "allow_origins": "https://app.example",
                             "allow_methods": "get, post", "max_age": "60"})
    shown = made.get_data(as_text=True)
    assert made.status_code == 200 and "Function URL created" in shown
    address = ADDRESS.search(shown).group(0)
    assert f'value="{address}" readonly' in shown and f'href="{address}"' in shown
    assert "CORS for https://app.example" in shown
    assert client.application.extensions["lambda_console"].get_function_url("hello_python").cors["AllowMethods"] == [
        "GET", "POST"]

    assert client.get("/functions/hello_python.json").get_json()["function_url"] == {
        "url": address, "auth_type": "NONE",
        "cors": {"AllowOrigins": ["https://app.example"], "AllowMethods": ["GET", "POST"], "AllowHeaders": [],
                 "ExposeHeaders": [], "AllowCredentials": False, "MaxAge": 60}}
    assert f'href="{address}"' in client.get("/functions/hello_python").get_data(as_text=True)  # the Test tab
    assert f'href="{address}"' in client.get("/present/hello_python").get_data(as_text=True)

    gone = client.post("/functions/hello_python/url/delete", headers=HTMX).get_data(as_text=True)
    assert "Function URL deleted" in gone and not ADDRESS.search(gone)
    assert not ADDRESS.search(client.get("/present/hello_python").get_data(as_text=True))
    assert client.get("/functions/hello_python.json").get_json()["function_url"] is None


def test_a_bad_setting_says_what_to_fix(client) -> None:
    answer = client.post("/functions/hello_python/url", headers=HTMX,
                         data={"auth_type": "NONE", "cors": "1", "max_age": "soon"})
    assert answer.status_code == 422
    assert "Max age is a number of seconds" in answer.get_data(as_text=True)
    answer = client.post("/functions/hello_python/url", headers=HTMX, data={"auth_type": "OPEN"})
    assert answer.status_code == 422 and "NONE or AWS_IAM" in answer.get_data(as_text=True)
    client.post("/functions/hello_python/url", headers=HTMX, data={"auth_type": "NONE"})
    twice = client.post("/functions/hello_python/url", headers=HTMX, data={"auth_type": "NONE"})
    assert twice.status_code == 422 and "exists" in twice.get_data(as_text=True)
