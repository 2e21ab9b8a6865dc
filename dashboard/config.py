"""Settings read from environment variables (validated once, at app creation)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CACHE_TYPES = ("SimpleCache", "FileSystemCache", "NullCache")


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of the dashboard.

    data_dir: folder holding ``current`` and ``releases/`` (relative paths are relative to the working
    directory). cache_type: a flask-caching backend class name. cache_dir: FileSystemCache folder.
    """

    data_dir: Path = Path("var/data")
    cache_type: str = "SimpleCache"
    cache_dir: Path = Path("var/cache/dashboard")
    cache_timeout: int = 0
    host: str = "127.0.0.1"
    port: int = 8050

    def __post_init__(self) -> None:
        if self.cache_type not in CACHE_TYPES:
            raise ValueError(f"DASHBOARD_CACHE_TYPE must be one of {', '.join(CACHE_TYPES)}, got {self.cache_type!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"DASHBOARD_PORT must be 1..65535, got {self.port}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``DASHBOARD_*`` variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        port = env.get("DASHBOARD_PORT", "8050")
        timeout = env.get("DASHBOARD_CACHE_TIMEOUT", "0")
        if not port.isdigit() or not timeout.isdigit():
            raise ValueError("DASHBOARD_PORT and DASHBOARD_CACHE_TIMEOUT must be non-negative integers")
        return cls(
            data_dir=Path(env.get("DASHBOARD_DATA_DIR", "var/data")),
            cache_type=env.get("DASHBOARD_CACHE_TYPE", "SimpleCache"),
            cache_dir=Path(env.get("DASHBOARD_CACHE_DIR", "var/cache/dashboard")),
            cache_timeout=int(timeout),
            host=env.get("DASHBOARD_HOST", "127.0.0.1"),
            port=int(port),
        )
