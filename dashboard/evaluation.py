"""Turning the public evaluation report (``evaluation.json``, any nesting) into tables and charts.

The report's exact shape belongs to ``synth``; this reader is generic: scalar leaves become a summary
table, lists of records with a numeric field become one bar chart per numeric field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

MAX_CHARTS = 12
X_PREFERENCE = ("length", "bucket", "count_bucket", "bin", "label", "name", "column")
#: Bookkeeping fields of per-bucket records that are not worth a chart of their own.
SKIP_FIELDS = {"size", "mean_length", "mean_count"}


@dataclass(frozen=True)
class Chart:
    title: str
    frame: pd.DataFrame
    x: str
    y: str


@dataclass
class EvaluationView:
    scalars: list[tuple[str, str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)


#: Words of the evaluation report's keys as a reader writes them.
_WORDS = {"pct": "%", "mae": "mean absolute error", "vs": "vs.", "n": "number"}


def _pretty(path: list[str]) -> str:
    """``["synthetic_vs_aggregates", "suppressed_pct"]`` -> ``Synthetic vs. aggregates: suppressed %``."""
    parts = [" ".join(_WORDS.get(w, w) for w in p.split("_")) for p in path]
    text = ": ".join(parts)
    return text[:1].upper() + text[1:]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _walk(node, path: list[str], out: EvaluationView) -> None:
    if isinstance(node, dict):
        if (
            node
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in node.values())
            and len(node) > 1
            and all(k.isdigit() for k in node)
        ):
            frame = pd.DataFrame({"length": list(node), "value": list(node.values())})
            out.charts.append(Chart(_pretty(path), frame, "length", "value"))
            return
        for key, value in node.items():
            _walk(value, path + [str(key)], out)
    elif isinstance(node, list) and node and all(_is_number(v) for v in node) and path and "by_length" in path[-1]:
        frame = pd.DataFrame({"length": [str(i + 1) for i in range(len(node))], "value": node})
        out.charts.append(Chart(_pretty(path), frame, "length", "value"))
    elif isinstance(node, list) and node and all(isinstance(r, dict) and "text" in r for r in node):
        out.sentences.extend(str(r["text"]) for r in node)
    elif isinstance(node, list) and node and all(isinstance(r, dict) for r in node):
        frame = pd.DataFrame(node)
        numeric = [
            c
            for c in frame.columns
            if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        ]
        x = next((c for c in X_PREFERENCE if c in frame.columns), None) or next(
            (c for c in frame.columns if c not in numeric), None
        )
        if x is None:
            return
        for y in numeric:
            if y != x and y not in SKIP_FIELDS:
                out.charts.append(Chart(_pretty([*path, y]), frame, x, y))
    elif isinstance(node, (int, float, str)) and not isinstance(node, bool):
        out.scalars.append((_pretty(path), f"{node:.4g}" if isinstance(node, float) else str(node)))


def evaluation_tables(report: dict) -> EvaluationView:
    """Summary rows and up to MAX_CHARTS charts from an evaluation report."""
    out = EvaluationView()
    _walk(report, [], out)
    out.charts = out.charts[:MAX_CHARTS]
    return out
