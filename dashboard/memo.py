"""Values derived from one release (record masks, row queries, record views, the profile), kept on it.

Every :class:`~dashboard.store.Release` owns one :class:`Memo`: a bounded LRU per kind of value, behind a
lock (waitress and gunicorn serve requests from threads). When the store switches to a new release, the
old release and everything derived from it are dropped together; nothing is keyed by release id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Memo:
    """``memo(name, key, compute, size)``: the value remembered for ``(name, key)``, else ``compute()``.

    Each ``name`` is its own LRU of at most ``size`` entries (give the same size at every use of a name).
    ``compute`` runs outside the lock so that one slow value does not hold up other requests: two threads
    missing the same key at once may both compute it, and the first value stored is the one kept.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, OrderedDict[Hashable, Any]] = {}

    def __call__(self, name: str, key: Hashable, compute: Callable[[], T], size: int = 1) -> T:
        with self._lock:
            table = self._tables.setdefault(name, OrderedDict())
            if key in table:
                table.move_to_end(key)
                return table[key]
        value = compute()
        with self._lock:
            if key in table:
                table.move_to_end(key)
                return table[key]
            table[key] = value
            while len(table) > size:
                table.popitem(last=False)
        return value
