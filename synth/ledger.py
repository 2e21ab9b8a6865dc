"""Privacy-budget ledger, kept in the private workspace.

Every refresh of a source records the (epsilon, delta) it spent. Releases of the same source compose by
**basic sequential composition**: after releases i = 1..m the total guarantee is
(sum epsilon_i, sum delta_i)-DP. That bound is loose but always valid, whatever the mechanisms and whether
or not the source changed between refreshes (the same people stay in it). A refresh that would push
either total past the source's configured budget is refused unless explicitly overridden; an override is
recorded as such.

A source is keyed by its name (the dataset id) *and* the fingerprint of its input's content
(:mod:`synth.ingest.fingerprint`): the entries that count for a source are those of every name linked to it
by a shared name or a shared fingerprint, transitively, so a new ``--name`` for the same content does not
start a new budget. A k-anonymity bundle (``python -m synth kanon``) is recorded as a non-DP use
(``"dp": false``, ``"epsilon": null``, ``"delta": null``; the file stays strict JSON): once a source has one,
its releases have no DP guarantee left, and a DP refresh is refused unless overridden.

File format (``ledger.json``, version 2)::

    {"version": 2,
     "sources": {"<name>": {"budget": {"epsilon": 20.0, "delta": 0.001},
                            "entries": [{"release_id": ..., "created_at": ..., "dp": true,
                                         "mechanism": "dp_marginals", "epsilon": 4.0, "delta": 1e-06,
                                         "fingerprint": "sha256:...", "input": ..., "over_budget": false}]}}}

A version 1 ledger (no ``version``; DP refreshes only, without fingerprints) is read as version 2 with
``"dp": true`` and ``"fingerprint": null`` on every entry, and written back as version 2 on the next record.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth.errors import BudgetError

log = logging.getLogger(__name__)

LEDGER = "ledger.json"
LEDGER_VERSION = 2
DEFAULT_BUDGET_EPSILON = 20.0
DEFAULT_BUDGET_DELTA = 1e-3


@dataclass(frozen=True)
class Budget:
    epsilon: float
    delta: float


@dataclass(frozen=True)
class Usage:
    """What the ledger holds for a source and everything linked to it (by name or fingerprint).

    ``epsilon``, ``delta``: sums over the DP releases; ``releases``: their number; ``non_dp``: the number of
    non-DP uses (k-anonymity bundles), after which no DP guarantee is left; ``names``: the linked names.
    """

    epsilon: float
    delta: float
    releases: int
    non_dp: int
    names: tuple[str, ...]

    @property
    def void(self) -> bool:
        """Whether a non-DP use of the source voids the DP guarantee of its releases."""
        return self.non_dp > 0


def _load(private_dir: Path) -> dict:
    path = Path(private_dir) / LEDGER
    if not path.exists():
        return {"version": LEDGER_VERSION, "sources": {}}
    return _migrate(json.loads(path.read_text(encoding="utf-8")), path)


def _migrate(doc: Any, path: Path) -> dict:
    """A version 1 ledger read as version 2 (every entry a DP refresh without a known fingerprint)."""
    version = doc.get("version", 1) if isinstance(doc, dict) else None
    if version not in (1, LEDGER_VERSION) or not isinstance(doc.get("sources"), dict):
        raise BudgetError(f"{path}: not a ledger this software reads (version {version!r}, it reads 1 and 2)")
    for name, src in doc["sources"].items():
        for entry in src.get("entries", []):
            entry.setdefault("dp", True)
            entry.setdefault("fingerprint", None)
            if entry["dp"] and not all(
                isinstance(entry.get(k), (int, float)) and math.isfinite(entry[k]) and entry[k] >= 0
                for k in ("epsilon", "delta")
            ):
                raise BudgetError(
                    f"{path}: an entry of {name!r} ({entry.get('release_id')}) spent epsilon {entry.get('epsilon')!r}, "
                    f"delta {entry.get('delta')!r}, not finite numbers >= 0: the ledger is damaged; restore it "
                    "from a backup (its spend cannot be guessed)"
                )
    doc["version"] = LEDGER_VERSION
    return doc


def _save(private_dir: Path, ledger: dict) -> None:
    """Write atomically: a crash leaves either the old or the new ledger, never a torn one. Strict JSON."""
    Path(private_dir).mkdir(parents=True, exist_ok=True)
    path = Path(private_dir) / LEDGER
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ledger, indent=2, allow_nan=False), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _linked(ledger: dict, source: str, fingerprint: str | None) -> tuple[set[str], list[dict]]:
    """The names linked to ``source`` / ``fingerprint`` by shared names or fingerprints, and their entries."""
    names, prints = {source}, {fingerprint} - {None}
    grown = True
    while grown:
        grown = False
        for name, src in ledger["sources"].items():
            for entry in src.get("entries", []):
                fp = entry.get("fingerprint")
                linked = name in names or fp in prints
                if linked and (name not in names or (fp is not None and fp not in prints)):
                    names.add(name)
                    prints |= {fp} - {None}
                    grown = True
    entries = [e for name in sorted(names) for e in ledger["sources"].get(name, {}).get("entries", [])]
    return names, entries


def usage(private_dir: Path, source: str, fingerprint: str | None = None) -> Usage:
    """The spend of ``source`` and of every name linked to it (see the module docstring)."""
    names, entries = _linked(_load(private_dir), source, fingerprint)
    dp = [e for e in entries if e["dp"]]
    return Usage(
        sum(e["epsilon"] for e in dp),
        sum(e["delta"] for e in dp),
        len(dp),
        len(entries) - len(dp),
        tuple(sorted(names)),
    )


def spent(private_dir: Path, source: str, fingerprint: str | None = None) -> Budget:
    """Total (epsilon, delta) of the DP releases of ``source`` and its linked names, by basic composition."""
    used = usage(private_dir, source, fingerprint)
    return Budget(used.epsilon, used.delta)


def aliases(private_dir: Path, source: str, fingerprint: str) -> list[str]:
    """Other names under which the ledger holds this content; logs a warning when there are any."""
    ledger = _load(private_dir)
    others = sorted(
        name
        for name, src in ledger["sources"].items()
        if name != source and any(e.get("fingerprint") == fingerprint for e in src.get("entries", []))
    )
    if others:
        log.warning(
            "the input of %r has the same content (fingerprint %s) as %s in the ledger; their spend counts "
            "toward this source's budget",
            source,
            fingerprint[:19],
            ", ".join(map(repr, others)),
        )
    return others


def _finite_positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def budget_of(private_dir: Path, source: str, epsilon: float | None = None, delta: float | None = None) -> Budget:
    """The budget for ``source``: each part as given, else as stored in the ledger, else the default.

    Every part must be a finite number > 0 (a NaN or infinite budget would disable the check for good):
    BudgetError for a given one, and for a stored one that is not replaced by a given one.
    """
    for option, given in (("--budget-epsilon", epsilon), ("--budget-delta", delta)):
        if given is not None and not _finite_positive(given):
            raise BudgetError(f"{option} must be a finite number > 0, got {given!r}")
    stored = _load(private_dir)["sources"].get(source, {}).get("budget") or {}
    budget = Budget(
        epsilon if epsilon is not None else stored.get("epsilon", DEFAULT_BUDGET_EPSILON),
        delta if delta is not None else stored.get("delta", DEFAULT_BUDGET_DELTA),
    )
    for part, value in (("epsilon", budget.epsilon), ("delta", budget.delta)):
        if not _finite_positive(value):
            raise BudgetError(
                f"{Path(private_dir) / LEDGER}: the stored {part} budget of {source!r} is {value!r}, not a finite "
                f"number > 0; give --budget-epsilon and --budget-delta to replace it"
            )
    return budget


def check(
    private_dir: Path,
    source: str,
    epsilon: float,
    delta: float,
    budget: Budget,
    allow_over_budget: bool = False,
    fingerprint: str | None = None,
) -> bool:
    """Whether a DP release spending (epsilon, delta) goes past ``budget``, or the source's guarantee is void.

    Counts the spend of every name linked to ``source`` (and to ``fingerprint``, when known). Raises
    BudgetError then, unless ``allow_over_budget``.
    """
    used = usage(private_dir, source, fingerprint)
    linked = [n for n in used.names if n != source]
    also = f" (together with {', '.join(map(repr, linked))}: the same input content)" if linked else ""
    if used.void:
        if not allow_over_budget:
            raise BudgetError(
                f"refusing to refresh {source!r}: the ledger holds {used.non_dp} non-DP k-anonymity bundle(s) of "
                f"this source{also}, so its DP guarantee is already void and a new release could not state a "
                "true one. Pass --allow-over-budget to publish anyway (recorded)."
            )
        return True
    over = used.epsilon + epsilon > budget.epsilon + 1e-12 or used.delta + delta > budget.delta * (1 + 1e-9)
    if over and not allow_over_budget:
        raise BudgetError(
            f"refusing to refresh {source!r}: it has spent epsilon {used.epsilon:g}, delta {used.delta:.3g}{also}; "
            f"this refresh (epsilon {epsilon:g}, delta {delta:.3g}) would exceed its budget "
            f"(epsilon {budget.epsilon:g}, delta {budget.delta:.3g}). Raise the budget with --budget-epsilon/"
            "--budget-delta or pass --allow-over-budget to override knowingly."
        )
    return over


def record(private_dir: Path, source: str, entry: dict, budget: Budget, over_budget: bool) -> None:
    """Append an entry and store the budget in force.

    A DP entry (``"dp"`` true, the default) needs finite ``epsilon`` and ``delta``; a non-DP entry
    (``"dp": false``) has ``"epsilon": null`` and ``"delta": null``. ``fingerprint`` defaults to null.
    """
    if not isinstance(source, str) or not source:
        raise ValueError(f"a ledger source must be a non-empty string, got {source!r}")
    entry = {"dp": True, "fingerprint": None, **entry}
    if entry["dp"]:
        if not all(isinstance(entry.get(k), (int, float)) and math.isfinite(entry[k]) for k in ("epsilon", "delta")):
            raise ValueError(f"a DP ledger entry needs finite epsilon and delta, got {entry!r}")
    elif entry.get("epsilon") is not None or entry.get("delta") is not None:
        raise ValueError("a non-DP ledger entry has no epsilon and delta (null)")
    ledger = _load(private_dir)
    src = ledger["sources"].setdefault(source, {"entries": []})
    src["budget"] = {"epsilon": budget.epsilon, "delta": budget.delta}
    src["entries"].append({**entry, "over_budget": over_budget})
    _save(private_dir, ledger)


def settle(private_dir: Path, source: str, entry: dict, budget: Budget, over_budget: bool) -> None:
    """Record a release's DP entry, replacing the partial entry of the same ``release_id`` (its binning charge,
    recorded earlier) if there is one; else like :func:`record`. ``entry`` holds the whole release's spend."""
    ledger = _load(private_dir)
    entries = ledger["sources"].get(source, {}).get("entries", [])
    kept = [e for e in entries if e.get("release_id") != entry["release_id"]]
    if len(kept) != len(entries):
        ledger["sources"][source]["entries"] = kept
        _save(private_dir, ledger)
    record(private_dir, source, entry, budget, over_budget)


def summary(private_dir: Path) -> dict:
    """Per source: budget, totals spent (with linked names), refreshes, non-DP uses (``python -m synth ledger``)."""
    out = {}
    for source, src in _load(private_dir)["sources"].items():
        used = usage(private_dir, source)
        out[source] = {
            "budget": src.get("budget"),
            "epsilon_spent": used.epsilon,
            "delta_spent": used.delta,
            "refreshes": sum(1 for e in src["entries"] if e["dp"]),
            "non_dp_bundles": used.non_dp,
            "guarantee": "void: a non-DP k-anonymity bundle of this source exists"
            if used.void
            else f"({used.epsilon:g}, {used.delta:.3g})-DP",
            "linked_sources": [n for n in used.names if n != source],
            "composition": "basic (sum of epsilons, sum of deltas)",
        }
    return out
