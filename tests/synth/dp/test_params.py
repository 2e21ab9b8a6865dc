"""DP marginals parameters (synth.dp.params): budget split, thresholds, record-count noise, presets, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from synth.dp.params import (
    DpParams,
    budget_split,
    protect_record_count,
    threshold_adaptive,
    threshold_for_length,
    threshold_length_1,
)

# --- budget split and thresholds: the worked example of the reference (ε 4, n' 6018, R 3) -------------
# The reference's δ = 1/(ln(n')·n') at n' = 6018, given explicitly: our default δ no longer depends on n'.
WORKED_DELTA = 1.0 / (math.log(6018) * 6018)

#: The reference's defaults: the same as ours except the percentile share (SDS 1 %, ours 10 %).
SDS = DpParams(percentile_epsilon_proportion=0.01)
#: The reference's worked example: its defaults with its δ at n' = 6018.
SDS_WORKED = DpParams(percentile_epsilon_proportion=0.01, delta=WORKED_DELTA)


def test_budget_split_worked_example():
    split = budget_split(SDS_WORKED)
    assert split.epsilon_n == pytest.approx(0.02)
    assert split.epsilon_m == pytest.approx(3.98)
    assert split.delta == pytest.approx(1.909e-5, rel=1e-3)
    assert math.log(2 / split.delta) == pytest.approx(11.559, abs=5e-4)
    assert split.rho == pytest.approx(0.29387, abs=5e-6)
    assert split.epsilon_q == pytest.approx(0.04426, abs=5e-6)
    assert [round(s, 3) for s in split.sigmas] == [4.905, 2.453, 1.635]
    # the zCDP identity R·ε_Q²/2 + ½Σ1/σ_k² = ρ
    assert 3 * split.epsilon_q**2 / 2 + sum(0.5 / s**2 for s in split.sigmas) == pytest.approx(split.rho, abs=1e-12)


def test_default_percentile_share_scales_sigma():
    # σ ∝ 1/√(1 - share): the 10 % default multiplies every σ by √(0.99/0.9) = 1.0488 and ε_Q by √10.
    ours, sds = budget_split(DpParams()), budget_split(SDS)
    assert ours.sigmas == pytest.approx([s * math.sqrt(0.99 / 0.9) for s in sds.sigmas], rel=1e-12)
    assert ours.epsilon_q == pytest.approx(sds.epsilon_q * math.sqrt(10), rel=1e-12)


def test_thresholds_worked_example():
    split = budget_split(SDS_WORKED)
    assert split.sigmas[0] * math.sqrt(10) == pytest.approx(15.51, abs=5e-3)
    assert threshold_length_1(split.sigmas[0], 10, split.delta) == pytest.approx(74.88, abs=5e-3)
    for eta, expected in [(1.0, 0.0), (0.55, 9.83), (0.1, 27.06), (0.01, 42.38)]:
        assert threshold_adaptive(split.sigmas[1], 45, eta) == pytest.approx(expected, abs=5e-3)
    balanced = DpParams(fabrication_mode="balanced")
    assert threshold_for_length(split, balanced.thresholds(), 2, 45) == pytest.approx(9.83, abs=5e-3)
    fixed = DpParams(fabrication_mode="custom_fixed", threshold_values={3: 7.5})
    assert threshold_for_length(split, fixed.thresholds(), 3, 45) == 7.5
    assert threshold_for_length(split, fixed.thresholds(), 2, 45) == 0.0


def test_default_delta_comes_from_public_values_only():
    # Finding 5 of issue 8: never from the noisy n' (the split no longer even takes it).
    assert (budget_split(DpParams()).delta, budget_split(DpParams()).delta_source) == (1e-6, "default: fixed 1e-6")
    bounded = budget_split(DpParams(max_records=100_000))
    assert bounded.delta == pytest.approx(1 / (100_000 * math.log(100_000)))
    assert "n_max = 100000" in bounded.delta_source
    given = budget_split(DpParams(delta=2e-6, max_records=100_000))
    assert (given.delta, given.delta_source) == (2e-6, "user")


@pytest.mark.parametrize("bad", [1, 0, -5, 2.5, True, "100"])
def test_max_records_must_be_an_integer_of_at_least_two(bad):
    with pytest.raises(ValueError, match="max_records"):
        DpParams(max_records=bad)


def test_protected_count_is_laplace_with_scale_one_over_epsilon_n():
    rng = np.random.default_rng(11)
    noise = np.array([protect_record_count(5000, 0.02, rng) for _ in range(4000)]) - 5000
    # Laplace(1/ε_N): mean 0, mean |x| = 50, SD = √2·50 = 70.7 (rounding adds < 0.3). Tolerance 5 %.
    assert abs(noise.mean()) < 4 * 70.7 / math.sqrt(4000)
    assert np.abs(noise).mean() == pytest.approx(50, rel=0.05)
    assert noise.std() == pytest.approx(70.7, rel=0.05)


# --- parameters --------------------------------------------------------------------------------------


def test_fabrication_presets():
    assert DpParams(reporting_length=4, fabrication_mode="progressive").thresholds().values == pytest.approx(
        (0.1, 0.55, 1.0)
    )
    assert DpParams(reporting_length=2, fabrication_mode="progressive").thresholds().values == (0.1,)
    assert DpParams(reporting_length=4, fabrication_mode="balanced").thresholds().values == (0.55, 1.0, 1.0)
    assert DpParams(fabrication_mode="minimize").thresholds().values == (0.01, 0.01)
    default = DpParams().thresholds()
    assert (default.kind, default.values) == ("adaptive", (1.0, 1.0))
    fixed = DpParams(reporting_length=4, fabrication_mode="custom_fixed", threshold_values={3: 5}).thresholds()
    assert (fixed.kind, fixed.values) == ("fixed", (0.0, 5.0, 0.0))
    adaptive = DpParams(fabrication_mode="custom_adaptive", threshold_values={2: 0.3}).thresholds()
    assert (adaptive.kind, adaptive.values, adaptive.to_dict()) == ("adaptive", (0.3, 1.0), {"2": 0.3, "3": 1.0})


def test_accuracy_modes():
    assert DpParams().resolved_sigma_proportions() == pytest.approx((1, 1 / 2, 1 / 3))
    assert DpParams(accuracy_mode="prioritize_short").resolved_sigma_proportions() == pytest.approx((1 / 3, 1 / 2, 1))
    assert DpParams(accuracy_mode="balanced").resolved_sigma_proportions() == (1.0, 1.0, 1.0)
    custom = DpParams(reporting_length=2, accuracy_mode="custom", sigma_proportions=[2, 1])
    assert custom.resolved_sigma_proportions() == (2.0, 1.0)
    split = budget_split(custom)
    assert split.sigmas[0] == pytest.approx(2 * split.sigmas[1])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epsilon": 0}, "epsilon"),
        ({"epsilon": float("inf")}, "epsilon"),
        ({"delta": 1.0}, "delta"),
        ({"reporting_length": 0}, "reporting_length"),
        ({"percentile_percentage": 101}, "percentile_percentage"),
        ({"percentile_epsilon_proportion": 1.0}, "percentile_epsilon_proportion"),
        ({"number_of_records_epsilon_proportion": None}, "number_of_records_epsilon_proportion"),
        ({"accuracy_mode": "fast"}, "accuracy_mode"),
        ({"accuracy_mode": "custom", "sigma_proportions": [1, 1]}, "exactly 3"),
        ({"accuracy_mode": "custom", "sigma_proportions": [1, 0, 1]}, "> 0"),
        ({"sigma_proportions": [1, 1, 1]}, "only be given"),
        ({"fabrication_mode": "none"}, "fabrication_mode"),
        ({"fabrication_mode": "custom_fixed"}, "needs threshold_values"),
        ({"fabrication_mode": "custom_fixed", "threshold_values": {1: 3}}, "lengths in 2..3"),
        ({"fabrication_mode": "custom_fixed", "threshold_values": {2: -1}}, ">= 0"),
        ({"fabrication_mode": "custom_adaptive", "threshold_values": {2: 0}}, r"\(0, 1\]"),
        ({"threshold_values": {2: 0.5}}, "only be given"),
    ],
)
def test_invalid_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DpParams(**kwargs)


def test_capped_drops_lengths_beyond_the_columns():
    params = DpParams(
        reporting_length=4,
        accuracy_mode="custom",
        sigma_proportions=[1, 2, 3, 4],
        fabrication_mode="custom_adaptive",
        threshold_values={2: 0.5, 4: 0.2},
    )
    capped = params.capped(2)
    assert (capped.reporting_length, capped.sigma_proportions, capped.threshold_values) == (2, (1.0, 2.0), ((2, 0.5),))
    assert params.capped(5) is params


@pytest.mark.parametrize(("epsilon", "delta"), [(1.0, 1e-20), (100.0, 1e-15), (1e-6, 1e-100), (9993476282.0, 1e-6)])
def test_budget_split_adds_up_for_tiny_deltas_and_huge_epsilons(epsilon, delta):
    split = budget_split(DpParams(epsilon=epsilon, delta=delta))
    spent = 3 * split.epsilon_q**2 / 2 + sum(1 / s**2 for s in split.sigmas) / 2
    assert spent == pytest.approx(split.rho, rel=1e-9)


def test_checked_params_of_reads_the_dp_fields_of_any_settings_object():
    from argparse import Namespace

    from synth.dp import checked_params_of
    from synth.errors import InputError

    cli = Namespace(epsilon=2.0, reporting_length=2, accuracy_mode="custom", sigma_proportions="2,1", seed=7)
    params = checked_params_of(cli, sigma_proportions=(2.0, 1.0))  # the parsed text option replaces the text
    assert params == DpParams(epsilon=2.0, reporting_length=2, accuracy_mode="custom", sigma_proportions=(2.0, 1.0))
    assert checked_params_of(Namespace(epsilon=1.5)) == DpParams(epsilon=1.5)  # fields it lacks: defaults
    with pytest.raises(InputError, match="invalid privacy parameters: epsilon must be"):
        checked_params_of(Namespace(epsilon=-1.0))
