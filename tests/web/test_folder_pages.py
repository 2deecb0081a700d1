"""Folder functions in the web console through Flask's test client: Create function → From a folder, the header's
reload notice, the Configuration and History tabs."""

from __future__ import annotations

import html
from pathlib import Path

from tests.processes import wait_until
from tests.web.test_pages import HTMX, run, text


def make_folder(tmp_path: Path, value: str) -> Path:
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    (folder / "app.py").write_text(f"def handler(event, context):\n    return {value!r}\n")
    return folder


def create(client, folder: object, name: str = "from-folder", handler: str = "app.handler"):
    return client.post("/functions/new", data={"name": name, "handler": handler, "code_folder": str(folder),
                                                "timeout": "3", "memory": "128", "ephemeral_storage": "512"})


def test_create_from_a_folder_and_see_reloads(client, tmp_path):
    assert "Or from a folder" in text(client.get("/functions/new"))
    folder = make_folder(tmp_path, "first")
    created = create(client, folder)
    assert created.status_code == 303 and created.headers["Location"].endswith("/functions/from-folder")
    page = text(client.get("/functions/from-folder"))
    assert f"From the folder <code class=\"wrap\" data-folder>{folder}</code>" in page
    assert "code changed, reloaded" not in page
    assert "\"first\"" in html.unescape(run(client, "from-folder", "{}"))

    (folder / "app.py").write_text("def handler(event, context):\n    return 'second'\n")
    status = wait_until(lambda: (t := text(client.get("/functions/from-folder/code-status", headers=HTMX)))
                        and "code changed, reloaded" in t and t, "the header to say it reloaded")
    assert "code changed, reloaded (app.py)" in status
    assert "\"second\"" in html.unescape(run(client, "from-folder", "{}"))
    history = text(client.get("/functions/from-folder/history"))
    assert "Code changes" in history and "code changed, reloaded (app.py)" in history
    configuration = text(client.get("/functions/from-folder/configuration"))
    assert "Run from this folder" in configuration and str(folder) in configuration
    assert client.get("/functions/from-folder.json").get_json()["code_folder"] == str(folder)


def test_bad_folders_are_refused_on_the_form(client, tmp_path):
    refused = create(client, tmp_path / "nowhere")
    assert refused.status_code == 422
    page = html.unescape(text(refused))
    assert f"The folder {tmp_path / 'nowhere'} does not exist" in page
    assert f'value="{tmp_path / "nowhere"}"' in page  # what was typed stays
    make_folder(tmp_path, "x")
    no_handler = create(client, tmp_path / "site", handler="")
    assert no_handler.status_code == 422 and "Found in the folder: app.handler" in text(no_handler)
    assert client.get("/functions/from-folder").status_code == 404


def test_a_package_function_moves_to_a_folder(client, tmp_path):
    folder = tmp_path / "moved"
    folder.mkdir()
    (folder / "hello_python.py").write_text("def my_handler(event, context):\n    return 'moved'\n")
    bad = client.post("/functions/hello_python/code-folder", data={"code_folder": "relative"}, headers=HTMX)
    assert bad.status_code == 422 and "is not an absolute path" in text(bad)
    moved = client.post("/functions/hello_python/code-folder", data={"code_folder": str(folder)}, headers=HTMX)
    assert moved.status_code == 200 and "now runs from the folder" in text(moved)
    assert "\"moved\"" in html.unescape(run(client, "hello_python", "{}"))


def test_the_header_shows_the_install_and_its_log(client, tmp_path):
    from tests.wheels import LinkServer, make_wheel

    make_wheel(tmp_path / "wheels")
    links = LinkServer(tmp_path / "wheels")
    try:
        folder = make_folder(tmp_path, "x")
        (folder / "requirements.txt").write_text(links.requirements("tinydep==1.0"))
        assert create(client, folder, name="with-deps").status_code == 303
        pending = text(client.get("/functions/with-deps"))
        assert "Installing dependencies" in pending and "pip's log" in pending
        assert 'hx-trigger="every 1s"' in pending  # it follows the install
        tested = html.unescape(run(client, "with-deps", "{}"))
        assert "The function is currently in the following state: Pending" in tested
        links.gate.set()
        done = wait_until(lambda: (t := text(client.get("/functions/with-deps/code-status", headers=HTMX)))
                          and "Dependencies installed" in t and t, "the install to finish")
        assert "Successfully installed tinydep-1.0" in done
    finally:
        links.close()


def test_typing_a_folder_offers_its_handlers(client, tmp_path):
    folder = make_folder(tmp_path, "x")
    found = client.get("/functions/new/folder", query_string={"code_folder": str(folder)}, headers=HTMX)
    assert found.status_code == 200 and "Handlers found in the folder: <code>app.handler</code>" in text(found)
    missing = client.get("/functions/new/folder", query_string={"code_folder": str(tmp_path / "no")}, headers=HTMX)
    assert missing.status_code == 422 and "does not exist" in text(missing)
