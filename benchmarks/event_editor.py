"""What the Test tab's event editor costs a page, in headless Chromium against a real `lambda-console serve`.

    python benchmarks/event_editor.py            # prints the figures beside their baselines and goals
    python benchmarks/event_editor.py --check    # ... and exits 1 when a goal is missed

From one run, on the function page of hello_python:
  - the editor's bundle: its size as served, and gzipped (what a server that compresses would send);
  - the page from navigation start to the editor attached (its line numbers on screen), the median of 15 loads with
    the browser's cache warm, as a person returning to the page has it, beside the baseline: the same page with the
    bundle's request refused, where the textarea is the editor. Goal: the editor adds <= 60 ms;
  - the same on a first visit (a new browser context each time, nothing cached), beside its baseline;
  - Format of a 2,000-line event: from the click to the formatted text painted, through the editor, beside the
    baseline through the textarea. Goal: <= 100 ms.
This is a benchmark, not a test: it reports, and only fails (with --check) when asked to.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from server import CHROMIUM, CHROMIUM_ARGS

from console.web.rendering import CODEMIRROR_VERSION
from tests.conftest import LiveServer

PAGE = "/functions/hello_python"
ADDED_GOAL_MS = 60.0
FORMAT_GOAL_MS = 100.0

# From navigation start to the moment the event's editor is usable (CodeMirror's line numbers painted, or the plain
# textarea once the page has loaded): recorded by the page itself, from its first frame on.
READY = """
(() => {
  function ready() {
    const gutter = document.querySelector(".cm-lineNumbers .cm-gutterElement");
    const textarea = document.getElementById("event_json");
    return gutter || (document.readyState === "complete" && textarea && !textarea.hidden);
  }
  function check() {
    if (ready()) window.editorReady = performance.now();
    else requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
})();
"""
# Fill the event with a long JSON text on one line, then time Format from the click to the next painted frame.
FORMAT = """
(text) => new Promise((resolve) => {
  const textarea = document.getElementById("event_json");
  if (textarea.lambdaConsoleEditor) textarea.lambdaConsoleEditor.setText(text); else textarea.value = text;
  requestAnimationFrame(() => {
    const start = performance.now();
    document.querySelector("[data-format]").click();
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - start), 0));
  });
})
"""


def long_event(lines: int) -> str:
    return json.dumps({"records": [{"id": n, "name": f"record {n}"} for n in range(lines // 4)]})


def new_context(browser, block_editor: bool):
    """A browser context that times the editor's readiness; the baseline refuses the editor's bundle."""
    context = browser.new_context()
    context.add_init_script(READY)
    if block_editor:
        context.route("**/codemirror-*.min.js*", lambda route: route.abort())
    return context


def load_times(browser, url: str, block_editor: bool, loads: int, cold: bool) -> list[float]:
    times = []
    context = None
    for number in range(loads + (0 if cold else 1)):
        if context is None or cold:
            if context is not None:
                context.close()
            context = new_context(browser, block_editor)
        page = context.new_page()
        page.goto(url + PAGE)
        ready = page.wait_for_function("window.editorReady").json_value()
        if cold or number > 0:  # warm: the first load fills the cache and is not counted
            times.append(ready)
        page.close()
    assert context is not None
    context.close()
    return times


def format_times(browser, url: str, block_editor: bool, runs: int, text: str) -> list[float]:
    context = new_context(browser, block_editor)
    page = context.new_page()
    page.goto(url + PAGE)
    page.wait_for_function("window.editorReady")
    times = [page.evaluate(FORMAT, text) for _ in range(runs)]
    attached = page.evaluate("!!document.getElementById('event_json').lambdaConsoleEditor")
    assert attached != block_editor, "the editor was attached where it should not be, or not where it should"
    context.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure misses its goal")
    parser.add_argument("--loads", type=int, default=15)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    bundle = (REPO / "static" / f"codemirror-{CODEMIRROR_VERSION}.min.js").read_bytes()
    text = long_event(2000)
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder) / "data")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # Interleaved, so that both see the same machine.
                warm_editor, warm_plain, cold_editor, cold_plain = [], [], [], []
                for _ in range(3):
                    warm_editor += load_times(browser, server.url, False, args.loads // 3, cold=False)
                    warm_plain += load_times(browser, server.url, True, args.loads // 3, cold=False)
                    cold_editor += load_times(browser, server.url, False, args.loads // 3, cold=True)
                    cold_plain += load_times(browser, server.url, True, args.loads // 3, cold=True)
                format_editor = format_times(browser, server.url, False, 9, text)
                format_plain = format_times(browser, server.url, True, 9, text)
                browser.close()
        finally:
            server.stop()

    median = statistics.median
    added = median(warm_editor) - median(warm_plain)
    print(f"Bundle codemirror-{CODEMIRROR_VERSION}.min.js: {len(bundle) / 1000:.0f} kB as served, "
          f"{len(gzip.compress(bundle)) / 1000:.0f} kB gzipped")
    print(f"Function page to editor ready, cache warm (median of {len(warm_editor)}): {median(warm_editor):6.1f} ms"
          f"   baseline, textarea only: {median(warm_plain):6.1f} ms   added {added:+.1f} ms"
          f"   goal <= {ADDED_GOAL_MS:.0f} ms added")
    print(f"Function page to editor ready, first visit (median of {len(cold_editor)}): {median(cold_editor):6.1f} ms"
          f"   baseline, textarea only: {median(cold_plain):6.1f} ms"
          f"   added {median(cold_editor) - median(cold_plain):+.1f} ms")
    lines = len(json.dumps(json.loads(text), indent=2).splitlines())
    print(f"Format of a {lines}-line event, click to painted (median of {len(format_editor)}): "
          f"{median(format_editor):6.1f} ms   baseline, textarea: {median(format_plain):6.1f} ms"
          f"   goal <= {FORMAT_GOAL_MS:.0f} ms")
    missed = added > ADDED_GOAL_MS or median(format_editor) > FORMAT_GOAL_MS
    print("Goals: missed" if missed else "Goals: met")
    return 1 if (args.check and missed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
