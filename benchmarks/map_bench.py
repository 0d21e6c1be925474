"""The map as a user meets it: ``python -m benchmarks.map_bench LIBRARY [--runs 3] [--timeout 120]``.

For each page (by default graphkit's, as ``graphkit view`` writes it in this checkout, and
pyvis's defaults), in the same run and side by side:

- ``graphkit view`` (or the page's own command) as a whole process: wall time and peak
  resident memory (``wait4``'s rusage: the largest of the process and its workers);
- the page's size;
- in headless Chromium (offline, a fresh browser context per run): navigation to the first
  drawn frame (``window.gkFirstDraw``); the longest frame while zooming with the mouse wheel
  and dragging (gaps between ``requestAnimationFrame`` timestamps until the last input event),
  and the longest after it, until the map rests (a page may leave links out while it moves);
  choosing a pattern (a typical one, then the biggest hub: its title typed into ``#gk-search``,
  Enter, until ``#gk-details`` is shown with new content and the next frame is drawn); turning a relation
  off and on again (a click on ``#gk-relations input[data-relation]`` until the next frame);
  the tab's memory: JS heap (DevTools protocol); the renderer's private memory, the figure
  Chrome's task manager shows as its memory footprint (``RssAnon``, sampled after each step,
  the largest kept); and its peak RSS (``VmHWM``), which also counts Chromium's own code and
  the canvas buffers it shares with the GPU process (about 250 MB for a page of 37 patterns).

Those hooks are the only coupling to a page, so the same measurement runs on today's
vis-network page and on any page that keeps them. A page without them (pyvis) gets its first
draw and frames measured, the rest "n/a"; a page that does not draw within ``--timeout``
seconds is reported as "> timeout". Medians over ``--runs``; a Markdown table on stdout and
``map-<library>.md`` / ``.json`` in ``--out``.

Another page, e.g. a different checkout's, joins with ``--page NAME='COMMAND {library}
{output}'``. Not a test: the figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]  # fmt: skip  (WebGL still works here with --disable-gpu: SwiftShader)
VIEWPORT = {"width": 1400, "height": 900}

DEFAULT_PAGES = {
    "graphkit": f"{shlex.quote(sys.executable)} -m graphkit --no-cache view {{library}} -o {{output}}",
    "pyvis defaults": f"{shlex.quote(sys.executable)} -m benchmarks.map_bench --write-pyvis {{library}} {{output}}",
}

# (key, label, unit) of the table's rows, in order.
ROWS = [
    ("view_seconds", "writing the page (`graphkit view`), whole process", "s"),
    ("view_peak_mb", "its peak memory", "MB"),
    ("page_mb", "page size", "MB"),
    ("first_draw", "first draw", "s"),
    ("longest_frame", "longest frame while zooming and dragging", "ms"),
    ("rest_frame", "longest frame after, until the map rests", "ms"),
    ("choose_typical", "choose a typical pattern", "ms"),
    ("choose_hub", "choose the biggest hub", "ms"),
    ("toggle", "a relation off or on (the slower)", "ms"),
    ("js_heap_mb", "tab: JS heap", "MB"),
    ("renderer_private_mb", "tab: memory footprint (private, as Chrome's task manager counts it)", "MB"),
    ("renderer_peak_mb", "tab: renderer peak RSS (with shared code and canvas buffers)", "MB"),
]


# --------------------------------------------------------------------------- pure helpers


def longest_gap(frames: list[float]) -> float | None:
    """The longest time between consecutive frames (ms), ``None`` with fewer than two.

    Examples
    --------
    >>> longest_gap([0.0, 16.7, 33.3, 700.0, 716.7])
    666.7
    >>> longest_gap([5.0]) is None
    True
    """
    if len(frames) < 2:
        return None
    return round(max(b - a for a, b in zip(frames, frames[1:], strict=False)), 1)


def split_gaps(frames: list[float], last_input: float) -> tuple[float | None, float | None]:
    """The longest gap between frames while input arrives (ending by ``last_input``), and after.

    Examples
    --------
    >>> split_gaps([0.0, 16.7, 33.3, 100.0, 116.7, 300.0], 110.0)
    (66.7, 183.3)
    >>> split_gaps([0.0, 16.7], 50.0)
    (16.7, None)
    """
    during = [f for f in frames if f <= last_input]
    after = [f for f in frames if f >= during[-1]] if during else frames
    return longest_gap(during), longest_gap(after)


def vm_kb(status: str, field: str) -> int | None:
    """A ``kB`` field (``VmRSS``, ``VmHWM``) of a /proc/PID/status text.

    Examples
    --------
    >>> vm_kb("Name:\\tchromium\\nVmHWM:\\t  204800 kB\\nVmRSS:\\t  102400 kB\\n", "VmHWM")
    204800
    >>> vm_kb("Name:\\tx\\n", "VmRSS") is None
    True
    """
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def summarize(runs: list[dict], key: str) -> dict:
    """The median of one figure over runs; ``over`` when a run gave up at its time limit.

    A run records a figure as a number, as ``{"over": limit}`` when it did not finish in
    time, or leaves it out when the page cannot do it (no hook): then it is "n/a".

    Examples
    --------
    >>> summarize([{"t": 3.0}, {"t": 1.0}, {"t": 2.0}], "t")
    {'median': 2.0, 'runs': [3.0, 1.0, 2.0]}
    >>> summarize([{"t": 1.0}, {"t": {"over": 120}}], "t")
    {'over': 120, 'runs': [1.0, {'over': 120}]}
    >>> summarize([{}], "t")
    {}
    """
    values = [r[key] for r in runs if key in r and r[key] is not None]
    if not values:
        return {}
    overs = [v["over"] for v in values if isinstance(v, dict)]
    if overs:
        return {"over": max(overs), "runs": values}
    return {"median": statistics.median(values), "runs": values}


def cell(summary: dict, unit: str) -> str:
    """One table cell: the median in its unit, "> N s" past the time limit, "n/a" when not measured.

    Examples
    --------
    >>> cell({"median": 1.2345, "runs": []}, "s"), cell({"median": 87.0, "runs": []}, "ms")
    ('1.23 s', '87 ms')
    >>> cell({"median": 3456.0, "runs": []}, "ms"), cell({"over": 120, "runs": []}, "ms"), cell({}, "MB")
    ('3.46 s', '> 120 s', 'n/a')
    """
    if "over" in summary:
        return f"> {summary['over']:.0f} s"
    if "median" not in summary:
        return "n/a"
    value = summary["median"]
    if unit == "ms":
        return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"


def gave_up(run: dict) -> bool:
    """Whether a run stopped at its time limit before the page was drawn.

    Examples
    --------
    >>> gave_up({"view_seconds": 3.1, "first_draw": {"over": 120}}), gave_up({"view_seconds": 3.1, "first_draw": 2.0})
    (True, False)
    """
    return any(isinstance(run.get(key), dict) for key in ("view_seconds", "first_draw"))


def table(results: dict[str, dict[str, dict]]) -> list[str]:
    """The Markdown table: one row per figure, one column per page.

    Examples
    --------
    >>> r = {"graphkit": {"first_draw": {"median": 2.5, "runs": [2.5]}}, "pyvis defaults": {"first_draw": {"over": 120}}}
    >>> print("\\n".join(table(r)[:3]))
    | | graphkit | pyvis defaults |
    |---|---:|---:|
    | writing the page (`graphkit view`), whole process | n/a | n/a |
    """
    pages = list(results)
    lines = ["| | " + " | ".join(pages) + " |", "|---|" + "---:|" * len(pages)]
    for key, label, unit in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(results[p].get(key, {}), unit) for p in pages) + " |")
    return lines


# --------------------------------------------------------------------------- building a page


def build_page(command: str, library: Path, output: Path, timeout: float) -> dict:
    """Run a page's command as its own process: wall seconds and peak RSS (MB), or ``over``."""
    argv = [a.format(library=library, output=output) for a in shlex.split(command)]
    start = time.perf_counter()
    err_file = output.with_suffix(".stderr")
    with err_file.open("wb") as err_out:  # a file, not a pipe: thousands of problems must not block the child
        proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err_out)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return {"view_seconds": {"over": timeout}}
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = err_file.read_text(errors="replace")
    if proc.returncode != 0 or not output.is_file():
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{err[-2000:]}")
    return {
        "view_seconds": seconds,
        "view_peak_mb": usage.ru_maxrss / 1024,  # Linux: kB
        "page_mb": output.stat().st_size / 1e6,
    }


def write_pyvis_page(library: Path, output: Path) -> None:
    """pyvis's defaults on the library's graph (``from_nx``, physics and smooth edges on)."""
    import graphkit
    from benchmarks.view_bench import pyvis_default_page

    output.write_text(pyvis_default_page(graphkit.load_library(library).graph), encoding="utf-8")


# --------------------------------------------------------------------------- in the browser

# Frames: every requestAnimationFrame timestamp until stopped.
# The time of the last input event is kept too: frames until then are drawn while the reader moves the map.
JS_FRAMES = """() => { window.__gkFrames = []; window.__gkStop = false; window.__gkInput = 0;
  ["wheel", "mousedown", "mousemove", "mouseup"].forEach(function (type) {
    window.addEventListener(type, function (ev) { window.__gkInput = ev.timeStamp; }, { capture: true, passive: true }); });
  (function loop(t) { window.__gkFrames.push(t); if (!window.__gkStop) requestAnimationFrame(loop); })(performance.now()); }"""
# Resolve once 5 frames in a row came within 50 ms of each other (the page is idle), or after `limit` ms.
JS_SETTLE = """(limit) => new Promise((resolve) => { const t0 = performance.now(); let last = t0, calm = 0;
  function f(t) { calm = t - last < 50 ? calm + 1 : 0; last = t;
    if (calm >= 5 || t - t0 > limit) resolve(t - t0); else requestAnimationFrame(f); }
  requestAnimationFrame(f); })"""
# After the event's handlers and anything they scheduled for the next frame: the end of that frame.
_AFTER_NEXT_FRAME = """function afterNextFrame(done) { setTimeout(function () { requestAnimationFrame(function () {
    var ch = new MessageChannel(); ch.port1.onmessage = function () { done(performance.now()); }; ch.port2.postMessage(0);
  }); }, 0); }"""
# Choosing: from Enter in the search box until #gk-details changes while shown, then the end of the next frame.
JS_ARM_CHOOSE = (
    """() => { """
    + _AFTER_NEXT_FRAME
    + """
  var m = window.__gkMeasure = { start: null, end: null, seen: false, shown: null };
  var details = document.getElementById("gk-details");
  function shown() { var s = getComputedStyle(details);
    return !details.hidden && s.display !== "none" && s.visibility !== "hidden" && details.getClientRects().length > 0; }
  var observer = new MutationObserver(function () {
    if (m.start === null || m.seen || !shown()) return;
    m.seen = true;
    m.shown = performance.now();
    observer.disconnect();
    afterNextFrame(function (t) { m.end = t; });
  });
  observer.observe(details, { subtree: true, childList: true, attributes: true, characterData: true });
  window.addEventListener("keydown", function onKey(ev) {
    if (ev.key !== "Enter") return;
    window.removeEventListener("keydown", onKey, true);
    m.start = performance.now();
  }, true); }"""
)
# A relation toggle: from the click on its checkbox until the next frame is drawn.
JS_ARM_TOGGLE = (
    """() => { """
    + _AFTER_NEXT_FRAME
    + """
  var m = window.__gkMeasure = { start: null, end: null };
  window.addEventListener("click", function onClick(ev) {
    if (!ev.target.matches || !ev.target.matches("#gk-relations input[data-relation]")) return;
    window.removeEventListener("click", onClick, true);
    m.start = performance.now();
    afterNextFrame(function (t) { m.end = t; });
  }, true); }"""
)
JS_MEASURED = "() => window.__gkMeasure && window.__gkMeasure.end !== null"
JS_ELAPSED = "() => window.__gkMeasure.end - window.__gkMeasure.start"


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def renderer_memory() -> tuple[float, float] | None:
    """(private MB, peak RSS MB) of the busiest Chromium renderer started by this process (the page's tab).

    Private is ``RssAnon``: the memory footprint Chrome itself reports for a process on Linux
    (no swap here).
    """
    best = None
    for pid in _descendants(os.getpid()):
        try:
            if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        rss, hwm, anon = vm_kb(status, "VmRSS"), vm_kb(status, "VmHWM"), vm_kb(status, "RssAnon")
        if rss is not None and hwm is not None and anon is not None and (best is None or rss > best[0]):
            best = (rss, hwm, anon)
    return (best[2] / 1024, best[1] / 1024) if best else None


def _timed(page, arm: str, act, timeout: float) -> float | dict:
    """Milliseconds the armed measurement gives for ``act()``, or ``{"over": timeout}``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.evaluate(arm)
    try:
        act()  # a key press or click returns once the page has handled it: it may time out itself
        page.wait_for_function(JS_MEASURED, timeout=timeout * 1000, polling=50)
    except PlaywrightTimeout:
        return {"over": timeout}
    return page.evaluate(JS_ELAPSED)


def _gesture(page, deadline: float) -> None:
    """Zoom in and out with the wheel over the map's centre, then drag it; stop past the deadline."""
    x, y = VIEWPORT["width"] / 2, VIEWPORT["height"] / 2
    page.mouse.move(x, y)
    for dy in (-240, -240, -240, 240, 240, 240):
        if time.perf_counter() > deadline:
            return
        page.mouse.wheel(0, dy)
        page.wait_for_timeout(50)
    page.mouse.down()
    for step in range(1, 7):
        if time.perf_counter() > deadline:
            break
        page.mouse.move(x + 40 * step, y + 25 * step)
        page.wait_for_timeout(30)
    page.mouse.up()


def measure_in_browser(
    browser, path: Path, choices: list[tuple[str, str]], timeout: float, budget: float | None = None
) -> dict:
    """One run on a page in a fresh context: the browser figures of the table.

    Each figure is printed to stderr as it comes. Past ``budget`` seconds on the page (default
    five times ``timeout``) the remaining steps are left out: they show as "n/a".
    """
    deadline = time.perf_counter() + (budget if budget is not None else 5 * timeout)
    private: list[float] = []  # the tab's private memory after each step

    def note(key: str, value) -> bool:
        memory = renderer_memory()
        if memory is not None:
            private.append(memory[0])
        print(f"    {key}: {json.dumps(value)}", file=sys.stderr, flush=True)
        return time.perf_counter() < deadline

    context = browser.new_context(viewport=VIEWPORT)
    context.route("http*://**/*", lambda route: route.abort())  # offline, as on a machine without internet
    context.set_default_timeout(timeout * 1000)  # playwright's 30 s is less than one step of a big page
    page = context.new_page()
    out: dict = {}
    try:
        page.goto(path.as_uri(), wait_until="commit")
        try:
            page.wait_for_function("window.gkFirstDraw !== undefined", timeout=timeout * 1000, polling=100)
        except Exception:  # playwright's TimeoutError
            out["first_draw"] = {"over": timeout}
            return out
        out["first_draw"] = page.evaluate("window.gkFirstDraw") / 1000
        page.evaluate(JS_SETTLE, timeout * 1000)
        if note("first_draw", out["first_draw"]):
            page.evaluate(JS_FRAMES)
            _gesture(page, time.perf_counter() + timeout)
            page.evaluate(JS_SETTLE, timeout * 1000)
            frames, last_input = page.evaluate("window.__gkStop = true, [window.__gkFrames, window.__gkInput]")
            out["longest_frame"], out["rest_frame"] = split_gaps(frames, last_input)
            note("longest_frame", [out["longest_frame"], out["rest_frame"]])

        if page.query_selector("#gk-search") and page.query_selector("#gk-details"):
            for key, title in choices:
                if time.perf_counter() > deadline:
                    break
                page.fill("#gk-search", title)
                page.wait_for_timeout(300)  # suggestions shown, as a reader sees them before Enter
                out[key] = _timed(page, JS_ARM_CHOOSE, lambda: page.press("#gk-search", "Enter"), timeout)
                if not isinstance(out[key], dict):  # where the time went: until the panel showed, then the frame
                    out[key + "_panel"] = page.evaluate("window.__gkMeasure.shown - window.__gkMeasure.start")
                page.evaluate(JS_SETTLE, timeout * 1000)
                note(key, out[key])
        box = _toggle_box(page) if time.perf_counter() < deadline else None
        if box is not None:
            times = []
            for _ in ("off", "on"):
                if time.perf_counter() > deadline:
                    break
                times.append(_timed(page, JS_ARM_TOGGLE, lambda: box.click(timeout=timeout * 1000), timeout))
                page.evaluate(JS_SETTLE, timeout * 1000)
                note("toggle", times[-1])
            overs = [t for t in times if isinstance(t, dict)]
            if times:
                out["toggle"] = overs[0] if overs else max(times)
                out["toggle_off_on"] = times

        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        out["js_heap_mb"] = metrics["JSHeapUsedSize"] / 1e6
        memory = renderer_memory()
        if memory is not None:
            out["renderer_private_mb"] = max([*private, memory[0]])
            out["renderer_peak_mb"] = memory[1]
        return out
    finally:
        context.close()


def _toggle_box(page):
    """The checkbox of the relation with the most links ("related" when it is there), else the first."""
    boxes = page.query_selector_all("#gk-relations input[data-relation]")
    for box in boxes:
        if box.get_attribute("data-relation") == "related" and box.is_visible():
            return box
    visible = [b for b in boxes if b.is_visible()]
    return visible[0] if visible else None


def choices_of(library: Path) -> list[tuple[str, str]]:
    """The titles to choose: a pattern of median curated degree, then the biggest hub."""
    import graphkit

    G = graphkit.load_library(library).graph
    degree = {n: 0 for n in G}
    for u, v, data in G.edges(data=True):
        if not data["inferred"]:
            degree[u] += 1
            degree[v] += 1
    linked = sorted((d, n) for n, d in degree.items() if d > 0)
    typical = linked[len(linked) // 2][1]
    hub = linked[-1][1]
    return [("choose_typical", G.nodes[typical]["title"]), ("choose_hub", G.nodes[hub]["title"])]


# --------------------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--write-pyvis"]:
        write_pyvis_page(Path(argv[1]), Path(argv[2]))
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.map_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path, help="the pattern folder")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; medians are reported (default 3)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a page may take per step (default 120)")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="NAME=COMMAND",
        help="another page: a command with {library} and {output} (repeatable)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        help="seconds a page may take in the browser per run; later steps are left out (default 5 x timeout)",
    )
    parser.add_argument("--no-pyvis", action="store_true", help="leave out pyvis's defaults")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results", help="where results go")
    args = parser.parse_args(argv)

    pages = dict(DEFAULT_PAGES)
    if args.no_pyvis:
        del pages["pyvis defaults"]
    for spec in args.page:
        name, _, command = spec.partition("=")
        if not command:
            parser.error(f"--page {spec!r}: give NAME=COMMAND")
        pages[name] = command
    choices = choices_of(args.library)
    print(f"choosing: {', '.join(t for _, t in choices)}", file=sys.stderr)

    from playwright.sync_api import sync_playwright

    runs: dict[str, list[dict]] = {name: [] for name in pages}
    with tempfile.TemporaryDirectory(prefix="graphkit-map-") as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(args.runs):
                for k, (name, command) in enumerate(pages.items()):  # round-robin: slow spells fall on all alike
                    if runs[name] and gave_up(runs[name][0]):
                        continue  # it did not draw in time: once is enough
                    output = Path(tmp) / f"page{k}-run{i}.html"
                    run = build_page(command, args.library, output, args.timeout)
                    print(f"  {name} run {i + 1}: {json.dumps(run)}", file=sys.stderr, flush=True)
                    if "page_mb" in run:
                        run.update(measure_in_browser(browser, output, choices, args.timeout, args.budget))
                        output.unlink()
                    runs[name].append(run)
                    print(f"  {name} run {i + 1}: {json.dumps(run)}", file=sys.stderr)
        finally:
            browser.close()

    results = {name: {key: summarize(r, key) for key, _, _ in ROWS} for name, r in runs.items()}
    report = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "library": str(args.library),
        "runs": args.runs,
        "timeout": args.timeout,
        "choices": choices,
        "pages": pages,
        "results": results,
        "all_runs": runs,
    }
    lines = [
        f"{args.library} · measured {report['date']} on {report['machine']}, headless Chromium; "
        f"medians of {args.runs} runs; a step not done in {args.timeout:.0f} s shows as '> {args.timeout:.0f} s'",
        "",
        *table(results),
    ]
    text = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"map-{args.library.resolve().name}"
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
