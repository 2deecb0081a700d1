"""The files that ship with the console: the page templates, the static files and the sample handlers.

In a checkout they are the top-level folders `templates/`, `static/` and `handlers/` beside `console/`. A wheel carries
the same folders inside the package, as `console/templates/`, `console/static/` and `console/handlers/`
(pyproject.toml maps them in). Both are found from the package's own location, so an editable install, a plain
checkout on `sys.path` and an installed wheel all serve the same files.

The default data folder follows the same split: `instance/` in a checkout (beside the code being worked on), the
user's data folder otherwise (`~/.local/share/lambda-console` on Linux, `~/Library/Application Support/lambda-console`
on macOS, `%LOCALAPPDATA%\\lambda-console` on Windows).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
APP_NAME = "lambda-console"
BUNDLED = ("templates", "static", "handlers")


def checkout_root() -> Path | None:
    """The source checkout the package runs from, or None when it is installed (a wheel in site-packages)."""
    root = PACKAGE_DIR.parent
    if (PACKAGE_DIR / "templates").is_dir():
        return None  # the folders travel inside the package: an installed wheel
    if (root / "pyproject.toml").is_file() and (root / "templates").is_dir():
        return root
    return None


def bundled_dir(name: str) -> Path:
    """The folder `name` (one of BUNDLED) as installed: inside the package (a wheel) or beside it (a checkout)."""
    if name not in BUNDLED:
        raise ValueError(f"{name!r} is not one of the console's bundled folders {BUNDLED}")
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    root = checkout_root()
    if root is not None:
        return root / name
    raise FileNotFoundError(
        f"{inside}: missing. The lambda-console installation is incomplete; reinstall it "
        f"(pip install --force-reinstall lambda-console)."
    )


def templates_dir() -> Path:
    return bundled_dir("templates")


def static_dir() -> Path:
    return bundled_dir("static")


def samples_dir() -> Path:
    return bundled_dir("handlers")


def default_data_dir() -> Path:
    """`instance/` in a checkout; the user's data folder for an installed console."""
    root = checkout_root()
    if root is not None:
        return root / "instance"
    # platformdirs knows each platform's convention (XDG_DATA_HOME included); only this default needs it.
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))
