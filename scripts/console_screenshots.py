"""Screenshots of each step of the data-owner console at 1366 px, on the generated sample (docs, reviewers).

    python scripts/console_screenshots.py [OUT_DIR] [--victims 3000] [--big 60000]

Builds a temporary private workspace (a generated sample of VICTIMS victims to upload, one of BIG victims
already in the workspace for a run long enough to show its progress, an account), starts ``python -m console``
on a free loopback port and walks the flow with headless Debian Chromium: sign-in, prepare with the preview,
risk analysis, synthesize with progress, the results table, evaluate and compare, the Navigate preview,
publish. Each step is one PNG in OUT_DIR (default docs/screenshots/console), cut to the part of the page the
step is about; with Pillow installed, each PNG is reduced to a 256-colour palette (a fraction of the size).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from console import accounts  # noqa: E402
from scripts.screenshots import compress  # noqa: E402
from synth.sample import write_sample  # noqa: E402
from tests.e2e.console_pages import PASSWORD, SPEC, SPEC_AGAIN, USER, choose, fill_sign_in, pick  # noqa: E402
from tests.e2e.servers import free_port, serve, stop  # noqa: E402

WIDTH, HEIGHT = 1366, 768
LONG = 300_000  # ms: a step of a large run on a busy machine


def shot(page, out: Path, name: str, top: str, bottom: str) -> None:
    """The page from the top of ``top`` to the bottom of ``bottom`` (full width), as ``out/name``."""
    page.wait_for_timeout(400)  # let plotly finish drawing
    first, last = page.locator(top).first.bounding_box(), page.locator(bottom).last.bounding_box()
    assert first and last, (top, bottom)
    scroll = page.evaluate("window.scrollY")
    y = max(first["y"] + scroll - 8, 0)
    clip = {"x": 0, "y": y, "width": WIDTH, "height": last["y"] + scroll + last["height"] + 8 - y}
    path = out / name
    page.screenshot(path=str(path), clip=clip, full_page=True)
    compress(path)
    print(f"{path}  {path.stat().st_size // 1024} KB")


def contains(page, selector: str, text: str, timeout: float = LONG) -> None:
    page.wait_for_function(
        "([sel, text]) => (document.querySelector(sel)?.textContent || '').includes(text)",
        arg=[selector, text],
        timeout=timeout,
    )


def walk(page, url: str, root: Path, out: Path, big: int) -> None:
    """The console flow, one screenshot per step."""
    fill_sign_in(page, url)
    shot(page, out, "01-sign-in.png", "h1", "#sign-in")
    page.click("#sign-in")
    page.wait_for_selector("#c-upload")

    page.set_input_files("#c-upload input[type=file]", str(root / "upload" / "cases.csv"))
    contains(page, "#c-preview", "rows,")
    page.set_input_files("#c-spec-load input[type=file]", str(root / "upload" / "cases.toml"))
    contains(page, "#c-spec-status", "Spec saved")
    contains(page, "#c-risk", "records. For all combinations")
    shot(page, out, "02-prepare-preview.png", "main > section:nth-of-type(1) h2", "#c-preview")
    shot(page, out, "03-spec-choices.png", "label[for=c-name]", "main > section:nth-of-type(1) small >> nth=-1")
    shot(page, out, "04-risk-analysis.png", "main > section:nth-of-type(2) h2", "#c-risk")

    for _ in range(2):
        before = page.locator("#c-run-result").text_content() or ""
        page.click("#c-run")
        page.wait_for_function(
            "before => document.querySelector('#c-run-result').textContent !== before", arg=before, timeout=LONG
        )
    small_preview = page.locator("#c-preview").text_content()
    choose(page, "#c-file", "big/cases.csv")
    page.wait_for_function(
        "before => document.querySelector('#c-preview').textContent !== before", arg=small_preview, timeout=LONG
    )
    page.set_input_files("#c-spec-load input[type=file]", str(root / "upload" / "again.toml"))
    contains(page, "#c-risk", f"{big} records. For all combinations")
    page.click("#c-run")
    contains(page, "#c-progress-text", "synthesis")
    shot(page, out, "05-synthesize-progress.png", "main > section:nth-of-type(3) h2", "#c-run-result")
    contains(page, "#c-run-result", "finished")

    page.wait_for_function("document.querySelectorAll('#c-runs-table tbody tr').length === 3", timeout=LONG)
    pick(page, "#c-run-a", 0)
    pick(page, "#c-run-b", -1)
    contains(page, "#c-evaluation", "metric")
    shot(page, out, "06-results.png", "main > section:nth-of-type(4) h2", "#c-action-status")
    shot(page, out, "07-evaluate-compare.png", "main > section:nth-of-type(4) h3 >> nth=0", "#c-evaluation")
    page.wait_for_selector("#c-navigate .js-plotly-plot", timeout=LONG)
    choose(page, "#c-nav-filters", "Female")
    contains(page, "#c-navigate", "Matching all selections")
    shot(page, out, "08-navigate-preview.png", "main > section:nth-of-type(4) h3 >> nth=1", "#c-navigate")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish as the new release").click()
    contains(page, "#c-action-status", "Published")
    shot(page, out, "09-published.png", "main > section:nth-of-type(4) h2", "#c-action-status")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshots" / "console")
    parser.add_argument("--victims", type=int, default=3000, help="victims of the uploaded sample")
    parser.add_argument("--big", type=int, default=30_000, help="victims of the input whose run shows progress")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("console_screenshots: chromium not found (apt-get install chromium)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="console-shots-"))
    private = root / "private"
    write_sample(root / "upload" / "cases.csv", n_victims=args.victims, seed=1)
    write_sample(private / "big" / "cases.csv", n_victims=args.big, seed=2)
    (root / "upload" / "cases.toml").write_text(SPEC)
    (root / "upload" / "again.toml").write_text(SPEC_AGAIN)
    accounts.add_user(private / "console", USER, PASSWORD)
    port = free_port()
    console = serve("console", ["--private-dir", str(private), "--data-dir", str(root / "data")], port, root / "log")
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True, args=["--disable-gpu"])
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            try:
                walk(page, url, root, args.out, args.big)
            except Exception:
                page.screenshot(path=str(root.parent / "console-shots-failed.png"), full_page=True)
                raise
            browser.close()
    finally:
        stop(console)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
