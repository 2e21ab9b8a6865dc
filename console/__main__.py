"""Data-owner console: ``python -m console`` serves it on 127.0.0.1:8060; ``--add-user NAME`` adds an account."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from dataclasses import replace
from pathlib import Path

from console.config import ConsoleSettings


def parse(argv: list[str] | None = None) -> tuple[ConsoleSettings, argparse.Namespace]:
    settings = ConsoleSettings.from_env()
    parser = argparse.ArgumentParser(prog="python -m console", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--private-dir", type=Path, default=settings.private_dir, help="default: SHOWCASE_PRIVATE_DIR or var/private"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=settings.data_dir,
        help="where Publish puts releases; default: SHOWCASE_DATA_DIR or var/data",
    )
    parser.add_argument("--host", default=settings.host, help="default: CONSOLE_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=settings.port, help="default: CONSOLE_PORT or 8060")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--add-user", metavar="NAME", help="create or reset an account (password prompted, or one line on stdin)"
    )
    args = parser.parse_args(argv)
    return replace(settings, private_dir=args.private_dir, data_dir=args.data_dir, host=args.host, port=args.port), args


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise ValueError("the passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    try:
        settings, args = parse(argv)
    except ValueError as exc:
        print(f"python -m console: {exc}", file=sys.stderr)
        return 2
    if args.add_user:
        from console import accounts, audit

        try:
            accounts.add_user(settings.workspace, args.add_user, _read_password())
        except ValueError as exc:
            print(f"python -m console: {exc}", file=sys.stderr)
            return 2
        audit.record(settings.workspace, args.add_user, "account created or reset (command line)")
        print(f"account {args.add_user!r} saved in {settings.workspace}")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    from console.app import create_app

    app = create_app(settings)
    logging.info(
        "console on http://%s:%s (private workspace: %s)", settings.host, settings.port, settings.private_dir.resolve()
    )
    from waitress import serve

    serve(app.server, host=settings.host, port=settings.port, threads=args.threads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
