"""Console responsiveness: how long a second browser tab takes to load the console during a large run (issue 12).

    python benchmarks/bench_console.py [--victims 100000] [--loads 5]

Starts ``python -m console`` on a free 127.0.0.1 port over a temporary private workspace holding a generated
sample of VICTIMS victims, signs in with headless Chromium, loads LOADS fresh tabs while idle, then starts a
run of the whole sample (spec: four columns, one multi-value) and loads LOADS fresh tabs while it runs. For
each load it prints the time until the page shows its upload area and where that time went, from the
browser's resource timing: the page shell (``/``), ``/_dash-layout``, ``/_dash-dependencies`` and the
first callback answer (``/_dash-update-component``, the runs table). It also prints the scheduling priority
(nice) of the console process and of the run's job process, and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.console_pages import PASSWORD, SPEC, USER, choose, sign_in  # noqa: E402
from tests.e2e.servers import free_port, serve, stop  # noqa: E402

TIMING = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const first = (part) => { const e = res.find(r => r.name.includes(part)); return e ? e.duration : null; };
  return {shell: nav.responseEnd - nav.requestStart, layout: first('/_dash-layout'),
          dependencies: first('/_dash-dependencies'), callback: first('/_dash-update-component')};
}"""


def nice_of(pid: int) -> int | None:
    """The process's niceness, or None once it has ended (a short job may end while it is listed)."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
    except FileNotFoundError:
        return None


def children(pid: int) -> list[int]:
    import psutil

    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def load_tab(context, url: str) -> dict:
    page = context.new_page()
    started = time.monotonic()
    page.goto(url + "/")
    page.wait_for_selector("#c-upload", state="visible")
    page.wait_for_function("performance.getEntriesByType('resource').some(r => r.name.includes('update-component'))")
    timing = {"total": (time.monotonic() - started) * 1000, **page.evaluate(TIMING)}
    page.close()
    return timing


def show(label: str, loads: list[dict]) -> None:
    print(f"\n{label}: {len(loads)} tab loads (ms)")
    for key in ("total", "shell", "layout", "dependencies", "callback"):
        values = [load[key] for load in loads if load[key] is not None]
        print(f"  {key:13s} median {statistics.median(values):7.0f}  max {max(values):7.0f}  ", end="")
        print(" ".join(f"{v:.0f}" for v in values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--victims", type=int, default=100_000)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from console import accounts
    from synth.sample import write_sample

    root = Path(tempfile.mkdtemp(prefix="bench-console-"))
    private, data = root / "private", root / "data"
    write_sample(private / "big" / "cases.csv", n_victims=args.victims, seed=2)
    (root / "cases.toml").write_text(SPEC)
    accounts.add_user(private / "console", USER, PASSWORD)
    port = free_port()
    console = serve("console", ["--private-dir", str(private), "--data-dir", str(data)], port, root / "console.log")
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            chromium = shutil.which("chromium") or shutil.which("chromium-browser")
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--disable-gpu"])
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            page = context.new_page()
            sign_in(page, url)
            load_tab(context, url)  # warm-up: the browser caches the scripts, as a user's second tab does
            show("idle", [load_tab(context, url) for _ in range(args.loads)])

            choose(page, "#c-file", "big/cases.csv")
            page.wait_for_function(
                "document.querySelector('#c-preview').textContent.includes('rows,')", timeout=300_000
            )
            page.set_input_files("#c-spec-load input[type=file]", str(root / "cases.toml"))
            page.wait_for_function(
                "document.querySelector('#c-risk').textContent.includes('records.')", timeout=300_000
            )
            started = time.monotonic()
            page.click("#c-run")
            page.wait_for_selector("#c-cancel:not([disabled])", timeout=60_000)
            jobs = [nice_of(child) for child in children(console.pid)]
            loads = []
            for _ in range(args.loads):
                loads.append(load_tab(context, url))
                time.sleep(0.5)
            print(f"\nconsole nice {nice_of(console.pid)}; its child processes' nice:", jobs)
            show(f"during a run of {args.victims} victims", loads)
            page.wait_for_function(
                "document.querySelector('#c-run-result').textContent.includes('finished')", timeout=900_000
            )
            print(f"\nthe run took {time.monotonic() - started:.1f} s; load average {os.getloadavg()}")
            browser.close()
    finally:
        stop(console)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
