"""Screenshots of every dashboard page at several widths (default 390 and 1366 px), for reviewers.

    python scripts/screenshots.py [OUT_DIR] [--data-dir DIR] [--widths 390,1366] [--langs en,pt,es,fr] [--full-page]
                                  [--views overview,explore]

Serves the app on a free loopback port over the release in ``--data-dir`` (default: DASHBOARD_DATA_DIR
or ./var/data) and saves one PNG per view, width and language (``?lang=``; file names ``<lang>-<width>-...``
when ``--langs`` is given) with headless Debian Chromium; ``--views`` keeps only the named views (the file
names without number and extension: overview, explore, explore-filtered, data-records, data-aggregates, about).
With Pillow installed (the `dev` extra), each PNG is reduced to a 256-colour palette, as in docs/screenshots/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.app import create_app  # noqa: E402
from dashboard.config import Settings  # noqa: E402

#: Viewport height per width: a phone (390 x 844) and a laptop (1366 x 768); other widths get 900.
HEIGHTS = {390: 844, 1366: 768}
ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def views(first_filter: str | None) -> list[tuple[str, str, str]]:
    """(file name, path, selector to wait for) of every view to capture."""
    explore_filtered = f"/explore?f={first_filter}" if first_filter else "/explore"
    return [
        ("01-overview.png", "/", ".js-plotly-plot"),
        ("02-explore.png", "/explore", ".js-plotly-plot"),
        ("03-explore-filtered.png", explore_filtered, ".js-plotly-plot"),
        ("04-data-records.png", "/data", ".ag-row"),
        ("05-data-aggregates.png", "/data?tab=aggregates", ".ag-header"),
        ("06-about.png", "/about", "#about-citation"),
    ]


def view_name(file_name: str) -> str:
    """``02-explore.png`` -> ``explore`` (what ``--views`` names)."""
    return file_name.split("-", 1)[1].removesuffix(".png")


def with_lang(path: str, lang: str) -> str:
    """``path`` with ``lang=<lang>`` added to its query (unchanged for no language)."""
    return f"{path}{'&' if '?' in path else '?'}lang={lang}" if lang else path


def _first_filter(app) -> str | None:
    with app.server.app_context():
        from dashboard import context

        current = context.current()
        if current is None:
            return None
        release, profile = current
        source = profile.explore[0]
        return f"{source}:{release.dimensions[source].values[0]}"


def _aggregate_columns(app) -> str:
    with app.server.app_context():
        from dashboard import context

        current = context.current()
        if current is None:
            return ""
        _, profile = current
        return "".join(f"&c={c}" for c in profile.explore[:2])


def compress(path: Path) -> None:
    """A 256-colour palette PNG, optimised, when Pillow is installed (else the PNG stays as Chromium wrote it)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("screenshots"))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--full-page", action="store_true", help="capture whole pages instead of the viewport")
    parser.add_argument("--widths", default="390,1366", help="comma-separated viewport widths in px")
    parser.add_argument("--langs", default="", help="comma-separated languages (?lang=), e.g. en,pt,es,fr")
    parser.add_argument("--views", default="", help="comma-separated views to keep, e.g. overview,explore")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    settings = Settings.from_env()
    if args.data_dir:
        settings = Settings(**{**settings.__dict__, "data_dir": args.data_dir})
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found on PATH", file=sys.stderr)
        return 1
    shots = views(_first_filter(app))
    shots[4] = (shots[4][0], shots[4][1] + _aggregate_columns(app), shots[4][2])
    if args.views:
        shots = [shot for shot in shots if view_name(shot[0]) in args.views.split(",")]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        runs = [
            (lang, int(w)) for lang in (args.langs.split(",") if args.langs else [""]) for w in args.widths.split(",")
        ]
        for lang, width in runs:
            page = browser.new_page(viewport={"width": width, "height": HEIGHTS.get(width, 900)})
            for name, path, selector in shots:
                page.goto(url + with_lang(path, lang))
                try:
                    page.wait_for_selector(selector, timeout=20000)
                except Exception:  # noqa: BLE001 - still capture what is there (e.g. the no-release page)
                    pass
                page.wait_for_timeout(1500)
                target = args.out / f"{lang + '-' if lang else ''}{width}-{name}"
                page.screenshot(path=str(target), full_page=args.full_page)
                compress(target)
                print(target)
            page.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
