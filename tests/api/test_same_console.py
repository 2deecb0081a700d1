"""The REST API and the web console are two doors to one Console: a function made through either is seen at once."""

from __future__ import annotations

import base64
import json

from console import get_console
from tests.api.conftest import HELLO_ZIP, ROLE

HELLO = {"first_name": "Ada", "last_name": "Lovelace"}


def api_create(client, name: str) -> dict:
    body = {"FunctionName": name, "Role": ROLE, "Handler": "hello_python.my_handler", "Runtime": "python3.6",
            "Timeout": 15, "MemorySize": 512, "Code": {"ZipFile": base64.b64encode(HELLO_ZIP).decode()}}
    # As botocore sends it: JSON without a Content-Type the browser forms would use.
    answer = client.post("/2015-03-31/functions", data=json.dumps(body))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def test_a_function_created_through_the_api_is_the_consoles_at_once(app, client) -> None:
    api_create(client, "HelloPython")
    with app.app_context():
        console = get_console()
        function = console.functions.get("HelloPython")
        assert (function.handler, function.runtime, function.timeout, function.memory) == (
            "hello_python.my_handler", "python3.6", 15, 512)
        assert "HelloPython" in [f.name for f in console.functions.all()]
        # The Test button runs it.
        record = console.invoke("HelloPython", json.dumps(HELLO))
        assert record.payload == b'{"message": "Hello Ada Lovelace!"}'


def test_a_function_created_in_the_console_is_the_apis_at_once(app, client) -> None:
    with app.app_context():
        get_console().create_function("from_console", HELLO_ZIP, "hello_python.my_handler", memory=256)
    answer = client.get("/2015-03-31/functions/from_console/configuration")
    assert answer.status_code == 200
    assert answer.get_json()["MemorySize"] == 256
    invoked = client.post("/2015-03-31/functions/from_console/invocations", data=json.dumps(HELLO))
    assert (invoked.status_code, invoked.data) == (200, b'{"message": "Hello Ada Lovelace!"}')
    with app.app_context():
        assert [r.source for r in get_console().history.for_function("from_console")] == ["api"]


def test_changes_and_deletion_through_the_api_reach_the_console(app, client) -> None:
    api_create(client, "changing")
    answer = client.put("/2015-03-31/functions/changing/configuration", data=json.dumps({"Timeout": 42}))
    assert answer.status_code == 200
    with app.app_context():
        assert get_console().functions.get("changing").timeout == 42
    assert client.delete("/2015-03-31/functions/changing").status_code == 204
    with app.app_context():
        assert not get_console().functions.exists("changing")
