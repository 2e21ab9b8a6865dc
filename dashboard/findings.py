"""Key findings: one-sentence statements of what the published DP aggregates say, with their uncertainty.

Pure functions over published counts and their noise SDs (never synthetic estimates). A share is of the
people whose value is recorded and published (single-value column) or of all n' people (a group of flags or
a multi-value column, whose counts overlap); its 95 % half-width comes from the delta method. Where every
count of a chart is suppressed, the finding says "not reported" instead of inventing a figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard import i18n
from dashboard.i18n import format_decimal, gettext
from synth.stats import Z95

#: Simple fractions a reader takes in at a glance ("about 3 in 5"), tried in this order.
FRACTION_DENOMINATORS = (2, 3, 4, 5, 10)
FRACTION_TOLERANCE = 0.025


@dataclass(frozen=True)
class Finding:
    """A sentence and the chart (profile key) that shows it."""

    text: str
    chart: str


@dataclass(frozen=True)
class Counts:
    """The published counts of one chart: values (labels), counts and SDs (NaN = not reported)."""

    labels: tuple[str, ...]
    counts: np.ndarray
    sds: np.ndarray


def record_count_sd(epsilon_n: float) -> float:
    """SD of the protected record count n' = round(n + Laplace(1/ε_N)): √2/ε_N (NaN without ε_N)."""
    return math.sqrt(2.0) / epsilon_n if epsilon_n > 0 else math.nan


def shares_of_known(counts: np.ndarray, sds: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(shares, 95 % half-widths, denominator K) of published counts among themselves (K = their sum).

    Each count c_i carries independent noise of sd s_i, so by the delta method
    var(c_i/K) = ((K - c_i)² s_i² + c_i² Σ_{j≠i} s_j²) / K⁴. Unpublished counts (NaN) take no part.
    """
    counts = np.asarray(counts, dtype=float)
    sds = np.nan_to_num(np.asarray(sds, dtype=float))
    known = ~np.isnan(counts)
    c, s = np.where(known, counts, 0.0), np.where(known, sds, 0.0)
    total = float(c.sum())
    if total <= 0:
        return np.full(c.size, np.nan), np.full(c.size, np.nan), 0.0
    var = ((total - c) ** 2 * s**2 + c**2 * ((s**2).sum() - s**2)) / total**4
    return np.where(known, c / total, np.nan), np.where(known, Z95 * np.sqrt(var), np.nan), total


def shares_of_all(counts: np.ndarray, sds: np.ndarray, n: float, n_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """(shares, 95 % half-widths) of counts among all n' people: var(c/n') = (s² + (c/n')²·sd(n')²)/n'²."""
    counts = np.asarray(counts, dtype=float)
    share = counts / n
    var = (np.nan_to_num(np.asarray(sds, dtype=float)) ** 2 + share**2 * np.nan_to_num(n_sd) ** 2) / n**2
    return share, Z95 * np.sqrt(var)


def not_recorded(counts: np.ndarray, sds: np.ndarray, n: float, n_sd: float) -> tuple[float, float]:
    """(count, sd) of the people with no published value: n' minus the published counts, clipped at 0.

    An estimate derived only from DP counts: its sd combines the record count's and every count's noise.
    """
    counts, sds = np.asarray(counts, dtype=float), np.asarray(sds, dtype=float)
    known = ~np.isnan(counts)
    gap = max(float(n) - float(counts[known].sum()), 0.0)
    sd = math.sqrt(np.nan_to_num(n_sd) ** 2 + float((np.nan_to_num(sds[known]) ** 2).sum()))
    return gap, sd


def about(share: float) -> str:
    """A share in words: ``0.61`` -> ``about 3 in 5``, ``0.53`` -> ``about half``, ``0.17`` -> ``about 1 in 6``."""
    for d in FRACTION_DENOMINATORS:
        k = round(share * d)
        if 0 < k <= d and abs(share - k / d) <= FRACTION_TOLERANCE:
            break
    else:
        if 0 < share < 0.25:
            return gettext("about 1 in {d}").format(d=format_decimal(round(1 / share)))
        k, d = round(share * 10), 10
    if k == d:
        return gettext("all") if share >= 1 else gettext("nearly all")
    return gettext("about half") if 2 * k == d else gettext("about {k} in {d}").format(k=k, d=d)


def percent(share: float) -> str:
    """``0.6123`` -> ``61 %`` (as the active language writes it); below 1 % one decimal (``0.4 %``)."""
    return i18n.format_percent(share, decimals=1 if 0 < share < 0.01 else 0)


def _sentence(value: str, what: str, share: float, half: float, of: str, note: str = "", trailer: str = "") -> str:
    interval = f"{percent(share)}, ±{percent(half)}" + (f"; {note}" if note else "")
    return gettext("{value} is the most common {what}: {about} of {of} ({interval}){trailer}.").format(
        value=value, what=what, about=about(share), of=of, interval=interval, trailer=trailer
    )


def top_finding(chart: str, what: str, unit: str, counts: Counts, n: float, n_sd: float, overlap: bool) -> Finding:
    """The most common published value of a chart as a sentence.

    ``what`` names the column in lower case ("victim gender"), ``unit`` the people counted ("victims");
    ``overlap``: the counts overlap (flags, multi-value), so the share is of all n' people. So is the share
    when a value of a single-value column is suppressed: its people cannot be told from the unrecorded ones.
    """
    if np.isnan(counts.counts).all() or np.nansum(counts.counts) <= 0:
        text = gettext("{what}: not reported (suppressed by differential privacy).").format(what=what)
        return Finding(text[:1].upper() + text[1:], chart)
    top = int(np.nanargmax(counts.counts))
    trailer = ""
    suppressed = bool(np.isnan(counts.counts).any())
    if overlap or suppressed:  # overlapping counts, or a suppressed value: a share of all n' people
        shares, halves = shares_of_all(counts.counts, counts.sds, n, n_sd)
        of = gettext("all {n} {unit}").format(n=format_decimal(round(n)), unit=unit)
        if suppressed and not overlap:
            trailer = "; " + gettext(
                "the other values are not reported (suppressed by differential privacy) or not recorded"
            )
    else:
        shares, halves, total = shares_of_known(counts.counts, counts.sds)
        of = gettext("the {n} {unit} whose {what} is recorded").format(
            n=format_decimal(round(total)), unit=unit, what=what
        )
    note = gettext("one can have several") if overlap else ""
    share, half = float(shares[top]), float(halves[top])
    return Finding(_sentence(counts.labels[top], what, share, half, of, note, trailer), chart)
