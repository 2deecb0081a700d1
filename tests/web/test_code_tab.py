"""The function page's Code tab through Flask's test client: the function's files, the handler's file first and
highlighted, binary and large files described, paths that leave the code refused, a folder function's own files."""

from __future__ import annotations

import html
import re

from tests.web.test_folder_pages import create
from tests.web.test_pages import HTMX, text


def file_list(page: str) -> list[str]:
    nav = page.split('aria-label="Files"', 1)[1].split("</nav>", 1)[0]
    return [html.unescape(name) for name in re.findall(r'hx-push-url="true"\s*(?:aria-current="true")?>([^<]+)</a>',
                                                          nav)]


def test_the_code_tab_opens_on_the_handlers_file_highlighted(client):
    page = text(client.get("/functions/hello_python"))
    assert 'href="/functions/hello_python/code"' in page and ">Code</a>" in page
    code = client.get("/functions/hello_python/code")
    assert code.status_code == 200
    page = text(code)
    assert file_list(page) == ["hello_python.py"]
    assert "the handler's file (hello_python.my_handler)" in page
    # Pygments' markup: the keyword `def` and the function's name carry its CSS classes, with line numbers.
    assert '<span class="k">def</span>' in page and '<span class="nf">my_handler</span>' in page
    assert 'href="#line-6">6</a>' in page
    assert "style=" not in page.split('class="panel code-view"', 1)[1]  # the strict CSP allows no inline style
    assert "code-highlight.css" in page


def test_the_handlers_file_comes_first_among_several(client):
    page = text(client.get("/functions/with_dependency/code"))
    assert file_list(page) == ["app.py", "textkit/__init__.py"]
    other = text(client.get("/functions/with_dependency/code?path=textkit/__init__.py", headers=HTMX))
    assert "<code>textkit/__init__.py</code>" in other and "the handler's file" not in other
    assert '<a href="/functions/with_dependency/code"' in other  # a fragment: the tabs with it, no whole page
    assert "<html" not in other


def test_paths_that_leave_the_code_are_refused(client):
    for path in ("../../etc/passwd", "/etc/passwd", "textkit/../../x.py"):
        refused = client.get("/functions/with_dependency/code", query_string={"path": path})
        assert refused.status_code == 400
        assert f"The path {path} leaves the function&#39;s code" in text(refused)
        assert "root:" not in text(refused)
    missing = client.get("/functions/with_dependency/code?path=nothing.py")
    assert missing.status_code == 400 and "has no file nothing.py" in text(missing)
    assert file_list(text(missing)) == ["app.py", "textkit/__init__.py"]  # the list stays, to pick from


def test_a_folder_functions_files_binary_and_large_ones_said(client, tmp_path):
    folder = tmp_path / "site"
    (folder / "lib").mkdir(parents=True)
    (folder / "app.py").write_text("def handler(event, context):\n    return 'hi'\n")
    (folder / "lib" / "data.bin").write_bytes(b"\x89PNG\x00\x01\x02")
    (folder / "big.txt").write_text("x" * 300_000)
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"\x00")
    assert create(client, folder).status_code == 303
    page = text(client.get("/functions/from-folder/code"))
    assert "From the folder" in page and str(folder) in page
    assert file_list(page) == ["app.py", "big.txt", "lib/data.bin"]  # no caches
    assert '<span class="k">return</span>' in page
    binary = text(client.get("/functions/from-folder/code?path=lib/data.bin"))
    assert "lib/data.bin is a binary file (7 bytes): it is not shown." in binary
    large = text(client.get("/functions/from-folder/code?path=big.txt"))
    assert "big.txt is 300,000 bytes, too large to show here" in large and "xxxxxxxx" not in large
    (folder / "new.py").write_text("VALUE = 1\n")  # the folder as it is now
    assert "new.py" in file_list(text(client.get("/functions/from-folder/code")))


def test_a_folder_that_is_gone_is_said(client, tmp_path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "app.py").write_text("def handler(event, context):\n    return 1\n")
    assert create(client, folder).status_code == 303
    (folder / "app.py").unlink()
    folder.rmdir()
    gone = client.get("/functions/from-folder/code")
    assert gone.status_code == 409
    assert (f"The function's folder {folder} is gone: restore it, or give the function another folder."
            in html.unescape(text(gone)))
