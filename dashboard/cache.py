"""flask-caching setup. Memoised builders take the Release, whose repr is its id: a new release, new keys."""

from __future__ import annotations

from flask import Flask
from flask_caching import Cache

from dashboard.config import Settings

cache = Cache()


def init_cache(server: Flask, settings: Settings) -> None:
    config = {
        "CACHE_TYPE": settings.cache_type,
        "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout,
        "CACHE_THRESHOLD": 2000,
    }
    if settings.cache_type == "FileSystemCache":
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        config["CACHE_DIR"] = str(settings.cache_dir)
    cache.init_app(server, config=config)
