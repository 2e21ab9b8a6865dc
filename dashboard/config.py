"""Settings read from environment variables (validated once, at app creation)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many
from limits.storage import SCHEMES as STORAGE_SCHEMES

CACHE_TYPES = ("SimpleCache", "FileSystemCache", "RedisCache", "NullCache")
#: URL schemes of ``DASHBOARD_CACHE_REDIS_URL`` (redis-py).
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: Integer settings, each read from ``DASHBOARD_<NAME>``.
INT_SETTINGS = ("port", "cache_timeout", "grid_max_rows", "api_max_limit", "xlsx_max_rows", "proxy_hops")


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of the dashboard.

    data_dir: folder holding ``current`` and ``releases/`` (relative paths are relative to the working
    directory). cache_type: a flask-caching backend class name. cache_dir: FileSystemCache folder.
    cache_redis_url: the Redis server of RedisCache (``redis://host:port/db``), shared by every worker and host.

    Response bounds: grid_max_rows caps the rows of one grid block request (endRow - startRow),
    api_max_limit the ``limit`` of ``/api/v1/records``, xlsx_max_rows the data rows of an Excel export (the
    rest is cut, with a note in the workbook). Rate limits (Flask-Limiter notation, per client address,
    "" = off): rate_limit_api for ``/api/``, rate_limit_exports for ``/export/``, kept in
    ratelimit_storage_uri (``memory://`` = per worker process; ``redis://host:port`` shares them).
    proxy_hops: reverse proxies in front of the app whose ``X-Forwarded-For``/``-Proto`` are trusted (0: none;
    behind one nginx: 1), so that limits count per client, not per proxy.
    """

    data_dir: Path = Path("var/data")
    cache_type: str = "SimpleCache"
    cache_dir: Path = Path("var/cache/dashboard")
    cache_redis_url: str = "redis://127.0.0.1:6379/0"
    cache_timeout: int = 0
    host: str = "127.0.0.1"
    port: int = 8050
    grid_max_rows: int = 500
    api_max_limit: int = 1000
    xlsx_max_rows: int = 100_000
    rate_limit_api: str = "600 per minute"
    rate_limit_exports: str = "30 per minute"
    ratelimit_storage_uri: str = "memory://"
    proxy_hops: int = 0

    def __post_init__(self) -> None:
        if self.cache_type not in CACHE_TYPES:
            raise ValueError(f"DASHBOARD_CACHE_TYPE must be one of {', '.join(CACHE_TYPES)}, got {self.cache_type!r}")
        if self.cache_type == "RedisCache" and self.cache_redis_url.split("://", 1)[0] not in REDIS_SCHEMES:
            raise ValueError(
                f"DASHBOARD_CACHE_REDIS_URL must be redis://host:port/db (or rediss://, unix://), "
                f"got {self.cache_redis_url!r}"
            )
        if not 0 < self.port < 65536:
            raise ValueError(f"DASHBOARD_PORT must be 1..65535, got {self.port}")
        for name in ("grid_max_rows", "api_max_limit", "xlsx_max_rows"):
            if getattr(self, name) < 1:
                raise ValueError(f"DASHBOARD_{name.upper()} must be a positive integer, got {getattr(self, name)}")
        scheme = self.ratelimit_storage_uri.split("://", 1)[0]
        if "://" not in self.ratelimit_storage_uri or scheme not in STORAGE_SCHEMES:
            raise ValueError(
                f"DASHBOARD_RATELIMIT_STORAGE_URI must be memory:// or redis://host:port (or another scheme of the "
                f"limits library), got {self.ratelimit_storage_uri!r}"
            )
        for name in ("rate_limit_api", "rate_limit_exports"):
            if getattr(self, name):
                try:
                    parse_many(getattr(self, name))
                except ValueError:
                    raise ValueError(
                        f"DASHBOARD_{name.upper()} must look like '30 per minute' (or be empty), "
                        f"got {getattr(self, name)!r}"
                    ) from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``DASHBOARD_*`` variables (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        defaults = cls()
        numbers = {name: env.get(f"DASHBOARD_{name.upper()}", str(getattr(defaults, name))) for name in INT_SETTINGS}
        for name, raw in numbers.items():
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
                raise ValueError(f"DASHBOARD_{name.upper()} must be a non-negative integer, got {raw!r}")
        return cls(
            data_dir=Path(env.get("DASHBOARD_DATA_DIR", "var/data")),
            cache_type=env.get("DASHBOARD_CACHE_TYPE", "SimpleCache"),
            cache_dir=Path(env.get("DASHBOARD_CACHE_DIR", "var/cache/dashboard")),
            cache_redis_url=env.get("DASHBOARD_CACHE_REDIS_URL", defaults.cache_redis_url),
            host=env.get("DASHBOARD_HOST", "127.0.0.1"),
            rate_limit_api=env.get("DASHBOARD_RATE_LIMIT_API", defaults.rate_limit_api),
            rate_limit_exports=env.get("DASHBOARD_RATE_LIMIT_EXPORTS", defaults.rate_limit_exports),
            ratelimit_storage_uri=env.get("DASHBOARD_RATELIMIT_STORAGE_URI", defaults.ratelimit_storage_uri),
            **{name: int(raw) for name, raw in numbers.items()},
        )
