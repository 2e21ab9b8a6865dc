"""Shareable state in the query string: parsing (allow-listed against the release) and encoding.

Parameters: ``f=source:value`` (repeatable; AND-ed selections), ``c=source`` (repeatable; chosen
columns), ``geo=source`` (Overview map), ``tab=records|aggregates`` and ``nr=0|1`` (Data page),
``lang=en|pt|es|fr`` (every page: the language).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlencode

from dashboard import i18n
from dashboard.query import Selections, parse_selection_strings
from dashboard.store import Release


def as_list(value: str | list[str] | None) -> list[str]:
    """A query value as Dash passes it to ``layout(**query)`` (str, list or absent) as a list."""
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [v for v in value if v]


def text_list(value: object) -> list[str]:
    """The strings of a list sent by a browser (a store or a control's value); anything else counts as []."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []


def json_from_query(value: str | list[str] | None) -> object:
    """The JSON of a query parameter (its first value), None when absent or not JSON (nesting too deep included)."""
    raw = as_list(value)[:1]
    if not raw:
        return None
    try:
        return loads(raw[0])
    except ValueError:
        return None


def loads(text: str) -> object:
    """``json.loads``, with nesting too deep for the parser reported as the ValueError it is."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def selections_from_query(release: Release, f: str | list[str] | None) -> Selections:
    return parse_selection_strings(release, as_list(f))


def columns_from_query(
    release: Release, c: str | list[str] | None, allowed: Iterable[str] | None = None, limit: int | None = None
) -> list[str]:
    """Known, distinct columns in the given order (optionally restricted to ``allowed``, at most ``limit``)."""
    ok = set(release.dimensions) if allowed is None else set(allowed) & set(release.dimensions)
    out = list(dict.fromkeys(s for s in as_list(c) if s in ok))
    return out[:limit] if limit is not None else out


def encode_selections(selections: Selections) -> list[str]:
    return [f"{s}:{v}" for s, v in selections]


def query_string(**params: str | list[str] | None) -> str:
    """``?a=1&f=x:y&f=...`` with empty values left out ("" when nothing remains); the language of the page
    rides along as ``lang=`` (so the page's links and a shared link keep it)."""
    params = {**params, "lang": i18n.pinned()}
    items = []
    for key, value in params.items():
        for v in as_list(value):
            items.append((key, v))
    return "?" + urlencode(items) if items else ""
