"""Console settings, read once from environment variables (overridden by ``python -m console`` options)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: The console's own folder inside the private workspace.
CONSOLE_DIR = "console"


@dataclass(frozen=True)
class ConsoleSettings:
    """private_dir: the private workspace (read and written); data_dir: where Publish puts a release.

    max_upload_bytes bounds one uploaded file; celery_broker (a Redis URL) switches background runs from
    the embedded diskcache manager to Celery workers.
    """

    private_dir: Path = Path("var/private")
    data_dir: Path = Path("var/data")
    host: str = "127.0.0.1"
    port: int = 8060
    max_upload_bytes: int = 50 * 2**20
    celery_broker: str | None = None

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"CONSOLE_PORT must be 1..65535, got {self.port}")
        if self.max_upload_bytes < 1:
            raise ValueError(f"CONSOLE_MAX_UPLOAD_MB must be positive, got {self.max_upload_bytes}")

    @property
    def workspace(self) -> Path:
        """The console's folder in the private workspace: accounts, secret, uploads, runs, audit log."""
        return self.private_dir / CONSOLE_DIR

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ConsoleSettings:
        """From ``SHOWCASE_PRIVATE_DIR``, ``SHOWCASE_DATA_DIR``, ``CONSOLE_*`` and ``SHOWCASE_CELERY_BROKER``."""
        env = os.environ if environ is None else environ
        port, upload = env.get("CONSOLE_PORT", "8060"), env.get("CONSOLE_MAX_UPLOAD_MB", "50")
        if not port.isdigit() or not upload.isdigit():
            raise ValueError("CONSOLE_PORT and CONSOLE_MAX_UPLOAD_MB must be non-negative integers")
        return cls(
            private_dir=Path(env.get("SHOWCASE_PRIVATE_DIR", "var/private")),
            data_dir=Path(env.get("SHOWCASE_DATA_DIR", "var/data")),
            host=env.get("CONSOLE_HOST", "127.0.0.1"),
            port=int(port),
            max_upload_bytes=int(upload) * 2**20,
            celery_broker=env.get("SHOWCASE_CELERY_BROKER") or None,
        )
