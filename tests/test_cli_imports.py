"""The command line is quick because it loads only what it runs: no web stack for `invoke` or `import console`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"
WEB_STACK = ("flask", "werkzeug", "jinja2", "waitress")

# Runs the command line in-process, then writes the top-level modules that were loaded to the file argv[1] names
# (at exit, after main()'s sys.exit).
PROBE = """
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(sorted({m.split(".")[0] for m in sys.modules}))))
from console.cli import main
sys.argv[0] = "lambda-console"
main()
"""


def loaded_by(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", PROBE, str(out), *args], capture_output=True, timeout=120,
                          check=False, cwd=tmp_path)
    return proc, set(json.loads(out.read_text()))


def test_importing_console_loads_no_web_stack():
    proc = subprocess.run(
        [sys.executable, "-c", ("import sys, console, console.cli, console.config; "
                                f"print([m for m in sys.modules if m.split('.')[0] in {WEB_STACK!r}])")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    assert proc.stdout.strip() == "[]"


def test_the_web_names_still_load_from_console_on_demand():
    proc = subprocess.run([sys.executable, "-c", "import console; print(console.create_app.__module__)"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert proc.stdout.strip() == "console.app"


def test_invoke_runs_the_handler_without_the_web_stack_or_boto3(tmp_path, make_zip):
    package = make_zip(HANDLERS / "hello_python")
    event = HANDLERS / "hello_python.events" / "ada-lovelace.json"
    proc, modules = loaded_by(tmp_path, "invoke", str(package), "--handler", "hello_python.my_handler",
                              "--event", str(event))
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b'{"message": "Hello Ada Lovelace!"}\n'
    assert modules.isdisjoint(WEB_STACK), sorted(modules & set(WEB_STACK))
    assert "boto3" not in modules and "botocore" not in modules
    assert "yaml" not in modules  # read only for --template


def test_serve_help_loads_no_web_stack(tmp_path):
    # serve imports the web stack when it runs, not when the command line is built.
    proc, modules = loaded_by(tmp_path, "serve", "--help")
    assert proc.returncode == 0
    assert modules.isdisjoint(WEB_STACK)


def test_the_stored_function_commands_load_no_web_stack(tmp_path):
    proc, modules = loaded_by(tmp_path, "--data-dir", str(tmp_path / "data"), "test", "hello_python",
                              "--event", "ada-lovelace")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout == b'{"message": "Hello Ada Lovelace!"}\n'
    assert modules.isdisjoint(WEB_STACK), sorted(modules & set(WEB_STACK))
