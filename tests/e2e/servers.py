"""Start a project server (``python -m MODULE``) as its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError(log.read_text())


def start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``command`` from the checkout's root, output to ``log``, with the checkout on the import path."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def serve(module: str, args: list[str], port: int, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    proc = start([sys.executable, "-m", module, *args, "--port", str(port)], log, env)
    wait_for_port(port, proc, log)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
