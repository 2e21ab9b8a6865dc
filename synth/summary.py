"""The refresh summary: what a release kept and suppressed, its noise, its spend and the budget left.

It names the suppressed values of the private input (values that failed the DP threshold, so were *not*
published), which are private: the summary goes to the operator's terminal (stderr) and into the private
report (``<private-dir>/reports/<release id>/private_report.json``, section ``summary``), never into a
release folder. Everything else in it is a DP output or a public parameter, except the zero shares of the
warnings, which are exact private counts too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from synth.encode import Schema
from synth.ledger import Budget, Usage
from synth.release_format import ReleaseMetadata

PRIVATE = "private: do not publish (names values of the private input that the release suppressed)"
#: Where a refresh writes its private report, inside the private workspace.
REPORTS = "reports"
PRIVATE_REPORT = "private_report.json"
#: At most this many suppressed values per column are printed (the private report lists them all).
MAX_VALUES_PRINTED = 20


def private_report_path(private_dir: Path, release_id: str) -> Path:
    """``<private-dir>/reports/<release id>/private_report.json``."""
    return Path(private_dir) / REPORTS / release_id / PRIVATE_REPORT


def read_summary(private_dir: Path, release_id: str) -> dict:
    """The ``summary`` section of a refresh's private report."""
    summary: dict = json.loads(private_report_path(private_dir, release_id).read_text(encoding="utf-8"))["summary"]
    return summary


def suppressed_values(private: Schema, public: Schema) -> dict[str, list[str]]:
    """Per source column, the values of the private input that the release does not name (failed the threshold).

    A value of a multi-value column is its expanded column's value (``perpRole_Smuggler`` -> ``Smuggler``).
    """
    kept = {(c.name, v) for c in public.columns for v in c.values}
    out: dict[str, list[str]] = {}
    for col in private.columns:
        for value in col.values:
            if (col.name, value) not in kept:
                out.setdefault(col.source, []).append(col.attribute_name if col.multi_value else value)
    return out


def dropped_columns(used: Iterable[str], private: Schema, public: Schema) -> dict[str, str]:
    """Source columns without any published value, with the reason: all values suppressed, or none in the input."""
    published = {c.source for c in public.columns}
    n_values: dict[str, int] = {}
    for col in private.columns:
        n_values[col.source] = n_values.get(col.source, 0) + (1 if col.multi_value else len(col.values))
    out = {}
    for source in used:
        if source in published:
            continue
        n = n_values.get(source, 0)
        out[source] = f"all {n} value(s) failed the threshold" if n else "no value in the input"
    return out


def build_summary(
    *,
    metadata: ReleaseMetadata,
    used_columns: Iterable[str],
    private: Schema,
    public: Schema,
    budget: Budget,
    spent: Usage,
    zero_shares: dict[str, float],
    zero_heavy: Iterable[str],
) -> dict:
    """The JSON summary of one refresh. ``spent`` is the ledger's usage of the source *after* this release."""
    used = list(used_columns)
    privacy = metadata.privacy
    suppressed = suppressed_values(private, public)
    dropped = dropped_columns(used, private, public)
    cumulative = None if spent.void else {"epsilon": spent.epsilon, "delta": spent.delta}
    left = None if spent.void else {"epsilon": budget.epsilon - spent.epsilon, "delta": budget.delta - spent.delta}
    warnings = [
        f'column {col!r}: {zero_shares[col]:.0%} of its non-empty cells are "0", read as absent; if 0 is a value '
        "there, list the column in dataset.sensitive_zeros"
        for col in zero_heavy
    ]
    return {
        "private": PRIVATE,
        "release_id": metadata.release_id,
        "dataset": metadata.dataset.name,
        "synthetic_rows": metadata.synthesis.n_records,
        "protected_number_of_records": privacy.protected_number_of_records,
        "columns": {
            "kept": [c for c in used if c not in dropped],
            "dropped": dropped,
            "published_encoded_columns": len(public.columns),
        },
        "suppressed_values": {
            col: {"count": len(values), "values": values} for col, values in suppressed.items() if values
        },
        "noise_sd": list(privacy.noise_sd),
        "thresholds": list(privacy.thresholds),
        "threshold_type": privacy.threshold_type,
        "release": {
            "epsilon": privacy.epsilon_total,
            "binning_epsilon": privacy.binning_epsilon,
            "delta": privacy.delta,
        },
        "source": {
            "releases": spent.releases,
            "cumulative": cumulative,
            "budget": {"epsilon": budget.epsilon, "delta": budget.delta},
            "left": left,
            "guarantee": "void: a non-DP k-anonymity bundle of this source exists" if spent.void else "DP",
        },
        "warnings": warnings,
    }


def _per_length(values: list[float | None]) -> str:
    """``length 1: 22.1, length 2: -`` (None: nothing of that length could be published, e.g. a cap of 0)."""
    parts = (f"length {i}: {'-' if v is None else f'{v:.3g}'}" for i, v in enumerate(values, start=1))
    return ", ".join(parts) or "none"


def format_summary(summary: dict) -> str:
    """The summary as the lines printed at the end of a refresh."""
    cols, release, source = summary["columns"], summary["release"], summary["source"]
    n_used = len(cols["kept"]) + len(cols["dropped"])
    lines = [
        f"Refresh summary - {summary['private']}",
        f"  release           {summary['release_id']}",
        f"  synthetic rows    {summary['synthetic_rows']} "
        f"(DP record count n' = {summary['protected_number_of_records']})",
        f"  columns kept      {len(cols['kept'])} of {n_used}: {', '.join(cols['kept']) or 'none'}",
        "  columns dropped   " + ("; ".join(f"{c} ({why})" for c, why in cols["dropped"].items()) or "none"),
    ]
    suppressed = summary["suppressed_values"]
    if suppressed:
        lines.append("  suppressed values (failed the threshold, not published):")
        for col, item in suppressed.items():
            shown = item["values"][:MAX_VALUES_PRINTED]
            more = item["count"] - len(shown)
            listed = ", ".join(shown) + (f", ... ({more} more in the private report)" if more else "")
            lines.append(f"    {col}: {item['count']}: {listed}")
    else:
        lines.append("  suppressed values none")
    lines += [
        f"  noise SD          {_per_length(summary['noise_sd'])}",
        f"  thresholds        {_per_length(summary['thresholds'])} ({summary['threshold_type']})",
        f"  this release      epsilon {release['epsilon']:g} (binning {release['binning_epsilon']:g}), "
        f"delta {release['delta']:.3g}",
    ]
    budget = source["budget"]
    if source["cumulative"] is None:
        lines.append(f"  source spend      {source['guarantee']} (budget epsilon {budget['epsilon']:g})")
    else:
        spent, left = source["cumulative"], source["left"]
        lines.append(
            f"  source spend      epsilon {spent['epsilon']:g} of {budget['epsilon']:g} ({left['epsilon']:g} left), "
            f"delta {spent['delta']:.3g} of {budget['delta']:.3g} ({left['delta']:.3g} left) "
            f"over {source['releases']} release(s)"
        )
    lines += [f"  warning           {w}" for w in summary["warnings"]]
    return "\n".join(lines)
