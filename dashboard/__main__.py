"""Serve the dashboard with waitress (--debug: the Flask development server)."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path

from dashboard.config import Settings


def parse(argv: list[str] | None = None) -> tuple[Settings, argparse.Namespace]:
    """Settings from ``DASHBOARD_*`` variables, overridden by the command-line options."""
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=settings.data_dir,
        help="release folder; default: DASHBOARD_DATA_DIR or var/data",
    )
    parser.add_argument("--host", default=settings.host, help="default: DASHBOARD_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.port, help="default: DASHBOARD_PORT or 8050")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--debug", action="store_true", help="Flask development server with reloading")
    args = parser.parse_args(argv)
    return replace(settings, data_dir=args.data_dir, host=args.host, port=args.port), args


def main(argv: list[str] | None = None) -> int:
    try:
        settings, args = parse(argv)
    except ValueError as exc:  # a bad setting: one line, exit 2
        print(f"python -m dashboard: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from dashboard.app import create_app

    app = create_app(settings)
    logging.info("serving on http://%s:%s (data: %s)", settings.host, settings.port, settings.data_dir.resolve())
    if args.debug:
        app.run(host=settings.host, port=settings.port, debug=True)
    else:
        from waitress import serve

        serve(app.server, host=settings.host, port=settings.port, threads=args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
