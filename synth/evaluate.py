"""Evaluation of protected aggregates and synthetic data against a source (SDS §6), and the two reports.

:func:`compare` computes every SDS metric for a pair of :class:`~synth.aggregates.Aggregates`: a source S
(usually the sensitive aggregates) and a target T (reportable or synthetic aggregates), at resolution k.
All work is vectorised over the packed combination keys of each length.

Two report builders wrap it:

- :func:`public_report` compares the synthetic records with the DP aggregates and describes the DP
  aggregates themselves. Both inputs are DP outputs (or post-processing of them), so the report is safe to
  publish;
- :func:`private_report` compares the sensitive aggregates with the DP aggregates and the synthetic data,
  and writes the four-sentence summary. It must stay in the private workspace.

Conventions: lists indexed by length are 0-based (``x_by_length[0]`` is for length 1); percentages are in
0-100; ``mean_proportional_error`` is a fraction (as SDS's core and web app; its pipeline multiplies by 100).
Deviation: leakage % divides by the number of *source* combinations of that length (SDS core and web app;
the SDS pipeline divides by the synthetic ones).
"""

from __future__ import annotations

import numpy as np

from synth.aggregates import Aggregates, aggregate, protect_k_anonymity
from synth.encode import Encoded
from synth.stats import Z95, pct

#: First upper bound of the count bins of "preservation by count"; each next bin doubles it.
FIRST_COUNT_BIN = 10
#: Synthesis modes known to the summary sentences.
MODES = ("row_seeded", "unseeded", "value_seeded", "aggregate_seeded", "dp")


def synthetic_aggregates(synthetic: Encoded, reporting_length: int) -> Aggregates:
    """Aggregates of synthetic records (all columns, same reporting length), as SDS re-aggregates them."""
    return aggregate(synthetic, reporting_length)


def _mean(total: float, size: int) -> float:
    return float(total) / size if size else 0.0


def _level(agg: Aggregates, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Keys and counts of one length (empty beyond the aggregates' reporting length)."""
    if length in agg.keys:
        return agg.keys[length], agg.counts[length].astype(np.int64)
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def _lengths(*aggs: Aggregates) -> range:
    return range(1, max(a.reporting_length for a in aggs) + 1)


def count_bins(max_count: int) -> np.ndarray:
    """Bins 10, 20, 40, ... up to the first one >= max_count (at least [10])."""
    bins = [FIRST_COUNT_BIN]
    while bins[-1] < max_count:
        bins.append(bins[-1] * 2)
    return np.array(bins, dtype=np.int64)


def properties(agg: Aggregates, resolution: int) -> dict:
    """An aggregate set's own statistics: distinct, mean, rare (< k) and unique (== 1) combinations."""
    lengths = _lengths(agg)
    counts = [_level(agg, l)[1] for l in lengths]
    distinct = [int(c.size) for c in counts]
    rare = [int((c < resolution).sum()) for c in counts]
    unique = [int((c == 1).sum()) for c in counts]
    sums = [int(c.sum()) for c in counts]
    return {
        "n_records": int(agg.n_records),
        "distinct_by_length": distinct,
        "mean_count_by_length": [_mean(s, d) for s, d in zip(sums, distinct, strict=False)],
        "rare_by_length": rare,
        "rare_pct_by_length": [pct(r, d) for r, d in zip(rare, distinct, strict=False)],
        "distinct": sum(distinct),
        "mean_count": _mean(sum(sums), sum(distinct)),
        "rare_pct": pct(sum(rare), sum(distinct)),
        "unique_pct": pct(sum(unique), sum(distinct)),
    }


def _bucket_rows(
    group: np.ndarray, n_groups: int, preservation: np.ndarray, length: np.ndarray, t: np.ndarray, error: np.ndarray
) -> list[dict]:
    """Per group: size, mean preservation, mean length, mean target count, mean proportional error."""
    size = np.bincount(group, minlength=n_groups)

    def mean(values: np.ndarray) -> list[float]:
        sums = np.bincount(group, weights=values.astype(float), minlength=n_groups)
        return [_mean(s, n) for s, n in zip(sums.tolist(), size.tolist(), strict=False)]

    columns = zip(size.tolist(), mean(preservation), mean(length), mean(t), mean(error), strict=False)
    return [
        {"size": n, "preservation": p, "mean_length": ml, "mean_count": mc, "mean_proportional_error": e}
        for n, p, ml, mc, e in columns
    ]


def preservation(source: Aggregates, target: Aggregates, resolution: int) -> dict:
    """SDS preservation by count bin and by length, and the mean proportional error (MPE).

    Universe: source combinations with count >= k, plus every target combination. Per combination,
    preservation = min(t/s, 1) and PE = |t - s|/s when s > 0, else 0 and 1 (fabricated). Count bins are
    10, 20, 40, ... up to the first >= the largest target count; a combination goes to the smallest bin
    >= t (t = 0 into bin 10). MPE = unweighted mean over count bins of the bin's mean PE (empty bins 0).
    """
    parts = []
    for l in _lengths(source, target):
        sk, sc = _level(source, l)
        tk, tc = _level(target, l)
        keys = np.union1d(sk[sc >= resolution], tk)
        s = np.zeros(keys.size, np.int64)
        t = np.zeros(keys.size, np.int64)
        _, ui, si = np.intersect1d(keys, sk, assume_unique=True, return_indices=True)
        s[ui] = sc[si]
        _, ui, ti = np.intersect1d(keys, tk, assume_unique=True, return_indices=True)
        t[ui] = tc[ti]
        parts.append((np.full(keys.size, l), s, t))
    length, s, t = (np.concatenate(p) for p in zip(*parts, strict=False)) if parts else (np.zeros(0, np.int64),) * 3
    positive = s > 0
    safe = np.where(positive, s, 1)
    kept = np.where(positive, np.minimum(t / safe, 1.0), 0.0)
    error = np.where(positive, np.abs(t - s) / safe, 1.0)
    max_t = int(max((int(_level(target, l)[1].max(initial=0)) for l in _lengths(target)), default=0))
    bins = count_bins(max_t)
    by_count = _bucket_rows(np.searchsorted(bins, t, side="left"), bins.size, kept, length, t, error)
    n_lengths = len(_lengths(source, target))
    by_length = _bucket_rows(length.astype(np.int64) - 1, n_lengths, kept, length, t, error)
    return {
        "preservation_by_count": [{"bin": int(b), **row} for b, row in zip(bins.tolist(), by_count, strict=False)],
        "preservation_by_length": [{"length": i + 1, **row} for i, row in enumerate(by_length)],
        "mean_proportional_error": _mean(sum(r["mean_proportional_error"] for r in by_count), len(by_count)),
    }


def compare(source: Aggregates, target: Aggregates, resolution: int) -> dict:
    """Every SDS §6 statistic of target T against source S at resolution k (JSON-serialisable).

    suppressed % = |S - T| / |S|; fabricated % = |T - S| / |S| (denominator |S|, as SDS); mean absolute
    error over S & T by length and pooled; original mean count (of S); record expansion % =
    (n_T / n_S - 1) * 100; preservation and MPE (see :func:`preservation`); leakage by length =
    #{c in S & T: s(c) < k and t(c) < k} and its % of |S_l|; and T's own :func:`properties`.
    """
    lengths = _lengths(source, target)
    n_source, suppressed, fabricated, pairs, abs_err, source_sum, leakage = ([] for _ in range(7))
    for l in lengths:
        sk, sc = _level(source, l)
        tk, tc = _level(target, l)
        _, si, ti = np.intersect1d(sk, tk, assume_unique=True, return_indices=True)
        n_source.append(int(sk.size))
        suppressed.append(int(sk.size - si.size))
        fabricated.append(int(tk.size - ti.size))
        pairs.append(int(si.size))
        abs_err.append(int(np.abs(sc[si] - tc[ti]).sum()))
        source_sum.append(int(sc.sum()))
        leakage.append(int(((sc[si] < resolution) & (tc[ti] < resolution)).sum()))
    total_source = sum(n_source)
    return {
        "resolution": int(resolution),
        "reporting_length": len(lengths),
        "suppressed_pct": pct(sum(suppressed), total_source),
        "fabricated_pct": pct(sum(fabricated), total_source),
        "source_distinct_by_length": n_source,
        "suppressed_by_length": suppressed,
        "fabricated_by_length": fabricated,
        "mean_abs_error": _mean(sum(abs_err), sum(pairs)),
        "mean_abs_error_by_length": [_mean(e, p) for e, p in zip(abs_err, pairs, strict=False)],
        "original_mean_count": _mean(sum(source_sum), total_source),
        "original_mean_count_by_length": [_mean(s, n) for s, n in zip(source_sum, n_source, strict=False)],
        "record_expansion_pct": (pct(target.n_records, source.n_records) - 100.0) if source.n_records else 0.0,
        **preservation(source, target, resolution),
        "leakage_by_length": leakage,
        "leakage_pct_by_length": [pct(c, n) for c, n in zip(leakage, n_source, strict=False)],
        "target": properties(target, resolution),
    }


# ------------------------------------------------------------------------------------------ summary


def summary(
    mode: str,
    reporting_length: int,
    aggregate_stats: dict,
    synthetic_stats: dict,
    synthetic_vs_aggregate_stats: dict,
    risk: dict | None = None,
) -> list[dict]:
    """SDS's four-sentence human-readable summary as ``[{"name", "text"}]``.

    aggregate_stats = compare(sensitive, reportable), synthetic_stats = compare(sensitive, synthetic),
    synthetic_vs_aggregate_stats = compare(reportable, synthetic); ``risk`` is :func:`synth.risk.risk_report`
    (its ``summary`` sentence is the first sentence, omitted when ``risk`` is None). ``mode`` is one of
    :data:`MODES` ("dp" for DP aggregate-derived synthesis).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {MODES}")
    r = reporting_length
    dp = mode == "dp"
    items = []
    if risk is not None:
        items.append({"name": "Sensitive data privacy", "text": risk["summary"] + "."})
    suppressed, error = aggregate_stats["suppressed_pct"], aggregate_stats["mean_abs_error"]
    items.append(
        {
            "name": "Aggregate data utility",
            "text": (
                f"For all combinations of up to {r} attributes, {suppressed:.2f}% were not reported in the aggregate "
                f"dataset after preserving privacy. The released combinations were reported with an average error of "
                f"{error:.2f}."
                if dp
                else f"For all combinations of up to {r} attributes, {suppressed:.2f}% are rare and therefore not "
                f"reported in the aggregate dataset. All released combinations were present in the sensitive "
                f"dataset and are "
                f"reported with an average error of {error:.2f}."
            ),
        }
    )
    if dp:
        leaked = pct(sum(synthetic_stats["leakage_by_length"]), sum(synthetic_stats["source_distinct_by_length"]))
        privacy = (
            f"For all attribute combinations of up to {r} attributes, {leaked:.2f}% describe groups of "
            f"data subjects smaller than the privacy resolution (but protected by differential privacy)."
        )
    elif mode == "aggregate_seeded":
        privacy = (
            f"For all attribute combinations of up to {r} attributes, none describe groups of data "
            f"subjects smaller than the privacy resolution (guaranteed by k-anonymity)."
        )
    else:
        privacy = (
            "For all attribute combinations of any length, none describe groups of data subjects smaller "
            "than the privacy resolution (guaranteed by k-anonymity)."
        )
    items.append({"name": "Synthetic data privacy", "text": privacy})
    retained = 100.0 - synthetic_vs_aggregate_stats["suppressed_pct"]
    lead = (
        "The average error"
        if dp
        else "All released combinations were present in the sensitive dataset and the average error"
    )
    items.append(
        {
            "name": "Synthetic data utility",
            "text": (
                f"For all attribute combinations of up to {r} attributes, {retained:.2f}% of the reported combinations "
                f"in the aggregate dataset are retained in the synthetic dataset. {lead} of synthetic counts is "
                f"{synthetic_stats['mean_abs_error']:.2f}."
            ),
        }
    )
    return items


def _report(
    sensitive: Aggregates, reportable: Aggregates, synthetic: Aggregates, resolution: int, mode: str, risk: dict | None
) -> dict:
    """SDS's evaluation blocks (sensitive, sensitive vs reportable, sensitive vs synthetic, reportable vs
    synthetic) and the four-sentence summary."""
    aggregate_stats = compare(sensitive, reportable, resolution)
    synthetic_stats = compare(sensitive, synthetic, resolution)
    synthetic_vs_aggregate = compare(reportable, synthetic, resolution)
    return {
        "resolution": int(resolution),
        "reporting_length": sensitive.reporting_length,
        "sensitive": properties(sensitive, resolution),
        "sensitive_vs_aggregates": aggregate_stats,
        "sensitive_vs_synthetic": synthetic_stats,
        "aggregates_vs_synthetic": synthetic_vs_aggregate,
        "summary": summary(
            mode, sensitive.reporting_length, aggregate_stats, synthetic_stats, synthetic_vs_aggregate, risk
        ),
    }


def private_report(
    sensitive: Aggregates, dp_aggregates: Aggregates, synthetic: Aggregates, resolution: int, risk: dict | None = None
) -> dict:
    """PRIVATE evaluation of a DP release: everything compared with the sensitive aggregates.

    Blocks ``sensitive_vs_aggregates`` (DP aggregates: suppressed, fabricated, MAE, ...),
    ``sensitive_vs_synthetic`` (MAE and leakage by length, ...), ``aggregates_vs_synthetic`` and the
    four-sentence ``summary`` (DP wording). Never publish it.
    """
    return _report(sensitive, dp_aggregates, synthetic, resolution, "dp", risk)


def kanon_report(
    sensitive: Aggregates, synthetic: Aggregates, resolution: int, mode: str, risk: dict | None = None
) -> dict:
    """PRIVATE evaluation of a one-off k-anonymity release (reportable = k-anonymity aggregates)."""
    reportable = protect_k_anonymity(sensitive, resolution)
    return _report(sensitive, reportable, synthetic, resolution, mode, risk)


def dp_properties(dp_aggregates: Aggregates, noise_sd: list[float], resolution: int) -> dict:
    """Public properties of DP aggregates: distinct and mean counts by length, noise SD by length, and the
    share (%) of combinations whose 95% interval ``count +- 1.96 sd`` reaches below ``resolution`` (their
    true count may describe a group smaller than the resolution)."""
    own = properties(dp_aggregates, resolution)
    lengths = _lengths(dp_aggregates)
    sd = [float(noise_sd[l - 1]) if l - 1 < len(noise_sd) else 0.0 for l in lengths]
    small = [int((_level(dp_aggregates, l)[1] - Z95 * sd[l - 1] < resolution).sum()) for l in lengths]
    return {
        "n_records": own["n_records"],
        "distinct_by_length": own["distinct_by_length"],
        "mean_count_by_length": own["mean_count_by_length"],
        "noise_sd_by_length": sd,
        "small_count_share_by_length": [pct(m, d) for m, d in zip(small, own["distinct_by_length"], strict=False)],
        "small_count_share": pct(sum(small), own["distinct"]),
        "distinct": own["distinct"],
    }


#: Keys of :func:`compare` that make sense against DP aggregates (leakage needs the sensitive counts).
_PUBLIC_COMPARISON = (
    "suppressed_pct",
    "fabricated_pct",
    "suppressed_by_length",
    "fabricated_by_length",
    "mean_abs_error",
    "mean_abs_error_by_length",
    "record_expansion_pct",
    "preservation_by_count",
    "preservation_by_length",
    "mean_proportional_error",
)


def public_summary(dp: dict, comparison: dict, synthetic: dict, reporting_length: int, resolution: int) -> list[dict]:
    """Summary sentences built only from DP outputs (publishable)."""
    sds = " / ".join(f"{v:.1f}" for v in dp["noise_sd_by_length"])
    r = reporting_length
    return [
        {
            "name": "Aggregate data",
            "text": (
                f"The published aggregates report {dp['distinct']} combinations of up to {r} attributes for about "
                f"{dp['n_records']} records (a noisy count); counts carry differential-privacy noise with standard "
                f"deviation {sds} for combinations of 1 to {r} attributes."
            ),
        },
        {
            "name": "Small counts",
            "text": (
                f"{dp['small_count_share']:.2f}% of the published combinations have a 95% interval that reaches "
                f"below {resolution}: their true count may be smaller than {resolution}."
            ),
        },
        {
            "name": "Synthetic data utility",
            "text": (
                f"For all attribute combinations of up to {r} attributes, {100.0 - comparison['suppressed_pct']:.2f}% "
                f"of the published combinations are retained in the synthetic dataset, whose counts differ from the "
                f"published counts by {comparison['mean_abs_error']:.2f} on average."
            ),
        },
        {
            "name": "Synthetic data size",
            "text": (
                f"The synthetic dataset has {synthetic['n_records']} records "
                f"({comparison['record_expansion_pct']:+.2f}% "
                f"against the published record count); its combinations that are not among the published ones "
                f"amount to {comparison['fabricated_pct']:.2f}% of the published combinations."
            ),
        },
    ]


def public_report(
    dp_aggregates: Aggregates, synthetic: Aggregates, noise_sd: list[float], resolution: int = 10
) -> dict:
    """PUBLIC evaluation: synthetic aggregates against the DP aggregates, and the DP aggregates' properties.

    Uses nothing but DP outputs, so it is safe to publish. ``record_expansion_pct`` is measured against the
    DP aggregates' (protected) record count.
    """
    comparison = compare(dp_aggregates, synthetic, resolution)
    dp = dp_properties(dp_aggregates, noise_sd, resolution)
    synthetic_props = comparison["target"]
    return {
        "resolution": int(resolution),
        "reporting_length": dp_aggregates.reporting_length,
        "synthetic_vs_aggregates": {key: comparison[key] for key in _PUBLIC_COMPARISON},
        "aggregates": dp,
        "synthetic": synthetic_props,
        "summary": public_summary(dp, comparison, synthetic_props, dp_aggregates.reporting_length, resolution),
    }
