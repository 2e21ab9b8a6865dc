"""Parameters of the DP marginals mechanism and the zCDP budget split (reference: SDS ``sds-core`` §4.2-4.3).

Names follow the reference: ε (``epsilon``) is the total budget, ε_N protects the record count, ε_M the
marginals; ρ (``rho``) is the zCDP budget derived from ε_M and δ; ε_Q is spent by every per-length DP
percentile; σ_k is the Gaussian noise multiplier of length k (the noise SD of a k-count is σ_k·√Δ_k).
Count thresholds ρ_k are called *thresholds* here to keep them apart from the zCDP ρ.

Deliberate deviations from SDS:
- ``number_of_records_epsilon_proportion`` cannot be None: the record count is always protected (SDS
  falls back to the true n, which it then publishes and uses for the default δ).
- ``DpParams.capped`` lowers R to a number of columns before the budget is split, so no budget is
  spent on lengths that cannot occur (SDS splits over the uncapped R). The refresh caps R by the number of
  used source columns (public: header and spec), never by the encoded columns (data-dependent).
- ``percentile_epsilon_proportion`` defaults to 0.1 (SDS: 0.01): the percentile now chooses among public
  candidates up to C_l (:mod:`synth.dp.percentile`) and needs the larger share to land near the true
  percentile (measured in ``benchmarks/bench_percentile.py``, documented in docs/privacy.md).
- The default δ comes from a public bound, never from the data (SDS: 1/(ln(n')·n') from the noisy count):
  1/(n_max·ln(n_max)) with n_max the spec's ``max_records``, else a fixed 1e-6 (:func:`default_delta`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

import numpy as np
from scipy.stats import norm

from synth.errors import InputError

ACCURACY_MODES = ("prioritize_long", "prioritize_short", "balanced", "custom")
FABRICATION_MODES = ("uncontrolled", "progressive", "balanced", "minimize", "custom_fixed", "custom_adaptive")


@dataclass(frozen=True)
class Thresholds:
    """Count thresholds for lengths k >= 2: ``fixed`` values ρ_k, or ``adaptive`` values η_k in (0, 1]."""

    kind: Literal["fixed", "adaptive"]
    values: tuple[float, ...]  # values[k - 2] is for length k

    def value(self, length: int) -> float:
        return self.values[length - 2]

    def to_dict(self) -> dict[str, float]:
        """``{"2": v2, "3": v3, ...}`` (JSON keys are strings)."""
        return {str(k + 2): float(v) for k, v in enumerate(self.values)}


@dataclass(frozen=True)
class DpParams:
    """User parameters of DP marginals; defaults as pac-synth / the SDS web app, except the percentile share.

    accuracy_mode: ``prioritize_long`` (σ proportions 1, 1/2, 1/3, ...), ``prioritize_short``
    (1/R, ..., 1/2, 1), ``balanced`` (all 1) or ``custom`` (``sigma_proportions``, R values > 0).
    fabrication_mode: ``uncontrolled`` / ``progressive`` / ``balanced`` / ``minimize`` presets of
    adaptive η_k, or ``custom_fixed`` / ``custom_adaptive`` with ``threshold_values`` ({k: value},
    keys in 2..R; fixed values >= 0, missing -> 0; adaptive values in (0, 1], missing -> 1).
    """

    epsilon: float = 4.0
    delta: float | None = None
    reporting_length: int = 3
    percentile_percentage: float = 99
    percentile_epsilon_proportion: float = 0.1
    number_of_records_epsilon_proportion: float = 0.005
    accuracy_mode: str = "prioritize_long"
    sigma_proportions: tuple[float, ...] | None = None
    fabrication_mode: str = "uncontrolled"
    threshold_values: Mapping[int, float] | tuple[tuple[int, float], ...] | None = None
    max_records: int | None = None  # public upper bound on the number of subjects (spec); sets the default δ

    def __post_init__(self) -> None:
        # Normalise to hashable, immutable forms before validating.
        if self.sigma_proportions is not None:
            object.__setattr__(self, "sigma_proportions", tuple(float(p) for p in self.sigma_proportions))
        if self.threshold_values is not None:
            items = (
                self.threshold_values.items() if isinstance(self.threshold_values, Mapping) else self.threshold_values
            )
            object.__setattr__(self, "threshold_values", tuple(sorted((int(k), float(v)) for k, v in items)))
        self._validate()

    def _validate(self) -> None:
        r = self.reporting_length
        if not (isinstance(self.epsilon, (int, float)) and math.isfinite(self.epsilon) and self.epsilon > 0):
            raise ValueError(f"epsilon must be a finite number > 0, got {self.epsilon!r}")
        if self.delta is not None and not 0 < self.delta < 1:
            raise ValueError(f"delta must lie in (0, 1) or be None (automatic), got {self.delta!r}")
        n_max = self.max_records
        if n_max is not None and (isinstance(n_max, bool) or not isinstance(n_max, (int, np.integer)) or n_max < 2):
            raise ValueError(f"max_records must be an integer >= 2 or None, got {n_max!r}")
        if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or r < 1:
            raise ValueError(f"reporting_length must be an integer >= 1, got {r!r}")
        if not 0 <= self.percentile_percentage <= 100:
            raise ValueError(f"percentile_percentage must lie in [0, 100], got {self.percentile_percentage!r}")
        for name in ("percentile_epsilon_proportion", "number_of_records_epsilon_proportion"):
            value = getattr(self, name)
            if value is None or not 0 < value < 1:
                raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
        if self.accuracy_mode not in ACCURACY_MODES:
            raise ValueError(f"accuracy_mode must be one of {', '.join(ACCURACY_MODES)}; got {self.accuracy_mode!r}")
        if self.accuracy_mode == "custom":
            props = self.sigma_proportions
            if props is None or len(props) != r:
                raise ValueError(
                    f"accuracy_mode 'custom' needs sigma_proportions with exactly {r} values "
                    f"(one per length), got {props!r}"
                )
            if not all(math.isfinite(p) and p > 0 for p in props):
                raise ValueError(f"sigma_proportions must all be finite and > 0, got {props!r}")
        elif self.sigma_proportions is not None:
            raise ValueError("sigma_proportions may only be given with accuracy_mode 'custom'")
        if self.fabrication_mode not in FABRICATION_MODES:
            raise ValueError(
                f"fabrication_mode must be one of {', '.join(FABRICATION_MODES)}; got {self.fabrication_mode!r}"
            )
        if self.fabrication_mode.startswith("custom_"):
            self._validate_threshold_values()
        elif self.threshold_values is not None:
            raise ValueError(
                "threshold_values may only be given with fabrication_mode 'custom_fixed' or 'custom_adaptive'"
            )

    def _threshold_pairs(self) -> tuple[tuple[int, float], ...] | None:
        """``threshold_values`` as ``__post_init__`` leaves it: sorted (length, value) pairs, or None."""
        values = self.threshold_values
        assert not isinstance(values, Mapping), "threshold_values is normalised to pairs in __post_init__"
        return values

    def _validate_threshold_values(self) -> None:
        pairs = self._threshold_pairs()
        if pairs is None:
            raise ValueError(f"fabrication_mode {self.fabrication_mode!r} needs threshold_values {{length: value}}")
        for k, v in pairs:
            if not 2 <= k <= self.reporting_length:
                raise ValueError(f"threshold_values keys must be lengths in 2..{self.reporting_length}, got {k}")
            if self.fabrication_mode == "custom_fixed" and not (math.isfinite(v) and v >= 0):
                raise ValueError(f"fixed threshold for length {k} must be a finite number >= 0, got {v}")
            if self.fabrication_mode == "custom_adaptive" and not 0 < v <= 1:
                raise ValueError(f"adaptive threshold (eta) for length {k} must lie in (0, 1], got {v}")

    def capped(self, n_columns: int) -> DpParams:
        """These parameters with R lowered to ``n_columns`` (custom values for longer lengths dropped)."""
        if n_columns < 1:
            raise ValueError("the table has no columns")
        if self.reporting_length <= n_columns:
            return self
        props = self.sigma_proportions[:n_columns] if self.sigma_proportions is not None else None
        pairs = self._threshold_pairs()
        values = tuple((k, v) for k, v in pairs if k <= n_columns) if pairs is not None else None
        return replace(self, reporting_length=n_columns, sigma_proportions=props, threshold_values=values)

    def resolved_sigma_proportions(self) -> tuple[float, ...]:
        """σ proportions p_1..p_R of the accuracy mode."""
        r = self.reporting_length
        if self.accuracy_mode == "prioritize_long":
            return tuple(1.0 / (i + 1) for i in range(r))
        if self.accuracy_mode == "prioritize_short":
            return tuple(1.0 / (r - i) for i in range(r))
        if self.accuracy_mode == "balanced":
            return (1.0,) * r
        assert self.sigma_proportions is not None, "validated: accuracy_mode 'custom' has sigma_proportions"
        return tuple(self.sigma_proportions)

    def thresholds(self) -> Thresholds:
        """Thresholds for lengths 2..R from the fabrication mode."""
        r = self.reporting_length
        lengths = range(2, r + 1)
        mode = self.fabrication_mode
        if mode == "uncontrolled":
            return Thresholds("adaptive", tuple(1.0 for _ in lengths))
        if mode == "progressive":
            if r == 2:
                return Thresholds("adaptive", (0.1,))
            return Thresholds("adaptive", tuple(min(1.0, 0.1 + (0.9 / (r - 2)) * (k - 2)) for k in lengths))
        if mode == "balanced":
            return Thresholds("adaptive", tuple(0.55 if k == 2 else 1.0 for k in lengths))
        if mode == "minimize":
            return Thresholds("adaptive", tuple(0.01 for _ in lengths))
        pairs = self._threshold_pairs()
        assert pairs is not None, "validated: the custom fabrication modes have threshold_values"
        given = dict(pairs)
        if mode == "custom_fixed":
            return Thresholds("fixed", tuple(given.get(k, 0.0) for k in lengths))
        return Thresholds("adaptive", tuple(given.get(k, 1.0) for k in lengths))


@dataclass(frozen=True)
class BudgetSplit:
    """How ε is spent: ε_N on the record count, ε_M (as zCDP ρ) on R percentiles and R Gaussian levels."""

    epsilon: float
    epsilon_n: float
    epsilon_m: float
    delta: float
    rho: float
    epsilon_q: float
    sigma_proportions: tuple[float, ...]
    sigmas: tuple[float, ...]
    delta_source: str = "user"

    def to_dict(self) -> dict[str, float]:
        """The ε split (σ and δ are reported separately)."""
        return {
            "epsilon_number_of_records": self.epsilon_n,
            "epsilon_marginals": self.epsilon_m,
            "rho": self.rho,
            "epsilon_percentile": self.epsilon_q,
        }


def protect_record_count(n: int, epsilon_n: float, rng: np.random.Generator) -> int:
    """n' = round(n + Laplace(0, 1/ε_N)): the ε_N-DP record count."""
    return int(round(n + rng.laplace(0.0, 1.0 / epsilon_n)))


#: The default δ when the spec gives no ``max_records``.
DEFAULT_DELTA = 1e-6


def default_delta(max_records: int | None) -> tuple[float, str]:
    """The default δ and how it was set, from public values only: 1/(n_max·ln(n_max)), else 1e-6.

    Never from the data: SDS's 1/(ln(n')·n') depends on the noisy record count, so δ itself would leak.
    """
    if max_records is None:
        return DEFAULT_DELTA, "default: fixed 1e-6"
    return 1.0 / (max_records * math.log(max_records)), (
        f"default: 1/(n_max*ln(n_max)) with n_max = {max_records} (spec max_records)"
    )


def budget_split(params: DpParams) -> BudgetSplit:
    """The budget split of §4.3 (pure; depends on the parameters only; checks the zCDP identity)."""
    r = params.reporting_length
    eps_n = params.number_of_records_epsilon_proportion * params.epsilon
    eps_m = params.epsilon - eps_n
    delta, delta_source = (params.delta, "user") if params.delta is not None else default_delta(params.max_records)
    if not 0 < delta < 1:
        raise ValueError(f"delta must lie in (0, 1), got {delta}")
    log_term = math.log(2.0 / delta)
    rho = (math.sqrt(eps_m + log_term) - math.sqrt(log_term)) ** 2
    q_p = params.percentile_epsilon_proportion
    eps_q = math.sqrt(2.0 * rho * q_p / r)  # the same ε_Q for every length (as SDS's code)
    props = params.resolved_sigma_proportions()
    k = sum(1.0 / (p * p) for p in props)
    sigma = math.sqrt(k / (2.0 * rho * (1.0 - q_p)))
    sigmas = tuple(p * sigma for p in props)
    spent = r * eps_q * eps_q / 2.0 + sum(1.0 / (s * s) for s in sigmas) / 2.0
    # Relative: an absolute tolerance tied to delta failed on rounding alone for a small delta or a large rho.
    if not math.isclose(spent, rho, rel_tol=1e-9, abs_tol=0.0):
        raise RuntimeError(f"zCDP budget check failed: spent {spent!r} != rho {rho!r}")
    return BudgetSplit(params.epsilon, eps_n, eps_m, delta, rho, eps_q, props, sigmas, delta_source)


def threshold_length_1(sigma_1: float, delta_1: int, delta: float) -> float:
    """ρ_1 = 1 + σ_1·√Δ_1·Φ⁻¹((1 − δ/2)^(1/Δ_1)); the upper tail is computed directly for accuracy."""
    tail = -math.expm1(math.log1p(-delta / 2.0) / delta_1)
    return 1.0 + sigma_1 * math.sqrt(delta_1) * float(norm.isf(tail))


def threshold_adaptive(sigma: float, delta_l: int, eta: float) -> float:
    """ρ_l = σ_l·√Δ_l·Φ⁻¹(1 − min(η/2, 0.5)) with the current length's Δ_l (SDS's code, not its docs)."""
    return sigma * math.sqrt(delta_l) * float(norm.isf(min(eta / 2.0, 0.5)))


def threshold_for_length(split: BudgetSplit, thresholds: Thresholds, length: int, delta_l: int) -> float:
    """The count threshold of one length given its contribution cap Δ_l (> 0)."""
    sigma = split.sigmas[length - 1]
    if length == 1:
        return threshold_length_1(sigma, delta_l, split.delta)
    if thresholds.kind == "fixed":
        return thresholds.value(length)
    return threshold_adaptive(sigma, delta_l, thresholds.value(length))


def checked_params(**kwargs: Any) -> DpParams:
    """``DpParams(**kwargs)``, an invalid value reported as the one-line InputError of bad input."""
    try:
        return DpParams(**kwargs)
    except ValueError as exc:
        raise InputError(f"invalid privacy parameters: {exc}") from None


def checked_params_of(settings: object, **parsed: Any) -> DpParams:
    """:func:`checked_params` from the attributes of ``settings`` named like DpParams fields (the CLI's
    argparse namespace, a console run request); ``parsed`` adds or replaces values (parsed text options)."""
    given = {f.name: getattr(settings, f.name) for f in fields(DpParams) if hasattr(settings, f.name)}
    return checked_params(**{**given, **parsed})
