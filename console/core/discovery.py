"""Handler suggestions for an unpacked package, found by reading its Python files, never by running them.

A handler is `module.function` for a file at the top of the package and `folder/module.function` for a file in a
folder, as Lambda writes it. A function qualifies when it is a plain (not async) top-level function that Lambda can
call with `(event, context)`: two positional parameters without defaults, further ones with defaults. Vendored
dependencies (a folder or module with a `*.dist-info` or `*.egg-info` beside it), tests, caches and hidden folders
are not read, nor are files that do not parse.

`discover` also spots the most common packaging mistake, the one Lambda's guide warns about: zipping the folder
instead of its contents, so that every file sits inside one top folder where Lambda does not look.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
import os
import re
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path

from console.core.limits import human_size

# The names people give a handler, most likely first; `lambda_function.lambda_handler` is the Lambda console's own.
PREFERRED_FUNCTIONS = ("lambda_handler", "handler", "main")
PREFERRED_MODULES = ("lambda_function", "app", "handler", "handlers", "main", "index", "function")
# Parameter names that mark the first parameter as the event when the second has a default: (event, context=None).
EVENT_NAMES = frozenset({"event", "evt", "_event"})
MAX_HANDLERS = 25
MAX_FILES = 2000  # Python files read at most; a package with more is mostly dependencies anyway
# Parsing costs far more memory than the source (about 100 bytes of syntax tree per byte): a file over this is
# generated code or data, not a handler, and all the files parsed together stop at MAX_TOTAL_BYTES.
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024
MAX_SKIPPED_SHOWN = 20
# Only a file with a top-level `def` or a handler's usual name assigned can hold a handler: no need to parse others.
MAY_HOLD_HANDLER = re.compile(r"^(def\s|(lambda_handler|handler)\s*=)", re.MULTILINE)
MAX_HANDLER_LENGTH = 128  # Lambda's limit for the Handler setting
# Never a place for the function's own handler.
SKIPPED_FOLDERS = frozenset({"__pycache__", "__MACOSX", "node_modules", "site-packages", "tests", "test", "venv"})
# What a zip made on a Mac or Windows carries beside the folder (besides hidden files); not the user's code.
IGNORED_AT_TOP = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class Discovery:
    """What a package's files suggest: handlers to pick from, and a packaging mistake to explain."""

    handlers: tuple[str, ...]  # the likely one first
    folder_mistake: str | None  # what is wrong and how to fix it, or None
    folder: str | None = None  # the one folder every file is in, when there is one (also when that is intended)
    unwrapped_handlers: tuple[str, ...] = ()  # the handlers as they would be with that folder's contents on top
    skipped: tuple[str, ...] = ()  # files not read for handlers, each with why ('gen/data.py: 3.1 MB, over ...')

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Discovery:
        data = json.loads(text)
        return cls(
            handlers=tuple(data["handlers"]),
            folder_mistake=data["folder_mistake"],
            folder=data["folder"],
            unwrapped_handlers=tuple(data["unwrapped_handlers"]),
            skipped=tuple(data["skipped"]),
        )


def discover(code_dir: Path) -> Discovery:
    """Suggest handlers for the package unpacked in `code_dir` and spot the zipped-folder mistake."""
    code_dir = Path(code_dir)
    budget = _Budget()
    handlers = _suggestions(code_dir, budget)
    folder = wrapping_folder(code_dir)
    if folder is None:
        return Discovery(handlers, None, skipped=budget.shown())
    unwrapped = _suggestions(code_dir / folder, _Budget())  # the same files again, under other names
    # A folder that is a regular package (it has __init__.py) is likely meant: `pkg.module.handler` imports it.
    if (code_dir / folder / "__init__.py").is_file():
        return Discovery(handlers, None, folder, unwrapped, skipped=budget.shown())
    message = (
        f"Every file in the package is inside the folder '{folder}/'. Lambda looks for your code at the top of the "
        f"zip: zip the folder's contents, not the folder (cd {shlex.quote(folder)} && zip -r ../package.zip .)."
    )
    if unwrapped:
        message += f" With the files at the top, the handler would be {unwrapped[0]}."
    return Discovery(handlers, message, folder, unwrapped, skipped=budget.shown())


class _Budget:
    """The bytes left to parse in one discovery, and the files skipped for their size."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES
        self.skipped: list[str] = []

    def allows(self, name: str, size: int) -> bool:
        if size > MAX_FILE_BYTES:
            self.skipped.append(f"{name}: {human_size(size)}, over the {human_size(MAX_FILE_BYTES)} read per file")
            return False
        if size > self.left:
            self.skipped.append(
                f"{name}: {human_size(size)}, past the {human_size(MAX_TOTAL_BYTES)} read per package"
            )
            return False
        self.left -= size
        return True

    def shown(self) -> tuple[str, ...]:
        more = len(self.skipped) - MAX_SKIPPED_SHOWN
        return tuple(self.skipped[:MAX_SKIPPED_SHOWN]) + ((f"and {more} more",) if more > 0 else ())


def wrapping_folder(code_dir: Path) -> str | None:
    """The one folder at the top of the package, when nothing else is there but hidden files and a Mac's extras."""
    try:
        entries = [e for e in os.scandir(code_dir) if e.name not in IGNORED_AT_TOP and not e.name.startswith(".")]
    except OSError:
        return None
    if len(entries) == 1 and entries[0].is_dir(follow_symlinks=False):
        return entries[0].name
    return None


def _suggestions(code_dir: Path, budget: _Budget) -> tuple[str, ...]:
    """The handlers in the package, the likely one first, at most MAX_HANDLERS."""
    found = sorted(_scan(code_dir, budget), key=lambda candidate: candidate[0])
    return tuple(dict.fromkeys(handler for _, handler in found))[:MAX_HANDLERS]


def _scan(code_dir: Path, budget: _Budget) -> list[tuple[tuple, str]]:
    """(sort key, handler) for each qualifying function, folders read breadth first so top-level files come first."""
    found: list[tuple[tuple, str]] = []
    queue: list[tuple[str, ...]] = [()]  # folders as their parts below code_dir
    files_read = 0
    while queue and files_read < MAX_FILES:
        parts = queue.pop(0)
        folder = code_dir.joinpath(*parts)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        vendored = _vendored(folder, [e.name for e in entries])
        for entry in entries:
            name = entry.name
            if name.startswith(".") or _normalized(Path(name).stem if name.endswith(".py") else name) in vendored:
                continue
            if entry.is_dir(follow_symlinks=False):
                # A dot would make Lambda read the folder's name as two modules.
                if name not in SKIPPED_FOLDERS and not _unusable(name) and "." not in name:
                    queue.append((*parts, name))
            elif entry.is_file(follow_symlinks=False) and name.endswith(".py") and files_read < MAX_FILES:
                if _is_test(name) or _unusable(name[:-3]) or "." in name[:-3]:
                    continue
                files_read += 1
                found.extend(_handlers_in(Path(entry.path), parts, name[:-3], budget))
    return found


def _unusable(name: str) -> bool:
    return not name or bool(re.search(r"\s", name))  # Lambda's Handler setting allows no whitespace


def _is_test(filename: str) -> bool:
    return filename.startswith("test_") or filename.endswith("_test.py") or filename == "conftest.py"


def _normalized(name: str) -> str:
    """A project's or module's name as pip compares them: case and '-', '_', '.' do not matter."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _vendored(folder: Path, names: list[str]) -> set[str]:
    """Modules and packages in `folder` installed by pip (`pip install -t`): named by a *.dist-info or *.egg-info."""
    vendored: set[str] = set()
    for name in names:
        if not name.endswith((".dist-info", ".egg-info")):
            continue
        vendored.add(_normalized(name.rsplit(".", 1)[0].split("-")[0]))  # requests-2.31.0.dist-info: requests
        # The project's name need not be its import name (PyYAML installs yaml): its file lists say which it is.
        for listing in ("top_level.txt", "RECORD"):
            try:
                text = (folder / name / listing).read_text(errors="replace")
            except OSError:
                continue
            for line in text.splitlines():
                top = line.split(",")[0].strip().split("/")[0]
                if top and not top.startswith(".."):
                    vendored.add(_normalized(top.removesuffix(".py")))
    return vendored


def _handlers_in(path: Path, parts: tuple[str, ...], module: str, budget: _Budget) -> list[tuple[tuple, str]]:
    try:
        if not budget.allows("/".join((*parts, path.name)), path.stat().st_size):
            return []
        # Decoded as the import system decodes it (a coding cookie, else UTF-8), so what would not import is skipped.
        source = importlib.util.decode_source(path.read_bytes())
        if not MAY_HOLD_HANDLER.search(source):
            return []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: the user's, not ours to show
            tree = ast.parse(source, filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # unreadable or not valid Python: Lambda's import would say so, with the line
    depth = len(parts)
    if module == "__init__":
        if not parts:
            return []  # a top-level __init__.py is not importable as a module of its own
        parts, module = parts[:-1], parts[-1]
    module_path = "/".join((*parts, module))
    module_rank = PREFERRED_MODULES.index(module) if module in PREFERRED_MODULES else len(PREFERRED_MODULES)
    found = []
    for node in tree.body:
        signature_rank = _signature_rank(node)
        if signature_rank is None:
            continue
        name = node.name if isinstance(node, ast.FunctionDef) else node.targets[0].id  # type: ignore[attr-defined]
        handler = f"{module_path}.{name}"
        if len(handler) > MAX_HANDLER_LENGTH:
            continue
        key = (depth, _name_rank(name), signature_rank, module_rank, module_path, node.lineno)
        found.append((key, handler))
    return found


def _name_rank(name: str) -> int:
    if name in PREFERRED_FUNCTIONS:
        return PREFERRED_FUNCTIONS.index(name)
    if "handler" in name.lower():
        return len(PREFERRED_FUNCTIONS)
    return len(PREFERRED_FUNCTIONS) + (2 if name.startswith("_") else 1)


def _signature_rank(node: ast.stmt) -> int | None:
    """0 for `def f(event, context)`, 1 for `def f(event, context=None)` or `handler = Mangum(app)`; None: no handler."""
    if isinstance(node, ast.Assign):
        # Frameworks hand Lambda a callable object: `handler = Mangum(app)`. Only under a handler's usual name.
        target = node.targets[0] if len(node.targets) == 1 else None
        named = isinstance(target, ast.Name) and target.id in ("lambda_handler", "handler")
        return 1 if named and isinstance(node.value, ast.Call) else None
    if not isinstance(node, ast.FunctionDef):
        return None  # also an async def: Lambda would call it and get a coroutine, not a result
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    required = len(positional) - len(args.defaults)
    if any(default is None for default in args.kw_defaults):
        return None  # a keyword-only parameter without a default: Lambda's call would fail
    if required == 2:
        return 0
    if required < 2 and len(positional) >= 2 and positional[0].arg in EVENT_NAMES:
        return 1
    return None
