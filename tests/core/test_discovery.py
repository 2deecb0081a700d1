"""Handler suggestions for an unpacked package, and the zipped-folder mistake, as the console shows them."""

from __future__ import annotations

from pathlib import Path

from console.core.discovery import MAX_HANDLERS, Discovery, discover

HANDLER = "def {name}(event, context):\n    return {{'ok': True}}\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def test_top_level_functions_taking_event_and_context_are_suggested(tmp_path):
    code = write(
        tmp_path,
        {
            "lambda_function.py": HANDLER.format(name="lambda_handler"),
            "utils.py": (
                "def merge(a, b):\n    return {**a, **b}\n\n"
                "def one(event):\n    return event\n\n"
                "async def waits(event, context):\n    return 1\n\n"
                "def three(a, b, c):\n    return a\n\n"
                "def keyword_only(event, context, *, strict):\n    return event\n\n"
                "class Handler:\n    def handle(self, event):\n        return event\n\n"
                "def outer(event, context):\n    def inner(event, context):\n        return 1\n    return inner\n"
            ),
        },
    )
    found = discover(code)
    assert found.handlers == ("lambda_function.lambda_handler", "utils.merge", "utils.outer")
    assert found.folder_mistake is None and found.folder is None


def test_extra_parameters_with_defaults_are_allowed(tmp_path):
    code = write(
        tmp_path,
        {
            "app.py": (
                "def handler(event, context=None):\n    return 1\n\n"
                "def process(event, context, retries=3, *args, verbose=False, **kwargs):\n    return 1\n\n"
                "def helper(value, default=None):\n    return value\n"
            ),
        },
    )
    assert discover(code).handlers == ("app.handler", "app.process")


def test_files_in_folders_are_named_with_a_slash_after_top_level_ones(tmp_path):
    code = write(
        tmp_path,
        {
            "src/app.py": HANDLER.format(name="lambda_handler"),
            "src/jobs/nightly.py": HANDLER.format(name="run"),
            "mypackage/__init__.py": HANDLER.format(name="handler"),
            "worker.py": HANDLER.format(name="process"),
        },
    )
    assert discover(code).handlers == (
        "worker.process",
        "src/app.lambda_handler",
        "mypackage.handler",
        "src/jobs/nightly.run",
    )


def test_the_usual_handler_names_come_first(tmp_path):
    code = write(
        tmp_path,
        {
            "a.py": HANDLER.format(name="process"),
            "b.py": HANDLER.format(name="main"),
            "c.py": HANDLER.format(name="on_s3_event_handler"),
            "d.py": HANDLER.format(name="handler") + HANDLER.format(name="_private"),
            "e.py": HANDLER.format(name="lambda_handler"),
            "app.py": "from mangum import Mangum\nfrom api import app\n\nhandler = Mangum(app)\n",
        },
    )
    assert discover(code).handlers == (
        "e.lambda_handler",
        "d.handler",
        "app.handler",
        "b.main",
        "c.on_s3_event_handler",
        "a.process",
        "d._private",
    )


def test_vendored_dependencies_tests_and_caches_are_not_read(tmp_path):
    code = write(
        tmp_path,
        {
            "app.py": HANDLER.format(name="lambda_handler"),
            # pip install -t: each installed project leaves a *.dist-info or *.egg-info beside it.
            "requests/__init__.py": HANDLER.format(name="request"),
            "requests-2.31.0.dist-info/METADATA": "Name: requests\n",
            "yaml/__init__.py": HANDLER.format(name="load"),  # PyYAML imports as yaml: RECORD says so
            "PyYAML-6.0.1.dist-info/RECORD": "yaml/__init__.py,sha256=x,10\n_yaml/__init__.py,sha256=y,10\n",
            "_yaml/__init__.py": HANDLER.format(name="load"),
            "six.py": HANDLER.format(name="with_metaclass"),
            "six-1.16.0.dist-info/top_level.txt": "six\n",
            "old_lib/__init__.py": HANDLER.format(name="call"),
            "old_lib.egg-info/top_level.txt": "old_lib\n",
            "tests/test_app.py": HANDLER.format(name="check"),
            "test_app.py": HANDLER.format(name="test_handler"),
            "conftest.py": HANDLER.format(name="fixture"),
            "__pycache__/app.py": HANDLER.format(name="cached"),
            ".venv/lib/thing.py": HANDLER.format(name="hidden"),
        },
    )
    assert discover(code).handlers == ("app.lambda_handler",)


def test_files_that_do_not_parse_are_skipped(tmp_path):
    code = write(
        tmp_path,
        {
            "broken.py": "def handler(event, context)\n    return 1\n",
            "binary.py": b"\x00\x01\x02\xff\xfe",
            "latin1.py": "# caf\xe9\n".encode("latin-1") + HANDLER.format(name="wrong_encoding").encode(),
            "deep.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
            "good.py": HANDLER.format(name="handler"),
            "bad-name.v2.py": HANDLER.format(name="handler"),  # a dot: Lambda would read 'bad-name' as a package
        },
    )
    assert discover(code).handlers == ("good.handler",)


def test_the_suggestions_are_capped(tmp_path):
    code = write(tmp_path, {"many.py": "".join(HANDLER.format(name=f"step{n}") for n in range(100))})
    handlers = discover(code).handlers
    assert len(handlers) == MAX_HANDLERS and handlers[0] == "many.step0"


def test_an_empty_package_suggests_nothing(tmp_path):
    assert discover(tmp_path) == Discovery(handlers=(), folder_mistake=None)


# -- the zipped-folder mistake --------------------------------------------------------------------------------------


def test_a_package_whose_files_are_all_in_one_folder_gets_told_how_to_zip_it(tmp_path):
    code = write(
        tmp_path,
        {
            "hello/hello_python.py": HANDLER.format(name="my_handler"),
            "hello/lib/util.py": "def helper(a, b):\n    return a\n",
            "__MACOSX/hello/._hello_python.py": b"\x00\x05\x16\x07",
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
        },
    )
    found = discover(code)
    assert found.folder_mistake == (
        "Every file in the package is inside the folder 'hello/'. Lambda looks for your code at the top of the zip: "
        "zip the folder's contents, not the folder (cd hello && zip -r ../package.zip .). "
        "With the files at the top, the handler would be hello_python.my_handler."
    )
    assert found.folder == "hello"
    assert found.handlers == ("hello/hello_python.my_handler", "hello/lib/util.helper")
    assert found.unwrapped_handlers == ("hello_python.my_handler", "lib/util.helper")


def test_a_folder_name_with_spaces_is_quoted_for_the_shell(tmp_path):
    code = write(tmp_path, {"My Function/app.py": HANDLER.format(name="handler")})
    found = discover(code)
    assert found.folder_mistake == (
        "Every file in the package is inside the folder 'My Function/'. Lambda looks for your code at the top of the "
        "zip: zip the folder's contents, not the folder (cd 'My Function' && zip -r ../package.zip .). "
        "With the files at the top, the handler would be app.handler."
    )
    assert found.handlers == ()  # Lambda's Handler setting cannot hold the space


def test_one_folder_without_handlers_still_gets_the_message(tmp_path):
    found = discover(write(tmp_path, {"site/index.html": "<p>hi</p>"}))
    assert found.folder_mistake == (
        "Every file in the package is inside the folder 'site/'. Lambda looks for your code at the top of the zip: "
        "zip the folder's contents, not the folder (cd site && zip -r ../package.zip .)."
    )


def test_one_regular_python_package_is_a_layout_not_a_mistake(tmp_path):
    # `myapp.handlers.main` imports myapp/handlers.py: a package zipped on its own is a layout Lambda runs.
    code = write(tmp_path, {"myapp/__init__.py": "", "myapp/handlers.py": HANDLER.format(name="main")})
    found = discover(code)
    assert found.folder_mistake is None
    assert found.folder == "myapp"
    assert found.handlers == ("myapp/handlers.main",)


def test_files_beside_the_folder_mean_no_mistake(tmp_path):
    code = write(tmp_path, {"app.py": HANDLER.format(name="handler"), "lib/util.py": "X = 1\n"})
    found = discover(code)
    assert found.folder_mistake is None and found.folder is None
