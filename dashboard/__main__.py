"""Serve the dashboard with waitress (--debug: the Flask development server)."""

from __future__ import annotations

import argparse
import logging

from dashboard.config import Settings


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings.host, help="default: DASHBOARD_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.port, help="default: DASHBOARD_PORT or 8050")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--debug", action="store_true", help="Flask development server with reloading")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from dashboard.app import create_app

    app = create_app(settings)
    logging.info("serving on http://%s:%s (data: %s)", args.host, args.port, settings.data_dir.resolve())
    if args.debug:
        app.run(host=args.host, port=args.port, debug=True)
    else:
        from waitress import serve

        serve(app.server, host=args.host, port=args.port, threads=args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
