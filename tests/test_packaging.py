"""A wheel built from the checkout carries the pages, the static files and the samples, and runs like a checkout.

The wheel is built by pip as a user would (`pip wheel . --no-deps`), unpacked (a pure-Python wheel installs by
unpacking), and run from another folder with that copy first on the path: the console it imports is the wheel's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = ("templates", "static", "handlers")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out),
                           str(REPO)], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("lambda_console-*.whl")
    return built


def tracked(folder: str) -> set[str]:
    listed = subprocess.run(["git", "ls-files", folder], cwd=REPO, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    return {line[len(folder) + 1:] for line in listed.stdout.splitlines()}


@pytest.mark.parametrize("folder", BUNDLED)
def test_the_wheel_carries_every_file_of_the_folder(wheel, folder):
    names = zipfile.ZipFile(wheel).namelist()
    inside = {name[len(f"console/{folder}/"):] for name in names if name.startswith(f"console/{folder}/")}
    assert inside == tracked(folder)
    assert not any("__pycache__" in name for name in names)


def test_every_package_of_the_checkout_is_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.parent.relative_to(REPO).as_posix() for p in (REPO / "console").rglob("__init__.py")}
    assert packages and all(f"{package}/__init__.py" in names for package in packages)


def test_the_installed_wheel_serves_pages_static_files_and_samples(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    home = tmp_path / "home"
    script = """
import json, sys
import console, console.resources
from console.app import create_app
app = create_app({"TESTING": True})
client = app.test_client()
page = client.get("/")
css = client.get("/assets/console.css")
fn = client.get("/functions/hello_python.json")
console_ = app.extensions["lambda_console"]
print(json.dumps({
    "package": console.__file__,
    "data_dir": str(console_.config.data_dir),
    "page": [page.status_code, page.mimetype, "hello_python" in page.get_data(as_text=True)],
    "css": [css.status_code, css.mimetype],
    "function": fn.status_code,
}))
console_.close()
"""
    env = {**os.environ, "PYTHONPATH": str(site), "XDG_DATA_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["package"] == str(site / "console" / "__init__.py")
    # Installed, not a checkout: the user's data folder (XDG_DATA_HOME on Linux), with the samples loaded on first run.
    if sys.platform.startswith("linux"):
        assert seen["data_dir"] == str(home / "lambda-console")
    assert seen["page"] == [200, "text/html", True]
    assert seen["css"] == [200, "text/css"]
    assert seen["function"] == 200
