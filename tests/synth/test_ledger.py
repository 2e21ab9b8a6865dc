"""Privacy-budget ledger: basic composition, refusal past the budget, explicit override."""

import pytest

from synth import ledger
from synth.errors import BudgetError


def test_spend_composes_by_summation(tmp_path):
    budget = ledger.Budget(10.0, 1e-4)
    for i, eps in enumerate([4.0, 4.0]):
        assert ledger.check(tmp_path, "src", eps, 2e-5, budget) is False
        ledger.record(tmp_path, "src", {"release_id": f"r{i}", "epsilon": eps, "delta": 2e-5}, budget, False)
    assert ledger.spent(tmp_path, "src") == ledger.Budget(8.0, pytest.approx(4e-5))
    assert ledger.spent(tmp_path, "other") == ledger.Budget(0.0, 0.0)


def test_refresh_past_budget_is_refused_with_clear_message(tmp_path):
    budget = ledger.Budget(10.0, 1e-4)
    ledger.record(tmp_path, "src", {"epsilon": 8.0, "delta": 1e-5}, budget, False)
    with pytest.raises(BudgetError, match=r"spent epsilon 8.*would exceed its budget \(epsilon 10"):
        ledger.check(tmp_path, "src", 4.0, 1e-5, budget)
    with pytest.raises(BudgetError):
        ledger.check(tmp_path, "src", 1.0, 1e-4, budget)  # delta past the budget
    assert ledger.check(tmp_path, "src", 2.0, 1e-5, budget) is False  # exactly at the budget is allowed


def test_override_is_allowed_and_recorded(tmp_path):
    budget = ledger.Budget(5.0, 1e-4)
    assert ledger.check(tmp_path, "src", 6.0, 1e-5, budget, allow_over_budget=True) is True
    ledger.record(tmp_path, "src", {"epsilon": 6.0, "delta": 1e-5}, budget, True)
    summary = ledger.summary(tmp_path)["src"]
    assert summary["epsilon_spent"] == 6.0 and summary["refreshes"] == 1
    assert summary["budget"] == {"epsilon": 5.0, "delta": 1e-4}


def test_budget_resolution_prefers_given_then_stored_then_default(tmp_path):
    assert ledger.budget_of(tmp_path, "s") == ledger.Budget(ledger.DEFAULT_BUDGET_EPSILON, ledger.DEFAULT_BUDGET_DELTA)
    ledger.record(tmp_path, "s", {"epsilon": 1.0, "delta": 0.0}, ledger.Budget(7.0, 1e-5), False)
    assert ledger.budget_of(tmp_path, "s") == ledger.Budget(7.0, 1e-5)
    assert ledger.budget_of(tmp_path, "s", epsilon=9.0) == ledger.Budget(9.0, 1e-5)
