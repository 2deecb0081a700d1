"""The Console as the web views, the REST API and the command line use it: real store, real packages, real workers."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from console.config import load_config
from console.core.console import Console
from console.core.functions import FunctionError, FunctionExists, FunctionNotFound
from console.core.samples import sample_folders, zip_folder
from console.engine.sandbox import unsandboxed_reason
from console.resources import samples_dir
from tests.processes import wait_until
from tests.zips import zip_bytes as make_zip


@pytest.fixture
def console(tmp_path: Path):
    with Console(load_config(tmp_path / "data", {"load_samples": False})) as console:
        yield console


def greeter(word: str) -> bytes:
    return make_zip({"app.py": f"def handler(event, context):\n    return '{word} ' + event.get('name', 'nobody')\n"})


def test_create_and_invoke_records_history(console):
    console.create_function("greet", greeter("hello"), "app.handler")
    record = console.invoke("greet", b'{"name": "Ada"}')
    assert record.succeeded and record.payload == b'"hello Ada"'
    assert record.event == '{"name": "Ada"}'
    assert record.source == "console" and record.cold
    assert record.log.splitlines()[0].startswith("START RequestId: ")
    assert console.history.for_function("greet") == [record]
    package = console.packages.get(console.functions.get("greet").package_sha256)
    assert record.code_sha256 == package.code_sha256


def test_new_code_runs_on_the_next_invocation(console):
    console.create_function("greet", greeter("hello"), "app.handler")
    assert console.invoke("greet").payload == b'"hello nobody"'
    assert console.invoke("greet").cold is False  # warm
    console.update_function_code("greet", greeter("goodbye"))
    record = console.invoke("greet")
    assert record.payload == b'"goodbye nobody"'
    assert record.cold


def test_new_configuration_runs_on_the_next_invocation(console):
    code = make_zip({"app.py": "import os\ndef handler(event, context):\n    return os.environ.get('MODE', 'unset')\n"})
    console.create_function("mode", code, "app.handler")
    assert console.invoke("mode").payload == b'"unset"'
    console.update_function_configuration("mode", environment={"MODE": "fast"})
    assert console.invoke("mode").payload == b'"fast"'


def test_published_version_keeps_its_code_and_configuration(console):
    console.create_function("greet", greeter("hello"), "app.handler")
    version = console.publish_version("greet")
    assert version.version == "1"
    console.update_function_code("greet", greeter("goodbye"))
    console.update_function_configuration("greet", timeout=10)
    assert console.invoke("greet", version="1").payload == b'"hello nobody"'
    assert console.invoke("greet").payload == b'"goodbye nobody"'
    assert console.functions.get("greet", "1").timeout == 3
    assert [v.version for v in console.functions.versions("greet")] == ["$LATEST", "1"]
    assert console.publish_version("greet").version == "2"
    assert console.publish_version("greet").version == "2"  # nothing changed since: no new version


TMP_SIZE = make_zip({"app.py": (
    "import os\ndef handler(event, context):\n"
    "    st = os.statvfs('/tmp')\n    return st.f_blocks * st.f_frsize // (1024 * 1024)\n")})


def test_ephemeral_storage_is_kept_per_version_and_sizes_tmp(console):
    assert console.create_function("plain", greeter("hi"), "app.handler").ephemeral_storage == 512
    assert console.create_function("roomy", TMP_SIZE, "app.handler", ephemeral_storage=1024).ephemeral_storage == 1024
    assert console.publish_version("roomy").ephemeral_storage == 1024
    assert console.update_function_configuration("roomy", ephemeral_storage=2048).ephemeral_storage == 2048
    assert console.publish_version("roomy").version == "2"  # a change of size alone is a new version
    assert [v.ephemeral_storage for v in console.list_versions("roomy")] == [2048, 1024, 2048]
    for wrong in (511, 10241, "1024", True, 1024.0):
        with pytest.raises(FunctionError, match="Ephemeral storage .* is not valid: give a whole number of MB") as raised:
            console.update_function_configuration("roomy", ephemeral_storage=wrong)
        assert raised.value.field == "ephemeral_storage"
    assert console.get_function("roomy").ephemeral_storage == 2048
    if unsandboxed_reason() is None:  # the sandbox's /tmp is a tmpfs of that size; unsandboxed, it is the host's
        assert json.loads(console.invoke("roomy").payload) == 2048
        assert json.loads(console.invoke("roomy", version="1").payload) == 1024


def test_rerun_runs_the_same_event_again(console):
    console.create_function("greet", greeter("hello"), "app.handler")
    first = console.invoke("greet", b'{"name": "Grace"}', source="api")
    job = console.rerun(first.id)
    assert job.done.wait(60)
    again = job.record
    assert again.payload == b'"hello Grace"'
    assert again.id != first.id and again.request_id != first.request_id
    assert [entry.id for entry in console.history.for_function("greet")] == [again.id, first.id]


def test_test_button_uses_a_saved_event(console):
    console.create_function("greet", greeter("hi"), "app.handler")
    console.save_event("greet", "ada", '{"name": "Ada"}')
    assert console.test("greet", "ada").payload == b'"hi Ada"'
    assert console.test("greet").payload == b'"hi nobody"'


def test_function_settings_are_checked_with_lambdas_rules(console):
    code = console.upload_package(greeter("x")).sha256
    with pytest.raises(FunctionError, match="use 1 to 64 letters"):
        console.create_function("bad name", code, "app.handler")
    with pytest.raises(FunctionError, match="from 1 to 900"):
        console.create_function("f", code, "app.handler", timeout=901)
    with pytest.raises(FunctionError, match="from 128 to 10240"):
        console.create_function("f", code, "app.handler", memory=64)
    with pytest.raises(FunctionError, match="AWS_REGION"):
        console.create_function("f", code, "app.handler", environment={"AWS_REGION": "eu-west-1"})
    with pytest.raises(FunctionError, match="more than Lambda's 4096"):
        console.create_function("f", code, "app.handler", environment={"BIG": "x" * 4100})
    with pytest.raises(FunctionError, match="start with a letter"):
        console.create_function("f", code, "app.handler", environment={"1X": "y"})
    with pytest.raises(FunctionError, match="not a Python runtime"):
        console.create_function("f", code, "app.handler", runtime="nodejs20.x")
    with pytest.raises(FunctionError, match="without spaces"):
        console.create_function("f", code, "app handler")
    with pytest.raises(FunctionError, match="without spaces"):
        console.create_function("f", code, "app.\x00handler")
    with pytest.raises(FunctionError, match="NUL character"):
        console.create_function("f", code, "app.handler", environment={"KEY": "a\x00b"})
    console.create_function("f", code, "app.handler")
    with pytest.raises(FunctionExists, match="Function already exist: f"):
        console.create_function("f", code, "app.handler")
    assert [f.name for f in console.functions.all()] == ["f"]


def test_a_deprecated_runtime_is_accepted_marked_and_runs_on_the_consoles_python(console):
    import sys

    function = console.create_function("seed", greeter("hi"), "app.handler", runtime="python3.6")
    assert function.runtime == "python3.6"
    assert function.deprecated_since == "2022-07-18"
    record = console.invoke("seed")
    assert record.succeeded
    # Our runtime client needs 3.8: whether or not a python3.6 is installed, the console's own Python runs it.
    own = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert record.ran_on == f"python{own}"
    assert record.interpreter_note.startswith(f"ran on Python {own}; the function's runtime is python3.6")
    assert console.get_invocation(record.id).interpreter_note == record.interpreter_note


def test_runtime_defaults_to_the_local_interpreter(console):
    import sys

    function = console.create_function("local", greeter("hi"), "app.handler")
    assert function.runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"
    choice = console.interpreter_for(function)
    assert choice.interpreter.path == sys.executable and choice.note == ""


def test_deleting_a_function_removes_its_events_versions_and_history(console):
    console.create_function("gone", greeter("hi"), "app.handler")
    console.save_event("gone", "e1", "{}")
    console.invoke("gone")
    console.publish_version("gone")
    console.delete_function("gone")
    with pytest.raises(FunctionNotFound):
        console.functions.get("gone")
    assert console.store.query("SELECT * FROM events") == []
    assert console.store.query("SELECT * FROM invocations") == []
    assert console.store.query("SELECT * FROM versions") == []
    assert console.engine.environments() == []


def test_history_keeps_the_latest_entries_per_function(tmp_path):
    config = load_config(tmp_path / "data", {"load_samples": False, "history_keep": 3})
    with Console(config) as console:
        console.create_function("counted", greeter("hi"), "app.handler")
        console.create_function("other", greeter("hi"), "app.handler")
        console.invoke("other")
        ids = [console.invoke("counted", json.dumps({"name": str(n)}).encode()).id for n in range(5)]
        assert [entry.id for entry in console.history.for_function("counted")] == ids[:-4:-1]
        assert len(console.history.for_function("other")) == 1


def test_history_caps_a_long_log_with_a_marker(tmp_path):
    config = load_config(tmp_path / "data", {"load_samples": False, "history_log_bytes": 4096})
    with Console(config) as console:
        code = make_zip({"app.py": "def handler(event, context):\n    print('x' * 100_000)\n    print('the end')\n"})
        console.create_function("loud", code, "app.handler")
        record = console.invoke("loud")
        assert "[log cut:" in record.log
        assert record.log.rstrip().splitlines()[-1].startswith("REPORT RequestId:")  # the tail is kept
        assert len(record.log.encode()) < 4096 + 200


def test_first_run_loads_every_sample_with_a_working_event(tmp_path):
    with Console(load_config(tmp_path / "data")) as console:
        names = [f.name for f in console.functions.all()]
        assert names == sorted(folder.name for folder in sample_folders(samples_dir()))
        assert "hello_python" in names
        hello = console.events.for_function("hello_python")
        assert json.loads(hello[0].body) == {"first_name": "Ada", "last_name": "Lovelace"}
        assert console.test("hello_python", hello[0].name).payload == b'{"message": "Hello Ada Lovelace!"}'
        for name in names:
            events = console.events.for_function(name)
            assert events, f"sample {name} has no saved event"
            outcomes = {event.name: console.test(name, event.name).status_text for event in events}
            assert "succeeded" in outcomes.values(), f"no event of {name} succeeds: {outcomes}"


def test_samples_are_loaded_once(tmp_path):
    config = load_config(tmp_path / "data")
    with Console(config) as console:
        console.delete_function("hello_python")
    with Console(config) as console:
        assert not console.functions.exists("hello_python")


def test_sample_zips_do_not_depend_on_file_times_or_compiled_caches(tmp_path):
    """The same sample always makes the same zip, so a restart finds its package already stored."""
    folder = samples_dir() / "hello_python"
    copy = Path(shutil.copytree(folder, tmp_path / "hello_python", ignore=shutil.ignore_patterns("__pycache__")))
    os.utime(copy / "hello_python.py", (1_000_000_000, 1_000_000_000))
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "hello_python.cpython-312.pyc").write_bytes(b"compiled")
    assert zip_folder(copy) == zip_folder(folder)
    with zipfile.ZipFile(io.BytesIO(zip_folder(copy))) as archive:
        assert archive.namelist() == ["hello_python.py"]
        assert archive.read("hello_python.py") == (folder / "hello_python.py").read_bytes()


def test_summary_shows_each_function_last_result(console):
    console.create_function("ok", greeter("hi"), "app.handler")
    console.create_function("never", greeter("hi"), "app.handler")
    console.invoke("ok")
    rows = {row.function.name: row for row in console.summary()}
    assert rows["ok"].last_status == "succeeded"
    assert rows["never"].last_status is None and rows["never"].last_at is None


def test_a_job_runs_in_the_background_and_can_be_cancelled(console):
    code = make_zip({"app.py": "import time\ndef handler(event, context):\n    time.sleep(event['s'])\n    return 'done'\n"})
    console.create_function("slow", code, "app.handler", timeout=30)
    job = console.jobs.start("slow", b'{"s": 0}')
    assert job.done.wait(60)
    assert job.record.payload == b'"done"' and job.attempts == 1
    long = console.jobs.start("slow", b'{"s": 20}')
    assert long.running and console.jobs.get(long.id) is long
    wait_until(lambda: any(e.busy for e in console.engine.environments()), "the long job's environment busy")
    assert console.jobs.cancel(long.id)
    assert long.done.wait(60)
    assert not long.record.succeeded and "cancelled" in long.record.log
    assert console.history.for_function("slow")[0].request_id == long.request_id


def test_an_event_job_retries_twice_after_a_function_error(tmp_path):
    config = load_config(tmp_path / "data", {"load_samples": False, "event_retry_delay": 0.05})
    with Console(config) as console:
        console.create_function("flaky", make_zip({"app.py": "def handler(e, c):\n    raise RuntimeError('no')\n"}),
                                "app.handler")
        job = console.jobs.start("flaky", b"{}", source="event", retries=2)
        assert job.done.wait(60)
        assert job.attempts == 3
        entries = console.history.for_function("flaky")
        assert [(e.source, e.error_type) for e in entries] == [("event", "RuntimeError")] * 3
        assert len({e.request_id for e in entries}) == 3


def test_a_job_for_a_missing_function_says_why(console):
    job = console.jobs.start("missing", b"{}")
    assert job.done.wait(60)
    assert job.record is None and "Function not found: missing" in job.error
