"""Privacy-budget ledger: basic composition, refusal past the budget, explicit override."""

import json

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


# --- issue 8, findings 4 and 5: fingerprints, non-DP uses, strict JSON, version 1 files ---------------

FP, OTHER_FP = "sha256:" + "a" * 64, "sha256:" + "b" * 64


def dp_entry(epsilon: float, fingerprint: str | None = FP) -> dict:
    return {"release_id": "r", "epsilon": epsilon, "delta": 1e-6, "fingerprint": fingerprint}


def test_the_same_content_under_a_new_name_counts_toward_the_budget(tmp_path, caplog):
    budget = ledger.Budget(10.0, 1e-3)
    ledger.record(tmp_path, "cases", dp_entry(8.0), budget, False)
    assert ledger.spent(tmp_path, "renamed", FP) == ledger.Budget(8.0, 1e-6)
    assert ledger.spent(tmp_path, "renamed", OTHER_FP) == ledger.Budget(0.0, 0.0)  # other content, other name
    with pytest.raises(
        BudgetError, match=r"'renamed'.*spent epsilon 8, .*together with 'cases': the same input content"
    ):
        ledger.check(tmp_path, "renamed", 4.0, 1e-6, budget, fingerprint=FP)
    with caplog.at_level("WARNING", logger="synth.ledger"):
        assert ledger.aliases(tmp_path, "renamed", FP) == ["cases"]
    assert "same content" in caplog.text and "'cases'" in caplog.text
    assert ledger.aliases(tmp_path, "cases", FP) == [] and ledger.aliases(tmp_path, "renamed", OTHER_FP) == []


def test_links_are_transitive_over_names_and_fingerprints(tmp_path):
    budget = ledger.Budget(100.0, 1e-3)
    ledger.record(tmp_path, "a", dp_entry(1.0, FP), budget, False)
    ledger.record(tmp_path, "a", dp_entry(2.0, OTHER_FP), budget, False)  # the data of "a" changed
    ledger.record(tmp_path, "b", dp_entry(4.0, OTHER_FP), budget, False)  # the new data renamed "b"
    ledger.record(tmp_path, "c", dp_entry(8.0, "sha256:" + "c" * 64), budget, False)  # unrelated
    assert ledger.spent(tmp_path, "b") == ledger.Budget(7.0, pytest.approx(3e-6))
    assert ledger.spent(tmp_path, "new", FP).epsilon == 7.0  # the old content of "a" reaches "b" through "a"
    assert ledger.usage(tmp_path, "c").names == ("c",)
    assert ledger.summary(tmp_path)["b"]["linked_sources"] == ["a"]


def test_a_non_dp_use_is_strict_json_and_voids_the_guarantee(tmp_path):
    budget = ledger.Budget(20.0, 1e-3)
    ledger.record(tmp_path, "cases", dp_entry(4.0), budget, False)
    kanon = {"release_id": "kanon-x", "dp": False, "epsilon": None, "delta": None, "fingerprint": FP}
    ledger.record(tmp_path, "bundle-name", kanon, budget, False)
    text = (tmp_path / ledger.LEDGER).read_text()
    assert "Infinity" not in text and "NaN" not in text
    entry = json.loads(text)["sources"]["bundle-name"]["entries"][0]
    assert (entry["dp"], entry["epsilon"], entry["delta"]) == (False, None, None)
    used = ledger.usage(tmp_path, "cases")
    assert used.void and (used.epsilon, used.releases, used.non_dp) == (4.0, 1, 1)
    with pytest.raises(BudgetError, match=r"non-DP k-anonymity bundle.*guarantee is already void.*--allow-over-budget"):
        ledger.check(tmp_path, "cases", 1.0, 1e-6, budget, fingerprint=FP)
    assert ledger.check(tmp_path, "cases", 1.0, 1e-6, budget, allow_over_budget=True) is True
    assert ledger.summary(tmp_path)["cases"]["guarantee"].startswith("void")
    with pytest.raises(ValueError, match="finite"):
        ledger.record(tmp_path, "cases", {"epsilon": float("inf"), "delta": 0.0}, budget, False)
    with pytest.raises(ValueError, match="null"):
        ledger.record(tmp_path, "cases", {**kanon, "epsilon": float("inf")}, budget, False)


def test_a_version_1_ledger_is_read_and_migrated(tmp_path):
    old = {
        "sources": {"cases": {"budget": {"epsilon": 10.0, "delta": 1e-4}, "entries": [{"epsilon": 4.0, "delta": 2e-5}]}}
    }
    (tmp_path / ledger.LEDGER).write_text(json.dumps(old))
    assert ledger.spent(tmp_path, "cases", FP) == ledger.Budget(4.0, 2e-5)
    assert ledger.budget_of(tmp_path, "cases") == ledger.Budget(10.0, 1e-4)
    ledger.record(tmp_path, "cases", dp_entry(1.0), ledger.Budget(10.0, 1e-4), False)
    doc = json.loads((tmp_path / ledger.LEDGER).read_text())
    assert doc["version"] == 2
    assert [(e["dp"], e["fingerprint"]) for e in doc["sources"]["cases"]["entries"]] == [(True, None), (True, FP)]
    (tmp_path / ledger.LEDGER).write_text(json.dumps({"version": 3, "sources": {}}))
    with pytest.raises(BudgetError, match="version 3"):
        ledger.spent(tmp_path, "cases")
