"""Neighbouring-dataset audit of the DP marginals (issue 8): does every published scalar keep (ε, δ)?

Issue 8 names this file ``tests/test_dp_audit.py``; tests mirror the packages, so it lives next to the
other tests of :mod:`synth.dp`.

Method. For each case a small hand-made table D and its neighbour D' = D + one extreme subject (more
attributes than anyone in D; values nobody else holds; a rare multi-value set; a value in a multi-value
column that is empty in D) are ingested with the real :func:`synth.ingest.read_private`, and the real
:func:`synth.dp.dp_aggregates` is run ``RUNS`` times on each, all noise drawn from one generator seeded
here, in the test (``np.random.default_rng(SEED)``; the product code is never seeded). Every run is reduced
to what a release publishes (:func:`published_scalars`): the reporting length R; per length the
contribution cap Δ_l, σ_l, the noise SD, the threshold and the numbers of candidates, survivors and
published combinations; the protected record count n' in bins of ``N_PRIME_BIN``; and, for every
combination seen in any run, whether it is published. A scalar that a run does not publish (a length
beyond R, a combination left out) takes the value "absent".

Events. For every scalar: each observed value (``X = v``, "absent" included) and, for numeric scalars,
the tails ``X >= v`` and ``X <= v`` at the observed values (the tails catch mass spread over many rare
values, such as a cap above anything D allows). (ε, δ)-DP requires, for every event o and both orders,
P_D'(o) <= e^ε·P_D(o) + δ and P_D(o) <= e^ε·P_D'(o) + δ, with the (ε, δ) the release states.

Confidence. Probabilities are bounded with exact one-sided Clopper-Pearson bounds (``scipy.stats.beta``).
An event is flagged only when the LOWER bound of one side's probability exceeds e^ε times the UPPER bound
of the other side's plus δ. With m events tested there are 4m bounds (lower and upper, each side); each
is taken at level α/(4m) (Bonferroni), α = 1 − ``CONFIDENCE`` = 1e-3, so a mechanism that is (ε, δ)-DP
raises a flag with probability at most 0.1 % (family-wise, over the realised family: the events are the
values observed, chosen from the same runs; a value seen on neither side can never be flagged). The test
is deterministic given ``SEED``. No other tolerance is applied.

Power. ε = 1 (small, so e^ε is a tight bound), δ = 1e-5 fixed (the default δ comes from n', which would
make σ data-dependent, finding 5 of the issue), the percentile share 10 %, ``RUNS`` = 1500 per side. With
~1,500 events an output seen 0 times under D has P_D <= 0.0104, so it is flagged once its lower bound
under D' passes e·0.0104 + δ = 0.028, i.e. from a true P_D' of about 6 %. The file takes about 19 s of CPU
(one core; the four cases 3.5-7 s each, the toy tests < 0.1 s).

What it measured is part of the result: :func:`audit` returns an :class:`AuditResult` whose ``table()``
lists (event, P_D, P_D', bound) for every check and whose ``max_log_ratios()`` give, per scalar, the
largest observed ln(P_a/P_b) over events seen at least ``MIN_COUNT`` times on both sides (a maximum of
many noisy estimates, so biased upwards: about ±0.3 per event at 20 counts) and the largest ratio the
confidence bounds certify, ln((lower_a − δ)/upper_b), which exceeds ε exactly when a check is flagged.
The summary is printed by every audit test (``pytest -s``) and by ``python -m tests.synth.dp.test_dp_audit``.

The audit itself is tested on toy mechanisms: releasing the maximum contribution and a Laplace count with
a quarter of the required noise must be flagged, a Laplace count with the right scale must pass.

On the code of issue 8's time, the audit fails: the DP percentile picks Δ_l among 0..max(contribution),
so D' yields caps that D cannot (finding 1); and with a multi-value column that is empty in D, R and σ
change (finding 3).
"""

from __future__ import annotations

import csv
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import beta

from synth.dp import DpParams, dp_aggregates
from synth.dp.marginals import DpResult
from synth.encode import Encoded
from synth.ingest import read_private
from synth.spec import load_spec

SEED = 12345
EPSILON = 1.0
DELTA = 1e-5
PERCENTILE_SHARE = 0.1
RUNS = 1500
CONFIDENCE = 0.999
#: The protected record count is compared in bins of this width (its Laplace scale is 1/(0.005·ε) = 200).
N_PRIME_BIN = 100
#: Observed log-ratios are reported only for events seen at least this often on both sides.
MIN_COUNT = 20
ABSENT = "absent"

Output = Mapping[str, Hashable]
Mechanism = Callable[[Encoded, np.random.Generator], Output]


# --------------------------------------------------------------------------------------------- the audit


@dataclass(frozen=True)
class EventCheck:
    """One event o in one order: is P_num(o) <= e^ε·P_den(o) + δ? (``num``/``den`` are "D" and "D'".)"""

    scalar: str
    event: str
    num: str
    den: str
    k_num: int
    k_den: int
    runs: int
    lower_num: float  # Clopper-Pearson lower bound of P_num(o)
    upper_den: float  # Clopper-Pearson upper bound of P_den(o)
    bound: float  # e^ε·upper_den + δ

    @property
    def p_num(self) -> float:
        return self.k_num / self.runs

    @property
    def p_den(self) -> float:
        return self.k_den / self.runs

    @property
    def violated(self) -> bool:
        return self.lower_num > self.bound

    def describe(self) -> str:
        return (
            f"{self.scalar}{self.event}: P_{self.num} >= {self.lower_num:.3g} (seen {self.k_num}/{self.runs}), "
            f"P_{self.den} <= {self.upper_den:.3g} (seen {self.k_den}/{self.runs}); "
            f"e^ε·P_{self.den} + δ <= {self.bound:.3g}"
        )


@dataclass
class AuditResult:
    """The table of every event check, and what it says about each scalar."""

    epsilon: float
    delta: float
    confidence: float
    runs: int
    n_events: int
    checks: list[EventCheck] = field(default_factory=list)

    def violations(self) -> list[EventCheck]:
        """Flagged checks, the clearest first (largest lower bound over the allowed bound)."""
        return sorted((c for c in self.checks if c.violated), key=lambda c: -c.lower_num / c.bound)

    def table(self) -> list[tuple[str, float, float, float]]:
        """(event, p_D, p_D', bound) per check, the bound being the most the numerator side may be."""
        rows = []
        for c in self.checks:
            p_d, p_dp = (c.p_num, c.p_den) if c.num == "D" else (c.p_den, c.p_num)
            rows.append((f"{c.scalar}{c.event} [P_{c.num} <= e^ε·P_{c.den} + δ]", p_d, p_dp, c.bound))
        return rows

    def max_log_ratios(self) -> dict[str, tuple[float | None, float | None]]:
        """Per scalar (combinations grouped as ``combination[*]``): the largest observed ln(P_num/P_den)
        over events seen >= MIN_COUNT times on both sides (None if none was), and the largest
        ln((lower_num − δ)/upper_den), the ratio the confidence bounds certify (None if none is > 0)."""
        out: dict[str, tuple[float | None, float | None]] = {}
        for c in self.checks:
            name = "combination[*]" if c.scalar.startswith("combination[") else c.scalar
            observed, certified = out.get(name, (None, None))
            if c.k_num >= MIN_COUNT and c.k_den >= MIN_COUNT:
                ratio = math.log(c.p_num / c.p_den)
                observed = ratio if observed is None else max(observed, ratio)
            if c.lower_num > self.delta and c.upper_den > 0:
                ratio = math.log((c.lower_num - self.delta) / c.upper_den)
                if ratio > 0:
                    certified = ratio if certified is None else max(certified, ratio)
            out[name] = (observed, certified)
        return out

    def summary(self) -> str:
        lines = [
            f"{self.runs} runs per dataset, {self.n_events} events, {len(self.checks)} checks, "
            f"(ε, δ) = ({self.epsilon:g}, {self.delta:g}), {self.confidence:.1%} family-wise confidence; "
            f"{len(self.violations())} violations",
            f"{'scalar':<40} {'max observed ln ratio':>22} {'certified ln ratio':>19}",
        ]
        for name, (observed, certified) in sorted(self.max_log_ratios().items()):
            obs = f"{observed:.3f}" if observed is not None else "-"
            cert = f"{certified:.3f}" if certified is not None else "-"
            flag = "  > ε" if certified is not None and certified > self.epsilon else ""
            lines.append(f"{name:<40} {obs:>22} {cert:>19}{flag}")
        return "\n".join(lines)

    def failure_message(self, limit: int = 25) -> str:
        bad = self.violations()
        lines = [
            f"{len(bad)} event checks violate (ε, δ) = ({self.epsilon:g}, {self.delta:g}) at "
            f"{self.confidence:.1%} family-wise confidence (Bonferroni over {self.n_events} events):"
        ]
        lines += ["  " + c.describe() for c in bad[:limit]]
        if len(bad) > limit:
            lines.append(f"  ... and {len(bad) - limit} more")
        return "\n".join(lines + ["", self.summary()])


def _value_counts(samples: Sequence[Output], scalars: Sequence[str]) -> dict[str, Counter[Hashable]]:
    """{scalar: Counter of its values over the runs}, "absent" counting the runs that leave it out."""
    counts: dict[str, Counter[Hashable]] = {scalar: Counter() for scalar in scalars}
    for sample in samples:
        for scalar, value in sample.items():
            counts[scalar][value] += 1
    for counter in counts.values():
        missing = len(samples) - sum(counter.values())
        if missing:
            counter[ABSENT] += missing
    return counts


def _events(counts_d: Counter[Hashable], counts_dp: Counter[Hashable]) -> list[tuple[str, int, int]]:
    """(event, count under D, count under D') for the point events and, on numeric values, the tails."""
    values = set(counts_d) | set(counts_dp)
    events = [(f"={v}", counts_d[v], counts_dp[v]) for v in sorted(values, key=repr)]
    numeric = sorted(v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    for v in numeric[1:-1]:  # the outer tails equal a point event or "any number"
        above = [u for u in numeric if u >= v]
        below = [u for u in numeric if u <= v]
        events.append((f">={v}", sum(counts_d[u] for u in above), sum(counts_dp[u] for u in above)))
        events.append((f"<={v}", sum(counts_d[u] for u in below), sum(counts_dp[u] for u in below)))
    return events


def compare(
    samples_d: Sequence[Output],
    samples_dp: Sequence[Output],
    epsilon: float,
    delta: float,
    confidence: float = CONFIDENCE,
) -> AuditResult:
    """Check every event of every published scalar in both orders (see the module docstring)."""
    runs = len(samples_d)
    if len(samples_dp) != runs:
        raise ValueError("the audit needs as many runs on D as on D'")
    scalars = sorted({k for s in samples_d for k in s} | {k for s in samples_dp for k in s})
    counts_d, counts_dp = _value_counts(samples_d, scalars), _value_counts(samples_dp, scalars)
    rows = []
    for scalar in scalars:
        for event, k_d, k_dp in _events(counts_d[scalar], counts_dp[scalar]):
            rows.append((scalar, event, k_d, k_dp))
    result = AuditResult(epsilon, delta, confidence, runs, len(rows))
    if not rows:
        return result
    alpha = (1.0 - confidence) / (4 * len(rows))
    k = np.array([[r[2], r[3]] for r in rows], dtype=float)  # columns: D, D'
    lower = np.where(k > 0, beta.ppf(alpha, k, runs - k + 1), 0.0)
    upper = np.where(k < runs, beta.ppf(1.0 - alpha, k + 1, runs - k), 1.0)
    names = ("D", "D'")
    for i, (scalar, event, *_) in enumerate(rows):
        for num, den in ((1, 0), (0, 1)):
            result.checks.append(
                EventCheck(
                    scalar,
                    event,
                    names[num],
                    names[den],
                    int(k[i, num]),
                    int(k[i, den]),
                    runs,
                    float(lower[i, num]),
                    float(upper[i, den]),
                    math.exp(epsilon) * float(upper[i, den]) + delta,
                )
            )
    return result


def audit(
    mechanism: Mechanism,
    d: Encoded,
    d_prime: Encoded,
    runs: int,
    rng: np.random.Generator,
    epsilon: float,
    delta: float,
    confidence: float = CONFIDENCE,
) -> AuditResult:
    """Run ``mechanism`` ``runs`` times on D and on D' (noise from ``rng``) and compare the outputs."""
    samples_d = [mechanism(d, rng) for _ in range(runs)]
    samples_dp = [mechanism(d_prime, rng) for _ in range(runs)]
    return compare(samples_d, samples_dp, epsilon, delta, confidence)


# ------------------------------------------------------------------------------------- the neighbours


@dataclass(frozen=True)
class Case:
    """D (``rows``) and the extreme subject that makes D'. ``w_max`` is the public bound on the attributes
    one subject can hold (single-value columns plus the spec's ``max_values`` of each multi-value column,
    default 6), which bounds the public range of the contribution caps; ingest computes it from the spec
    and header, and :func:`encode_pair` checks it is the same for D and D'."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    extreme: tuple[str, ...]
    multi_value: Mapping[str, str]
    w_max: int
    reporting_length: int = 3


def _table(n: int, columns: int, filled: tuple[int, int], seed: int) -> tuple[tuple[str, ...], ...]:
    """n subjects, each holding ``filled`` (min, max) of the columns, values v0/v1/v2 at 60/30/10 %."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        held = set(rng.choice(columns, size=int(rng.integers(filled[0], filled[1] + 1)), replace=False).tolist())
        rows.append(tuple(f"v{rng.choice(3, p=[0.6, 0.3, 0.1])}" if j in held else "" for j in range(columns)))
    return tuple(rows)


def _multi_table(n: int, seed: int, empty: bool) -> tuple[tuple[str, ...], ...]:
    """n subjects with a and b (3 values each) and 0-2 of m0..m3 in the multi-value column m (none if empty)."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        held = [] if empty else sorted(rng.choice(4, size=int(rng.integers(0, 3)), replace=False).tolist())
        rows.append((f"a{rng.integers(3)}", f"b{rng.integers(3)}", "|".join(f"m{i}" for i in held)))
    return tuple(rows)


WIDE = tuple(f"c{j}" for j in range(6))
WIDE_ROWS = _table(1000, 6, (2, 4), seed=1)
CASES = (
    # One subject holds all 6 columns (common values); nobody in D holds more than 4.
    Case("many_attributes", WIDE, WIDE_ROWS, ("v0",) * 6, {}, w_max=6),
    # One subject holds all 6 columns with values nobody else has.
    Case("unique_values", WIDE, WIDE_ROWS, tuple(f"only{j}" for j in range(6)), {}, w_max=6),
    # A rare multi-value set: 8 values (4 of them unique) where others hold at most 2.
    Case(
        "rare_multi_value_set",
        ("a", "b", "m"),
        _multi_table(1000, seed=2, empty=False),
        ("a0", "b0", "m0|m1|m2|m3|r0|r1|r2|r3"),
        {"m": "|"},
        w_max=2 + 6,  # the extreme set of 8 is subsampled to max_values = 6 at ingest
    ),
    # The multi-value column is empty in D: D has 2 encoded columns, D' 3 (finding 3 of the issue).
    Case(
        "empty_multi_value_column",
        ("a", "b", "m"),
        _multi_table(1000, seed=3, empty=True),
        ("a0", "b0", "x"),
        {"m": "|"},
        w_max=2 + 6,
    ),
)


def encode_pair(case: Case, directory: Path) -> tuple[Encoded, Encoded]:
    """D and D' through the real ingest (CSV and spec), as a refresh would read them."""
    out = []
    for name, rows in (("d", case.rows), ("d_prime", case.rows + (case.extreme,))):
        path = directory / f"{case.name}_{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(case.header)
            writer.writerows(rows)
        spec = load_spec(None, delimiter=",", multi_value=dict(case.multi_value))
        ingested = read_private(path, spec, rng=np.random.default_rng(SEED))  # subsampling seeded by the test
        assert ingested.max_attributes == case.w_max  # public: the same for D and D'
        out.append(ingested.data)
    return out[0], out[1]


def dp_params(case: Case) -> DpParams:
    """The parameters of every audit run (the one place to adapt when the API changes, e.g. a public W_max)."""
    return DpParams(
        epsilon=EPSILON,
        delta=DELTA,
        reporting_length=case.reporting_length,
        percentile_epsilon_proportion=PERCENTILE_SHARE,
    )


def release(case: Case, data: Encoded, rng: np.random.Generator) -> DpResult:
    """One run of the real DP step."""
    return dp_aggregates(data, dp_params(case), rng, max_attributes=case.w_max)


def published_scalars(result: DpResult) -> dict[str, Hashable]:
    """What a release publishes of one run, as {scalar: value}; combinations as ``combination[...]``."""
    report = result.report
    out: dict[str, Hashable] = {
        "reporting_length": report["reporting_length"],
        f"protected_number_of_records//{N_PRIME_BIN}": report["protected_number_of_records"] // N_PRIME_BIN,
        "epsilon": report["epsilon"],
        "delta": report["delta"],
    }
    for key in ("contribution_caps", "sigma", "noise_sd", "thresholds", "candidates", "survivors", "published"):
        for i, value in enumerate(report[key]):
            out[f"{key}[{i}]"] = round(value, 9) if isinstance(value, float) else value
    aggregates = result.aggregates
    for length in aggregates.lengths():
        for combo in aggregates.combination_strings(length):
            out[f"combination[{combo}]"] = "published"
    return out


def case_mechanism(case: Case) -> Mechanism:
    return lambda data, rng: published_scalars(release(case, data, rng))


# ----------------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_neighbouring_datasets_publish_indistinguishable_scalars(case: Case, tmp_path: Path) -> None:
    d, d_prime = encode_pair(case, tmp_path)
    assert d_prime.n_records == d.n_records + 1
    assert d_prime.lengths().max() > d.lengths().max()  # the extreme subject holds more than anyone in D
    rng = np.random.default_rng(SEED)
    result = audit(case_mechanism(case), d, d_prime, RUNS, rng, EPSILON, DELTA)
    print(f"{case.name}: {result.summary()}")
    assert not result.violations(), f"{case.name}: {result.failure_message()}"


@pytest.fixture(scope="module")
def toy_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Encoded, Encoded]:
    return encode_pair(CASES[0], tmp_path_factory.mktemp("toy"))


def laplace_count(scale: float) -> Mechanism:
    return lambda data, rng: {"count": int(round(data.n_records + rng.laplace(0.0, scale)))}


def test_audit_flags_releasing_the_maximum_contribution(toy_pair: tuple[Encoded, Encoded]) -> None:
    result = audit(
        lambda data, rng: {"max_contribution": int(data.lengths().max())},
        *toy_pair,
        runs=500,
        rng=np.random.default_rng(SEED),
        epsilon=EPSILON,
        delta=DELTA,
    )
    assert {(c.scalar, c.event, c.num) for c in result.violations()} == {
        ("max_contribution", "=4", "D"),
        ("max_contribution", "=6", "D'"),
    }
    assert "max_contribution=6: P_D' >= 0.98" in result.failure_message()


def test_audit_flags_a_laplace_count_with_too_little_noise(toy_pair: tuple[Encoded, Encoded]) -> None:
    # scale 1/(4ε): the true ratio at the neighbour's count is about 13 > e^ε
    result = audit(laplace_count(1.0 / (4 * EPSILON)), *toy_pair, 2000, np.random.default_rng(SEED), EPSILON, DELTA)
    assert result.violations()
    certified = result.max_log_ratios()["count"][1]
    assert certified is not None and certified > EPSILON


def test_audit_passes_a_laplace_count_with_the_right_scale(toy_pair: tuple[Encoded, Encoded]) -> None:
    result = audit(laplace_count(1.0 / EPSILON), *toy_pair, 2000, np.random.default_rng(SEED), EPSILON, DELTA)
    assert not result.violations(), result.failure_message()
    # The true loss is ε on every count beyond the neighbour's; the bounds certify over half of it.
    certified = result.max_log_ratios()["count"][1]
    assert certified is not None and 0.5 * EPSILON < certified <= EPSILON


if __name__ == "__main__":  # print the audit tables: python -m tests.synth.dp.test_dp_audit [case ...]
    wanted = set(sys.argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            if wanted and case.name not in wanted:
                continue
            start = time.perf_counter()
            d, d_prime = encode_pair(case, Path(tmp))
            result = audit(case_mechanism(case), d, d_prime, RUNS, np.random.default_rng(SEED), EPSILON, DELTA)
            print(f"== {case.name} ({time.perf_counter() - start:.1f} s)\n{result.summary()}")
            if result.violations():
                print(result.failure_message(limit=10).split("\n\n")[0])
            print()
