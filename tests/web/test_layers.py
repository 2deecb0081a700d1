"""The Layers page and a function's Layers section through the web console: every refusal says what to do and keeps
the page; the JSON twin lists what the page shows."""

from __future__ import annotations

import io
import re

from console import EXTENSION
from tests.zips import zip_bytes

HTMX = {"HX-Request": "true"}
LAYER = zip_bytes({"python/shared.py": "WHO = 'layer'\n"})


def texts(response, pattern: str) -> list[str]:
    return re.findall(pattern, response.get_data(as_text=True))


def publish(client, name: str, data: bytes = LAYER, **fields: object):
    form = {"name": name, "layer_file": (io.BytesIO(data), "layer.zip"), **fields}
    return client.post("/layers", data=form, content_type="multipart/form-data", headers=HTMX)


def test_publishing_refusals_say_what_to_do_and_store_nothing(client) -> None:
    no_file = client.post("/layers", data={"name": "lib"}, content_type="multipart/form-data", headers=HTMX)
    assert no_file.status_code == 422
    assert "Choose the layer&#39;s .zip" in no_file.get_data(as_text=True)
    bad_name = publish(client, "two words")
    assert bad_name.status_code == 422 and "Layer name &#39;two words&#39; is not valid" in bad_name.get_data(as_text=True)
    assert 'value="two words"' in bad_name.get_data(as_text=True)  # what was typed is kept
    not_zip = publish(client, "lib", b"not a zip")
    assert not_zip.status_code == 422 and "not a zip file" in not_zip.get_data(as_text=True)
    assert client.get("/layers.json").get_json() == {"layer_versions": []}


def test_publish_list_and_delete_on_the_layers_page(client) -> None:
    answer = publish(client, "lib", description="shared", compatible_runtimes=["python3.12", "python3.13"])
    assert answer.status_code == 200 and texts(answer, r'role="status">([^<]*)') == ["Published lib version 1."]
    assert publish(client, "lib").status_code == 200
    listed = client.get("/layers.json").get_json()["layer_versions"]
    assert [(v["name"], v["version"]) for v in listed] == [("lib", 2), ("lib", 1)]
    assert listed[1]["compatible_runtimes"] == ["python3.12", "python3.13"] and listed[1]["description"] == "shared"
    page = client.get("/layers")
    assert page.status_code == 200 and 'aria-label="Delete lib version 2"' in page.get_data(as_text=True)
    deleted = client.post("/layers/lib/2/delete", headers=HTMX)
    assert deleted.status_code == 200 and "Deleted lib version 2." in deleted.get_data(as_text=True)
    again = client.post("/layers/lib/2/delete", headers=HTMX)
    assert again.status_code == 404 and "lib has no version 2" in again.get_data(as_text=True)
    assert [v["version"] for v in client.get("/layers.json").get_json()["layer_versions"]] == [1]
    huge = client.post("/layers/lib/99999999999999999999999/delete", headers=HTMX)  # more than SQLite holds
    assert huge.status_code == 404 and "lib has no version 99999999999999999999999" in huge.get_data(as_text=True)


def test_a_functions_layers_section_adds_and_removes_in_order(app, client) -> None:
    console = app.extensions[EXTENSION]
    console.create_function("uses", zip_bytes({"app.py": "def handler(e, c):\n    return 1\n"}), "app.handler")
    empty = client.get("/functions/uses/configuration")
    assert "No layer versions are stored" in empty.get_data(as_text=True)
    first = console.publish_layer_version("first", LAYER)
    second = console.publish_layer_version("second", zip_bytes({"python/other.py": ""}))
    for layer in (first, second):
        added = client.post("/functions/uses/layers", data={"layer_arn": layer.arn()}, headers=HTMX)
        assert added.status_code == 200, added.get_data(as_text=True)
    assert [layer.name for layer in console.get_function("uses").layers] == ["first", "second"]
    assert client.get("/functions/uses.json").get_json()["layers"] == [first.arn(), second.arn()]
    twice = client.post("/functions/uses/layers", data={"layer_arn": first.arn()}, headers=HTMX)
    assert twice.status_code == 422 and "Two different versions of the same layer" in twice.get_data(as_text=True)
    nothing = client.post("/functions/uses/layers", data={}, headers=HTMX)
    assert nothing.status_code == 422 and "Choose a layer version to add." in nothing.get_data(as_text=True)
    gone = client.post("/functions/uses/layers/5/remove", headers=HTMX)
    assert gone.status_code == 422 and "uses has no layer number 6: it has 2" in gone.get_data(as_text=True)
    page = client.get("/layers").get_data(as_text=True)
    assert page.count('href="/functions/uses/configuration">uses</a>') == 2  # each version says who uses it
    assert [v["used_by"] for v in client.get("/layers.json").get_json()["layer_versions"]] == [["uses"], ["uses"]]
    up = client.post("/functions/uses/layers/1/up", headers=HTMX)
    assert up.status_code == 200 and "Layer moved up." in up.get_data(as_text=True)
    assert [layer.name for layer in console.get_function("uses").layers] == ["second", "first"]
    first_up = client.post("/functions/uses/layers/0/up", headers=HTMX)
    assert first_up.status_code == 422 and "no layer number 1 to move up" in first_up.get_data(as_text=True)
    client.post("/functions/uses/layers/1/up", headers=HTMX)  # back to first, second
    removed = client.post("/functions/uses/layers/0/remove", headers=HTMX)
    assert removed.status_code == 200 and "Layer removed." in removed.get_data(as_text=True)
    assert [layer.name for layer in console.get_function("uses").layers] == ["second"]
    assert client.post("/functions/nope/layers", data={"layer_arn": first.arn()}, headers=HTMX).status_code == 404
