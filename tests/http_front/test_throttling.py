"""Past the engine's limits (one environment, one waiting), a function URL answers 429 as Lambda throttles it."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.http_front.conftest import ROLE, boto3_client, fetch
from tests.zips import zip_bytes

SLOW = '''
import time

def handler(event, context):
    time.sleep(3)
    return "done"
'''


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("small") / "data", args=("--api-port", "0"),
                      env={"LAMBDA_CONSOLE_MAX_ENVIRONMENTS": "1", "LAMBDA_CONSOLE_MAX_QUEUE": "1"})
    yield live
    live.stop()


def test_requests_past_the_engines_limits_answer_429(small_server: LiveServer) -> None:
    lam = boto3_client(small_server.url)
    name = f"slow-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="slow.handler", Timeout=10,
                        Code={"ZipFile": zip_bytes({"slow.py": SLOW})})
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    answers: list = []
    threads = [threading.Thread(target=lambda: answers.append(fetch(small_server, url))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200, 200, 429]
    throttled = next(answer for answer in answers if answer.status == 429)
    assert json.loads(throttled.body) == {"Message": "Rate Exceeded."}
    lam.close()
