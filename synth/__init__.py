"""Synthesis engine: ingest, exact and DP aggregation, synthesizers, evaluation and release bundles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dp-showcase")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
