"""The pages, the REST API and the command line apply one rule each, the Console's, and so give the same answer:
an event holding NaN is refused, a published version keeps its own Role, a zip of a folder is pointed out, and a
CreateFunction that fails part way leaves no function behind."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from console import EXTENSION
from tests.api.conftest import HELLO_ZIP, ROLE, unique, zip_bytes

NAN_EVENT = b'{"a": NaN}'
OTHER_ROLE = ROLE.replace("lambda_basic_execution", "other_role")
HTMX = {"HX-Request": "true"}
WRAPPED_ZIP_FILES = {"hello/hello_python.py": "def my_handler(event, context):\n    return 1\n"}


def api_error(call, **params) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Message"]


# -- NaN in an event ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("invocation_type", ["RequestResponse", "Event", "DryRun"])
def test_the_api_refuses_nan_in_an_event_as_lambda_does(lam, history, invocation_type: str) -> None:
    code, status, message = api_error(
        lam.invoke, FunctionName="hello_python", Payload=NAN_EVENT, InvocationType=invocation_type
    )
    assert (code, status) == ("InvalidRequestContentException", 400)
    assert message.startswith("Could not parse request body into json: Could not parse payload into json: ")
    assert "line 1, column 7: NaN is not a JSON value" in message
    assert not [row for row in history.rows("hello_python") if "NaN" in row["event"]]


def test_the_test_tab_refuses_nan_in_an_event(client) -> None:
    response = client.post("/functions/hello_python/test", data={"event_json": NAN_EVENT.decode()}, headers=HTMX)
    assert response.status_code == 422
    assert "line 1, column 7: NaN is not a JSON value" in response.get_data(as_text=True)


def test_the_command_line_refuses_nan_in_an_event(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data"), "test", "hello_python",
         "--event-file", "-"],
        input=NAN_EVENT, capture_output=True, timeout=120, check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == b""
    assert "line 1, column 7: NaN is not a JSON value" in proc.stderr.decode()


# -- a published version's Role -----------------------------------------------------------------------------------


def test_a_published_version_shows_the_role_it_was_published_with(lam, create) -> None:
    name = create(Publish=True)["FunctionName"]
    lam.update_function_configuration(FunctionName=name, Role=OTHER_ROLE)
    assert lam.get_function_configuration(FunctionName=name, Qualifier="1")["Role"] == ROLE
    assert lam.get_function(FunctionName=f"{name}:1")["Configuration"]["Role"] == ROLE
    assert lam.get_function_configuration(FunctionName=name)["Role"] == OTHER_ROLE
    roles = {v["Version"]: v["Role"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]}
    assert roles == {"$LATEST": OTHER_ROLE, "1": ROLE}
    assert lam.publish_version(FunctionName=name)["Role"] == OTHER_ROLE


# -- a zip of a folder --------------------------------------------------------------------------------------------


def test_the_api_stores_a_zipped_folder_as_lambda_does_and_says_what_to_do(lam, create) -> None:
    answer = create(zip_bytes(WRAPPED_ZIP_FILES), "hello_python.my_handler")
    warning = answer["ResponseMetadata"]["HTTPHeaders"]["x-lambda-console-warning"]
    assert "Every file in the package is inside the folder 'hello/'" in warning
    assert "zip the folder's contents, not the folder" in warning
    name = answer["FunctionName"]
    assert lam.get_function(FunctionName=name)["Configuration"]["Handler"] == "hello_python.my_handler"
    # New code that is a zipped folder too is pointed out; code with the files at the top is not.
    again = lam.update_function_code(FunctionName=name, ZipFile=zip_bytes(WRAPPED_ZIP_FILES))
    assert "zip the folder's contents" in again["ResponseMetadata"]["HTTPHeaders"]["x-lambda-console-warning"]
    fixed = lam.update_function_code(FunctionName=name, ZipFile=HELLO_ZIP)
    assert "x-lambda-console-warning" not in fixed["ResponseMetadata"]["HTTPHeaders"]


def test_a_handler_that_names_the_folder_gets_no_warning(create) -> None:
    answer = create(zip_bytes(WRAPPED_ZIP_FILES), "hello/hello_python.my_handler")
    assert "x-lambda-console-warning" not in answer["ResponseMetadata"]["HTTPHeaders"]


def test_the_pages_refuse_a_zipped_folder_with_the_same_words(client) -> None:
    response = client.post("/functions/new", data={
        "package_file": (io.BytesIO(zip_bytes(WRAPPED_ZIP_FILES)), "wrapped.zip"), "name": "wrapped",
        "handler": "hello_python.my_handler"})
    assert response.status_code == 422
    assert "Every file in the package is inside the folder &#39;hello/&#39;" in response.get_data(as_text=True)


def test_the_command_line_says_what_to_do_with_a_zipped_folder(tmp_path: Path) -> None:
    package = tmp_path / "wrapped.zip"
    package.write_bytes(zip_bytes(WRAPPED_ZIP_FILES))
    proc = subprocess.run(
        [sys.executable, "-m", "console", "invoke", str(package), "--handler", "hello_python.my_handler"],
        capture_output=True, timeout=120, check=False,
    )
    assert proc.returncode == 1
    assert "zip the folder's contents, not the folder" in proc.stderr.decode().splitlines()[-1]


# -- CreateFunction in one transaction ----------------------------------------------------------------------------


def test_a_create_function_that_fails_part_way_leaves_no_function(app, client) -> None:
    """Publishing version 1 fails (the database refuses the version's row): the function is not half made."""
    console = app.extensions[EXTENSION]
    with console.store.write() as conn:
        conn.execute("CREATE TRIGGER refuse_versions BEFORE INSERT ON versions "
                     "BEGIN SELECT RAISE(ABORT, 'versions refused'); END")
    name = unique("half")
    body = {"FunctionName": name, "Role": OTHER_ROLE, "Handler": "hello_python.my_handler", "Publish": True,
            "Code": {"ZipFile": base64.b64encode(HELLO_ZIP).decode()}}
    answer = client.post("/2015-03-31/functions", data=json.dumps(body))
    assert answer.status_code == 400
    assert "versions refused" in answer.get_json()["message"]
    assert client.get(f"/2015-03-31/functions/{name}").status_code == 404
    assert client.get(f"/functions/{name}").status_code == 404
    # Without the failure the same request makes the function, its role and version 1 together.
    with console.store.write() as conn:
        conn.execute("DROP TRIGGER refuse_versions")
    answer = client.post("/2015-03-31/functions", data=json.dumps(body))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert (answer.get_json()["Version"], answer.get_json()["Role"]) == ("1", OTHER_ROLE)
