"""What remotes cost the pages, each figure beside a baseline measured in the same run.

    python benchmarks/remote_pages.py            # the full run (about half a minute)
    python benchmarks/remote_pages.py --quick    # fewer rounds

It starts a `lambda-console serve` of its own as the remote (with 100 functions more than its samples: three pages of
ListFunctions), and a console in this process (Flask's test client) that has it as a remote, then prints medians of:
  - the function list (`/`) with no remote, beside the same list with two remotes, one of them unreachable (a closed
    port). Goal: the remotes add nothing that matters (<= 1.2 x), since their functions load after the page;
  - a remote's functions as the list loads them (`/remotes/NAME/functions`), beside boto3 paginating ListFunctions on the same remote:
    the page's own cost over the remote's;
  - Test on the remote through the page (POST, then the result), beside boto3's Invoke with LogType Tail of the same
    function with the same event.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import lambda_client, start_server, stop_server

EXTRA_FUNCTIONS = 100
LIST_FACTOR_GOAL = 1.2
EVENT = '{"first_name": "Ada", "last_name": "Lovelace"}'
HTMX = {"HX-Request": "true"}


def median_ms(call: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--check", action="store_true", help="exit 1 when the list's goal is missed")
    args = parser.parse_args()
    rounds = 10 if args.quick else 40

    # The console's remote clients sign with the environment's keys (the remote here runs without --auth).
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    from console import EXTENSION, create_app
    from tests.zips import zip_bytes

    with tempfile.TemporaryDirectory() as folder:
        process, url = start_server(Path(folder) / "remote")
        app = None
        try:
            remote = lambda_client(url)
            code = zip_bytes({"app.py": "def handler(event, context):\n    return event\n"})
            for number in range(EXTRA_FUNCTIONS):
                remote.create_function(FunctionName=f"echo-{number:03}", Runtime="python3.12", Handler="app.handler",
                                       Role="arn:aws:iam::123456789012:role/bench", Code={"ZipFile": code})
            app = create_app({"TESTING": True, "DATA_DIR": Path(folder) / "local"})
            client = app.test_client()

            def index() -> None:
                assert client.get("/").status_code == 200

            index()
            alone = median_ms(index, rounds)
            console = app.extensions[EXTENSION]
            console.add_remote("bench", endpoint_url=url)
            console.add_remote("gone", endpoint_url=f"http://127.0.0.1:{closed_port()}")
            with_remotes = median_ms(index, rounds)

            def fragment() -> None:
                html = client.get("/remotes/gone/functions", headers=HTMX).get_data(as_text=True)
                assert "cannot reach" in html

            def paginate() -> None:
                listed = [f for page in remote.get_paginator("list_functions").paginate() for f in page["Functions"]]
                assert len(listed) > EXTRA_FUNCTIONS

            console.remove_remote("gone")  # the unreachable one's retries would swamp the comparison
            fragment_ms = median_ms(lambda: client.get("/remotes/bench/functions", headers=HTMX), rounds)
            paginate_ms = median_ms(paginate, rounds)

            def page_test() -> None:
                answer = client.post("/remotes/bench/functions/hello_python/test", data={"event_json": EVENT},
                                     headers=HTMX).get_data(as_text=True)
                assert "Executing function: succeeded" in answer, answer[:300]

            def boto_test() -> None:
                answer = remote.invoke(FunctionName="hello_python", Payload=EVENT.encode(), LogType="Tail")
                assert answer["Payload"].read() == b'{"message": "Hello Ada Lovelace!"}'

            page_test()
            test_ms = median_ms(page_test, rounds)
            invoke_ms = median_ms(boto_test, rounds)
            with_gone = f"http://127.0.0.1:{closed_port()}"
            console.add_remote("gone", endpoint_url=with_gone)
            gone_fragment_ms = median_ms(fragment, max(3, rounds // 10))
        finally:
            if app is not None:
                app.extensions[EXTENSION].close()
            stop_server(process)

    factor = with_remotes / alone
    print(f"function list (/): {alone:.1f} ms with no remote; {with_remotes:.1f} ms with two remotes, one unreachable "
          f"({factor:.2f} x; goal <= {LIST_FACTOR_GOAL} x)")
    print(f"a remote's functions ({EXTRA_FUNCTIONS}+ functions, 3 pages): {fragment_ms:.1f} ms; boto3 "
          f"paginating ListFunctions: {paginate_ms:.1f} ms ({fragment_ms - paginate_ms:+.1f} ms the page's own)")
    print(f"an unreachable remote's: {gone_fragment_ms:.1f} ms (its connection retried, then the notice; the other "
          "remotes' load beside it)")
    print(f"Test on the remote through the page: {test_ms:.1f} ms; boto3 Invoke with LogType Tail: {invoke_ms:.1f} ms "
          f"({test_ms - invoke_ms:+.1f} ms the page's own)")
    return 1 if args.check and factor > LIST_FACTOR_GOAL else 0


if __name__ == "__main__":
    sys.exit(main())
