"""Real web frameworks behind a function URL, each installed into the function's code with `pip install --target` as
AWS's guide builds a deployment package, and called through plain HTTP: FastAPI under Mangum, Flask under apig-wsgi,
and Powertools' APIGatewayHttpResolver.

Installing from PyPI is slow, so each package set is built once and kept in pytest's cache (or, without it, once per
session); the tests are skipped, saying why, when PyPI cannot be reached."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from console.engine.invocation import LOCAL_RUNTIME
from tests.conftest import LiveServer
from tests.http_front.conftest import fetch

FASTAPI_APP = '''
from typing import Optional

from fastapi import FastAPI
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float


@app.get("/items/{item_id}")
def read_item(item_id: int, q: Optional[str] = None):
    return {"item_id": item_id, "q": q}


@app.post("/items", status_code=201)
def create_item(item: Item):
    return {"created": item.name, "price": item.price}


handler = Mangum(app, lifespan="off")
'''

FLASK_APP = '''
import base64

from apig_wsgi import make_lambda_handler
from flask import Flask, Response, redirect, request

app = Flask(__name__)
# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@app.get("/")
def home():
    user = request.cookies.get("user", "stranger")
    return f"<!doctype html><h1>Hello {user}</h1><a href='/login'>Log in</a>"


@app.get("/pixel.png")
def pixel():
    return Response(PIXEL, mimetype="image/png")


@app.get("/login")
def login():
    response = redirect("/")
    response.set_cookie("user", "ada")
    response.set_cookie("theme", "dark")
    return response


handler = make_lambda_handler(app, binary_support=True)
'''

POWERTOOLS_APP = '''
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

app = APIGatewayHttpResolver()


@app.get("/hello/<name>")
def hello(name: str):
    return {"message": f"hello {name}", "lang": app.current_event.get_query_string_value("lang", "en")}


def handler(event, context):
    return app.resolve(event, context)
'''


def build(cache: Path, requirements: list[str]) -> Path:
    """A folder with `requirements` installed by `pip install --target`, built once per set of requirements."""
    key = hashlib.sha256(f"{sys.version_info[:2]} {' '.join(requirements)}".encode()).hexdigest()[:16]
    target = cache / key
    if (target / ".complete").exists():
        return target
    partial = cache / f"{key}.partial"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--upgrade", "--target", str(partial), *requirements],
        capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        pytest.skip(f"could not install {' '.join(requirements)} from PyPI (is it reachable?): "
                    f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}")
    (partial / ".complete").write_text("")
    partial.rename(target)
    return target


@pytest.fixture(scope="session")
def package_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = getattr(request.config, "cache", None)
    return Path(cache.mkdir("http-front-packages")) if cache is not None else tmp_path_factory.mktemp("packages")


def code_zip(packages: Path, app_source: str) -> bytes:
    """The deployment package: the installed packages at the top, `app.py` beside them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(packages.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.name != ".complete":
                archive.write(path, path.relative_to(packages).as_posix())
        archive.writestr("app.py", app_source)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def framework_url(lam, package_cache: Path) -> Callable[[list[str], str], str]:
    """framework_url(requirements, app source) -> the function URL of a function running it."""
    import uuid

    from tests.http_front.conftest import ROLE

    def make(requirements: list[str], source: str) -> str:
        name = f"web-{uuid.uuid4().hex[:8]}"
        # The packages were built by pip for this Python: the function runs on it too.
        lam.create_function(FunctionName=name, Runtime=LOCAL_RUNTIME, Role=ROLE, Handler="app.handler", Timeout=30,
                            MemorySize=512, Code={"ZipFile": code_zip(build(package_cache, requirements), source)})
        return lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]

    return make


def test_fastapi_under_mangum(framework_url, server: LiveServer) -> None:
    url = framework_url(["fastapi", "mangum"], FASTAPI_APP)
    got = fetch(server, url, "/items/42?q=lamp")
    assert got.status == 200 and json.loads(got.body) == {"item_id": 42, "q": "lamp"}
    made = fetch(server, url, "/items", method="POST", body=json.dumps({"name": "lamp", "price": 9.5}).encode(),
                 headers={"Content-Type": "application/json"})
    assert made.status == 201 and json.loads(made.body) == {"created": "lamp", "price": 9.5}
    refused = fetch(server, url, "/items", method="POST", body=b'{"name": "lamp"}',
                    headers={"Content-Type": "application/json"})
    assert refused.status == 422
    assert json.loads(refused.body)["detail"][0]["loc"] == ["body", "price"]
    assert fetch(server, url, "/items/not-a-number").status == 422


def test_flask_under_apig_wsgi(framework_url, server: LiveServer) -> None:
    url = framework_url(["flask", "apig-wsgi"], FLASK_APP)
    home = fetch(server, url, "/")
    assert home.status == 200 and home.header("content-type").startswith("text/html")
    assert b"<h1>Hello stranger</h1>" in home.body
    pixel = fetch(server, url, "/pixel.png")
    assert pixel.status == 200 and pixel.header("content-type") == "image/png"
    assert pixel.body.startswith(b"\x89PNG\r\n\x1a\n")
    login = fetch(server, url, "/login")
    assert login.status == 302 and login.header("location") in ("/", url)
    cookies = login.headers.get_all("Set-Cookie")
    assert any(cookie.startswith("user=ada") for cookie in cookies)
    assert any(cookie.startswith("theme=dark") for cookie in cookies)
    again = fetch(server, url, "/", headers={"Cookie": "user=ada; theme=dark"})
    assert b"<h1>Hello ada</h1>" in again.body


def test_powertools_http_resolver(framework_url, server: LiveServer) -> None:
    url = framework_url(["aws-lambda-powertools"], POWERTOOLS_APP)
    answer = fetch(server, url, "/hello/ada?lang=fr")
    assert answer.status == 200
    assert json.loads(answer.body) == {"message": "hello ada", "lang": "fr"}
    assert fetch(server, url, "/nowhere").status == 404
