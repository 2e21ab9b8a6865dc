"""Privacy-budget ledger, kept in the private workspace.

Every refresh of a source records the (epsilon, delta) it spent. Releases of the same source compose by
**basic sequential composition**: after releases i = 1..m the total guarantee is
(sum epsilon_i, sum delta_i)-DP. That bound is loose but always valid, whatever the mechanisms and whether
or not the source changed between refreshes (the same people stay in it). A refresh that would push
either total past the source's configured budget is refused unless explicitly overridden; an override is
recorded as such.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from synth.errors import BudgetError

LEDGER = "ledger.json"
DEFAULT_BUDGET_EPSILON = 20.0
DEFAULT_BUDGET_DELTA = 1e-3


@dataclass(frozen=True)
class Budget:
    epsilon: float
    delta: float


def _load(private_dir: Path) -> dict:
    path = Path(private_dir) / LEDGER
    if not path.exists():
        return {"sources": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def _save(private_dir: Path, ledger: dict) -> None:
    """Write atomically: a crash leaves either the old or the new ledger, never a torn one."""
    Path(private_dir).mkdir(parents=True, exist_ok=True)
    path = Path(private_dir) / LEDGER
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ledger, indent=2), encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def spent(private_dir: Path, source: str) -> Budget:
    """Total (epsilon, delta) spent so far on ``source`` under basic composition."""
    entries = _load(private_dir)["sources"].get(source, {}).get("entries", [])
    return Budget(sum(e["epsilon"] for e in entries), sum(e["delta"] for e in entries))


def budget_of(private_dir: Path, source: str, epsilon: float | None = None, delta: float | None = None) -> Budget:
    """The budget for ``source``: each part as given, else as stored in the ledger, else the default."""
    stored = _load(private_dir)["sources"].get(source, {}).get("budget") or {}
    return Budget(
        epsilon if epsilon is not None else stored.get("epsilon", DEFAULT_BUDGET_EPSILON),
        delta if delta is not None else stored.get("delta", DEFAULT_BUDGET_DELTA),
    )


def check(
    private_dir: Path, source: str, epsilon: float, delta: float, budget: Budget, allow_over_budget: bool = False
) -> bool:
    """Whether spending (epsilon, delta) exceeds ``budget``; raises BudgetError then, unless overridden."""
    used = spent(private_dir, source)
    over = used.epsilon + epsilon > budget.epsilon + 1e-12 or used.delta + delta > budget.delta * (1 + 1e-9)
    if over and not allow_over_budget:
        raise BudgetError(
            f"refusing to refresh {source!r}: it has spent epsilon {used.epsilon:g}, delta {used.delta:.3g}; "
            f"this refresh (epsilon {epsilon:g}, delta {delta:.3g}) would exceed its budget "
            f"(epsilon {budget.epsilon:g}, delta {budget.delta:.3g}). Raise the budget with --budget-epsilon/"
            "--budget-delta or pass --allow-over-budget to override knowingly."
        )
    return over


def record(private_dir: Path, source: str, entry: dict, budget: Budget, over_budget: bool) -> None:
    """Append a spend entry (needs ``epsilon`` and ``delta``) and store the budget in force."""
    if not isinstance(source, str) or not source:
        raise ValueError(f"a ledger source must be a non-empty string, got {source!r}")
    ledger = _load(private_dir)
    src = ledger["sources"].setdefault(source, {"entries": []})
    src["budget"] = {"epsilon": budget.epsilon, "delta": budget.delta}
    src["entries"].append({**entry, "over_budget": over_budget})
    _save(private_dir, ledger)


def summary(private_dir: Path) -> dict:
    """Per source: budget, totals spent, number of refreshes (for ``python -m synth ledger``)."""
    out = {}
    for source, src in _load(private_dir)["sources"].items():
        used = spent(private_dir, source)
        out[source] = {
            "budget": src.get("budget"),
            "epsilon_spent": used.epsilon,
            "delta_spent": used.delta,
            "refreshes": len(src["entries"]),
            "composition": "basic (sum of epsilons, sum of deltas)",
        }
    return out
