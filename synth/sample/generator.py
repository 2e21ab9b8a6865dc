"""Seeded generator of realistic *private* case records, so the project runs without an external file.

The records imitate the IOM/CTDC Global Victim-Perpetrator data in **long format**: one row per
victim-perpetrator pair, victim attributes repeated on each of the victim's rows, and one row with
empty perpetrator cells for a victim without perpetrator information. ``case_id`` identifies the victim.

How it is generated (all vectorised with numpy; one ``numpy.random.Generator`` seeded by ``seed``):

* Every victim-level attribute is drawn from a conditional distribution given attributes drawn before it
  (its *group*). The conditional table starts from a *seed* of relative odds (the product of one odds
  table per conditioning factor: this is where the dependencies live, e.g. sexual exploitation
  raises the odds of a female victim) and is then *calibrated* by iterative proportional fitting, so
  that over the realised groups the expected marginal equals the published figure (reference doc
  ``ctdc-data.md`` sections 3 and 6.4). Dependencies are kept as odds ratios; marginals are exact in
  expectation.
* Countries come from a corridor table (citizenship -> country of exploitation). The UN region pair is
  drawn first (calibrated to both published region marginals and to the intra-regional shares in 6.4),
  then a corridor within the pair.
* Perpetrator columns are drawn top-down: first the victim-level *set* of values (what the published
  file shows, e.g. ``Female;Male``), calibrated like the victim attributes, with sets larger than the
  number of perpetrators impossible; then every perpetrator gets one value so that the set is covered.

A latent "partial record" flag (about one case in five) raises the odds of missing values in every
column, which reproduces the co-missingness of real case files.

The targets, value domains and odds tables are in :mod:`synth.sample.tables`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import comb

from synth.sample.tables import (
    AGE_GIVEN,
    AGES,
    COLUMNS,
    CORRIDORS,
    EXPLOIT,
    EXPLOIT_BY_GENDER,
    EXPLOIT_PARTIAL_MISSING_ODDS,
    EXPLOIT_TARGET,
    GENDER_TARGET,
    GENDERS,
    MAJORITY,
    MAJORITY_BY_EXPLOIT,
    MAJORITY_BY_GENDER_KNOWN,
    MEANS,
    MEANS_BY_EXPLOIT,
    MEANS_PARTIAL_FACTOR,
    MULTI_DELIMITER,
    MULTI_VALUE_COLUMNS,
    N_PERPS,
    N_PERPS_PARTIAL_ODDS,
    PARTIAL_MISSING_ODDS,
    PARTIAL_SHARE,
    PERP_DOMAINS,
    PERP_EXTRA_MISSING,
    PERP_FAMILY_IF_MINOR,
    PERP_FEMALE_IF_SEXUAL,
    PERP_PAID_IF_LABOUR,
    PERP_REGION_OF_CITIZENSHIP,
    PERP_REGION_OF_EXPLOITATION,
    PERP_TARGET,
    REGION_PAIR_SEED,
    REGIONS,
    ROLE_BY_EXPLOIT,
    ROLE_BY_N_PERPS,
    ROLE_SHARED,
    ROLE_TARGET,
    ROLES,
    SECTOR_BY_GENDER,
    SECTOR_HINT_ODDS,
    SECTOR_MINOR_ODDS,
    SECTOR_SEXUAL_ODDS,
    SECTORS,
    VP_COUNTS,
    YEAR_BANDS,
    YEAR_BY_REGION,
    YEAR_WEIGHTS,
    YEARS,
    vp_region,
)

#: Codes of the exploitation types that include labour, and those that include sexual exploitation.
_LABOUR, _SEXUAL = [EXPLOIT.index("L"), EXPLOIT.index("LS")], [EXPLOIT.index("S"), EXPLOIT.index("LS")]


# ----------------------------------------------------------------------------------------------------------
# Calibrated conditional draws.
# ----------------------------------------------------------------------------------------------------------


def shares(counts: Mapping[str, float], domain: Sequence[str]) -> np.ndarray:
    """Counts keyed by value, as shares in ``domain`` order (values missing from ``counts`` get 0)."""
    vec = np.array([float(counts.get(v, 0)) for v in domain])
    return vec / vec.sum()


def ipf(
    seed: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, tol: float = 1e-10, max_iter: int = 2000
) -> np.ndarray:
    """Iterative proportional fitting: scale rows and columns of ``seed`` to the given totals.

    Zero cells stay zero (structural zeros). Raises ValueError when the totals cannot be reached.
    """
    table = np.asarray(seed, dtype=float) * (np.asarray(row_totals, float)[:, None] > 0)
    for _ in range(max_iter):
        rs = table.sum(axis=1)
        table = table * np.divide(row_totals, rs, out=np.zeros_like(rs), where=rs > 0)[:, None]
        cs = table.sum(axis=0)
        if np.any((cs == 0) & (col_totals > 0)):
            raise ValueError("calibration infeasible: a value with a positive target has no admissible group")
        table = table * np.divide(col_totals, cs, out=np.zeros_like(cs), where=cs > 0)[None, :]
        if np.abs(table.sum(axis=1) - row_totals).max() <= tol * max(1.0, float(np.sum(row_totals))):
            return table
    raise ValueError("calibration did not converge: the odds tables contradict the targets")


def factor_seed(factors: Sequence[np.ndarray]) -> np.ndarray:
    """Seed odds of every combined group: the product of one odds table (levels x values) per factor.

    Group g of factors with level counts (n_1, ..., n_k) is the mixed-radix number of its levels, the
    first factor most significant (as :func:`group_index` computes it).
    """
    seed = np.ones((1, factors[0].shape[1]))
    for f in factors:
        seed = (seed[:, None, :] * np.asarray(f, float)[None, :, :]).reshape(-1, f.shape[1])
    return seed


def group_index(codes: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """Mixed-radix group number of per-record factor levels (first factor most significant)."""
    g = np.zeros(len(codes[0]), dtype=np.int64)
    for c, size in zip(codes, sizes, strict=False):
        g = g * size + c
    return g


def draw_rows(rng: np.random.Generator, probs: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Draw one value code per record from row ``probs[groups[i]]`` (inverse CDF, one uniform per record)."""
    u = rng.random(groups.size)
    cum = np.cumsum(probs, axis=1)
    cum = cum / np.where(cum[:, -1:] > 0, cum[:, -1:], 1.0)
    out = np.empty(groups.size, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    for idx in np.split(order, bounds):
        if idx.size:
            out[idx] = np.searchsorted(cum[groups[idx[0]]], u[idx], side="right")
    return out


def draw_calibrated(
    rng: np.random.Generator, levels: Sequence[np.ndarray], factors: Sequence[np.ndarray], target: np.ndarray
) -> np.ndarray:
    """Draw value codes given factor levels, with odds from ``factors`` calibrated to marginal ``target``."""
    sizes = [f.shape[0] for f in factors]
    groups = group_index(levels, sizes)
    counts = np.bincount(groups, minlength=int(np.prod(sizes))).astype(float)
    fitted = ipf(factor_seed(factors), counts, target * groups.size)
    return draw_rows(rng, fitted, groups)


def _missing_odds(domain: Sequence[str], odds: float) -> np.ndarray:
    """Two-level factor (complete, partial record): a partial record multiplies the odds of "" by ``odds``."""
    return np.vstack([np.ones(len(domain)), np.where(np.asarray(domain) == "", odds, 1.0)])


def _indicator(codes: np.ndarray, members: Sequence[int]) -> np.ndarray:
    """1 where a code is one of ``members``, else 0 (a two-level factor)."""
    return np.isin(codes, members).astype(np.int64)


# ----------------------------------------------------------------------------------------------------------
# Victims.
# ----------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _corridor_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(region pair x corridor probabilities, corridor x gender odds, corridor x exploitation-type odds)."""
    pair = np.array(
        [REGIONS.index(vp_region(c)) * len(REGIONS) + REGIONS.index(vp_region(e)) for c, e, *_ in CORRIDORS]
    )
    weight = np.array([c[2] for c in CORRIDORS], dtype=float)
    probs = np.zeros((len(REGIONS) ** 2, len(CORRIDORS)))
    probs[pair, np.arange(len(CORRIDORS))] = weight
    probs /= np.where(probs.sum(axis=1, keepdims=True) > 0, probs.sum(axis=1, keepdims=True), 1.0)
    female = np.array([c[3] for c in CORRIDORS])
    gender_odds = np.column_stack([female, np.ones_like(female), np.ones_like(female), np.ones_like(female)])
    sexual, other = np.array([c[4] for c in CORRIDORS]), np.array([c[5] for c in CORRIDORS])
    exploit_odds = np.column_stack([np.ones_like(sexual), sexual, sexual, other, np.ones_like(sexual)])
    return probs, gender_odds, exploit_odds


def region_pair_target() -> np.ndarray:
    """Joint shares of (citizenship region, exploitation region), REGIONS x REGIONS, flattened row-major.

    The seed (reference 6.4 flows plus assumptions) fitted to both published region marginals.
    """
    rows = shares(VP_COUNTS["UN_COO_Region"], REGIONS)
    cols = shares(VP_COUNTS["UN_COE_Region"], REGIONS)
    return ipf(REGION_PAIR_SEED, rows, cols).ravel()


def _draw_victims(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Victim-level value codes (one entry per victim) for every victim attribute."""
    partial = (rng.random(n) < PARTIAL_SHARE).astype(np.int64)
    pair_missing = np.array([(a == "") + (b == "") for a in REGIONS for b in REGIONS])
    pair_factor = np.vstack([np.ones(pair_missing.size), PARTIAL_MISSING_ODDS**pair_missing])
    pair_target = region_pair_target()
    corridor_probs, corridor_gender, corridor_exploit = _corridor_arrays()
    if np.any((pair_target > 0) & (corridor_probs.sum(axis=1) == 0)):
        raise ValueError("a region pair with a positive share has no corridor in CORRIDORS")
    pair = draw_calibrated(rng, [partial], [pair_factor], pair_target)
    corridor = draw_rows(rng, corridor_probs, pair)

    gender = draw_calibrated(
        rng,
        [corridor, partial],
        [corridor_gender, _missing_odds(GENDERS, PARTIAL_MISSING_ODDS)],
        shares(GENDER_TARGET, GENDERS),
    )
    exploit_partial = _missing_odds(EXPLOIT, EXPLOIT_PARTIAL_MISSING_ODDS)
    exploit = draw_calibrated(
        rng,
        [gender, corridor, partial],
        [EXPLOIT_BY_GENDER, corridor_exploit, exploit_partial],
        shares(EXPLOIT_TARGET, EXPLOIT),
    )
    gender_known = 1 - _indicator(gender, [GENDERS.index("")])
    majority = draw_calibrated(
        rng,
        [exploit, gender_known, partial],
        [MAJORITY_BY_EXPLOIT, MAJORITY_BY_GENDER_KNOWN, _missing_odds(MAJORITY, PARTIAL_MISSING_ODDS)],
        shares(VP_COUNTS["majorityStatus"], MAJORITY),
    )
    sexual = _indicator(exploit, _SEXUAL)
    age_table = np.array([AGE_GIVEN[(m, s)] for m in MAJORITY for s in (False, True)], dtype=float)
    age = draw_rows(rng, age_table, majority * 2 + sexual)

    coe_region = pair % len(REGIONS)
    bands = tuple(YEAR_BANDS) + ("",)
    band = draw_calibrated(
        rng,
        [coe_region, partial],
        [YEAR_BY_REGION, _missing_odds(bands, PARTIAL_MISSING_ODDS)],
        shares(VP_COUNTS["yearRegister"], bands),
    )
    year = draw_rows(rng, _year_table(), band)

    sector = _draw_sector(rng, gender, exploit, majority, corridor)
    means = _draw_flags(rng, MEANS_BY_EXPLOIT[exploit] * np.where(partial, MEANS_PARTIAL_FACTOR, 1.0)[:, None])
    return {
        "partial": partial,
        "pair": pair,
        "corridor": corridor,
        "gender": gender,
        "exploit": exploit,
        "majority": majority,
        "age": age,
        "year": year,
        "sector": sector,
        "means": means,
    }


def _year_table() -> np.ndarray:
    """Band (YEAR_BANDS order, then "") x year (YEARS order) probabilities."""
    table = np.zeros((len(YEAR_BANDS) + 1, len(YEARS)))
    for i, (name, (lo, hi)) in enumerate(YEAR_BANDS.items()):
        table[i, YEARS.index(str(lo)) : YEARS.index(str(hi)) + 1] = YEAR_WEIGHTS[name]
    table[-1, -1] = 1.0
    return table / table.sum(axis=1, keepdims=True)


def _draw_sector(
    rng: np.random.Generator, gender: np.ndarray, exploit: np.ndarray, majority: np.ndarray, corridor: np.ndarray
) -> np.ndarray:
    """Labour sector (SECTORS codes); "" for victims without labour exploitation."""
    hint = np.array([SECTORS.index(c[6]) if c[6] else -1 for c in CORRIDORS])
    hint_odds = np.where(np.arange(len(SECTORS))[None, :] == hint[:, None], SECTOR_HINT_ODDS, 1.0)
    minor = _indicator(majority, [MAJORITY.index("Minor")])
    sexual = _indicator(exploit, _SEXUAL)
    seed = factor_seed(
        [
            SECTOR_BY_GENDER,
            np.vstack([np.ones(len(SECTORS)), SECTOR_MINOR_ODDS]),
            np.vstack([np.ones(len(SECTORS)), SECTOR_SEXUAL_ODDS]),
            hint_odds,
        ]
    )
    sector = draw_rows(
        rng,
        seed / seed.sum(axis=1, keepdims=True),
        group_index([gender, minor, sexual, corridor], [len(GENDERS), 2, 2, len(CORRIDORS)]),
    )
    return np.where(_indicator(exploit, _LABOUR) == 1, sector, SECTORS.index(""))


def _draw_flags(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Independent flags with per-record probabilities (records x flags), as bit masks (flag j = bit j)."""
    hits = rng.random(probs.shape) < probs
    return (hits * (1 << np.arange(probs.shape[1]))[None, :]).sum(axis=1)


@lru_cache(maxsize=8)
def _mask_labels(domain: tuple[str, ...]) -> np.ndarray:
    """Label of every bit mask over ``domain``: the set members joined by MULTI_DELIMITER in domain order."""
    return np.array(
        [MULTI_DELIMITER.join(v for j, v in enumerate(domain) if m >> j & 1) for m in range(1 << len(domain))],
        dtype=object,
    )


# ----------------------------------------------------------------------------------------------------------
# Perpetrators.
# ----------------------------------------------------------------------------------------------------------


def _set_domain(domain: tuple[str, ...], target: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(bit masks, target shares) of the value sets a published column shows ("" = empty set)."""
    masks = np.array(
        [sum(1 << domain.index(v) for v in label.split(MULTI_DELIMITER) if v) for label in target], dtype=np.int64
    )
    return masks, shares(target, list(target))


def _size_factor(masks: np.ndarray, max_perps: int) -> np.ndarray:
    """Odds of each value set by number of perpetrators: impossible when the set is larger (a victim without
    perpetrators has the empty set); a set of s values gets odds C(k-1, s-1), so mixed sets need many."""
    size = np.array([bin(int(m)).count("1") for m in masks])
    k = np.arange(max_perps + 1)[:, None]
    odds = comb(np.maximum(k - 1, 0), np.maximum(size - 1, 0)[None, :]) * (k >= size[None, :])
    odds[:, size == 0] = 1.0
    odds[0, size > 0] = 0.0
    return odds


def _contains(masks: np.ndarray, value_codes: Sequence[int], odds: float) -> np.ndarray:
    """Factor with one level per entry of ``value_codes``: at level i, the odds of every value set containing
    value ``value_codes[i]`` are multiplied by ``odds`` (a code of -1 leaves all odds unchanged)."""
    codes = np.asarray(value_codes, dtype=np.int64)[:, None]
    has = (masks[None, :] >> np.maximum(codes, 0)) & 1
    return np.where((has == 1) & (codes >= 0), odds, 1.0)


def _draw_perp_sets(
    rng: np.random.Generator, victims: dict[str, np.ndarray], n_perps: np.ndarray
) -> dict[str, np.ndarray]:
    """Victim-level value sets (bit masks over PERP_DOMAINS) of the perpetrator columns, and role sets."""
    partial, exploit = victims["partial"], victims["exploit"]
    base = [n_perps, partial]
    sexual = _indicator(exploit, _SEXUAL)
    labour = _indicator(exploit, _LABOUR)
    minor = _indicator(victims["majority"], [MAJORITY.index("Minor")])
    g, rel, paid = (PERP_DOMAINS[c] for c in ("perpGender", "perpRelation", "perpPaid"))
    regions = list(range(len(REGIONS) - 1)) + [-1]  # victim region code -> perpetrator region code
    effects = {  # column -> [(victim-level factor levels, value code per level, odds)]
        "perpGender": [(sexual, [-1, g.index("Female")], PERP_FEMALE_IF_SEXUAL)],
        "perpAgeBroad": [],
        "perpCitizenRegion": [
            (victims["pair"] // len(REGIONS), regions, PERP_REGION_OF_CITIZENSHIP),
            (victims["pair"] % len(REGIONS), regions, PERP_REGION_OF_EXPLOITATION),
        ],
        "perpRelation": [(minor, [-1, rel.index("FamilyIntimatePartner")], PERP_FAMILY_IF_MINOR)],
        "perpPaid": [(labour, [-1, paid.index("Yes")], PERP_PAID_IF_LABOUR)],
    }
    out = {}
    for col, col_effects in effects.items():
        masks, target = _set_domain(PERP_DOMAINS[col], VP_COUNTS[PERP_TARGET[col]])
        factors = [
            _size_factor(masks, len(N_PERPS) - 1),
            _missing_odds(["" if m == 0 else "x" for m in masks], PARTIAL_MISSING_ODDS),
        ]
        factors += [_contains(masks, codes, odds) for _, codes, odds in col_effects]
        levels = base + [lv for lv, _, _ in col_effects]
        out[col] = masks[draw_calibrated(rng, levels, factors, target)]
    k_odds = np.column_stack([np.ones(len(N_PERPS)), ROLE_BY_N_PERPS])
    role_sets = np.zeros(n_perps.size, dtype=np.int64)
    for j, role in enumerate(ROLES):
        target = shares(VP_COUNTS[ROLE_TARGET[role]], ["", "1"])
        exploit_odds = np.column_stack([np.ones(len(EXPLOIT)), ROLE_BY_EXPLOIT[:, j]])
        partial_odds = np.array([[1.0, 1.0], [PARTIAL_MISSING_ODDS, 1.0]])
        has = draw_calibrated(rng, [n_perps, exploit, partial], [k_odds, exploit_odds, partial_odds], target)
        role_sets |= has << j
    out["perpRole"] = role_sets
    return out


def _rank_within(rng: np.random.Generator, victim: np.ndarray, start: np.ndarray) -> np.ndarray:
    """A uniformly random order of every victim's rows: rank of each row (0..k-1) within its victim."""
    order = np.lexsort((rng.random(victim.size), victim))
    rank = np.empty(victim.size, dtype=np.int64)
    rank[order] = np.arange(victim.size) - start[victim[order]]
    return rank


def _spread_set(
    rng: np.random.Generator,
    masks: np.ndarray,
    victim: np.ndarray,
    start: np.ndarray,
    n_values: int,
    extra_missing: float,
) -> np.ndarray:
    """One value code per perpetrator row (-1 = missing) such that each victim's values form its set."""
    nth = np.full((1 << n_values, n_values), -1, dtype=np.int64)
    size = np.zeros(1 << n_values, dtype=np.int64)
    for m in range(1 << n_values):
        members = [j for j in range(n_values) if m >> j & 1]
        nth[m, : len(members)], size[m] = members, len(members)
    m, s = masks[victim], size[masks[victim]]
    rank = _rank_within(rng, victim, start)
    u_pick, u_missing = rng.random(victim.size), rng.random(victim.size)
    extra = nth[m, np.minimum((u_pick * s).astype(np.int64), n_values - 1)]
    extra = np.where(u_missing < extra_missing, -1, extra)
    return np.where(rank < s, nth[m, np.minimum(rank, n_values - 1)], extra)


def _spread_roles(
    rng: np.random.Generator, role_sets: np.ndarray, victim: np.ndarray, rank: np.ndarray, n_rows: np.ndarray
) -> np.ndarray:
    """Role bit masks per perpetrator row: each role of the victim's set is held by one random perpetrator
    and shared by each other perpetrator with probability ROLE_SHARED."""
    out = np.zeros(victim.size, dtype=np.int64)
    for j in range(len(ROLES)):
        holder = (rng.random(role_sets.size) * n_rows).astype(np.int64)
        held = (rank == holder[victim]) | (rng.random(victim.size) < ROLE_SHARED)
        out |= ((role_sets[victim] >> j & 1) * held) << j
    return out


# ----------------------------------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------------------------------


def generate_sample(n_victims: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Generate ``n_victims`` private case records in long format (one row per victim-perpetrator pair).

    All columns are strings, "" where a value is absent; ``case_id`` comes first. The same seed always gives
    the same table.
    """
    if n_victims < 1:
        raise ValueError("n_victims must be at least 1")
    rng = np.random.default_rng(seed)
    victims = _draw_victims(rng, n_victims)
    n_perps = draw_calibrated(
        rng, [victims["partial"]], [np.vstack([np.ones(len(N_PERPS)), N_PERPS_PARTIAL_ODDS])], N_PERPS
    )
    perp_sets = _draw_perp_sets(rng, victims, n_perps)

    n_rows = np.maximum(n_perps, 1)
    start = np.concatenate([[0], np.cumsum(n_rows)[:-1]])
    victim = np.repeat(np.arange(n_victims), n_rows)
    rank = _rank_within(rng, victim, start)

    width = max(5, len(str(n_victims)))
    corridor = victims["corridor"]
    exploit = victims["exploit"]
    flag = np.array(["", "1"], dtype=object)
    cols: dict[str, np.ndarray] = {
        "case_id": np.char.add("V", np.char.zfill((np.arange(n_victims) + 1).astype(str), width)).astype(object),
        "yearRegister": np.array(YEARS, dtype=object)[victims["year"]],
        "gender": np.array(GENDERS, dtype=object)[victims["gender"]],
        "ageBroad": np.array(AGES, dtype=object)[victims["age"]],
        "majorityStatus": np.array(MAJORITY, dtype=object)[victims["majority"]],
        "citizenship": np.array([c[0] for c in CORRIDORS], dtype=object)[corridor],
        "CountryOfExploitation": np.array([c[1] for c in CORRIDORS], dtype=object)[corridor],
        "isForcedLabour": flag[_indicator(exploit, _LABOUR)],
        "isSexualExploit": flag[_indicator(exploit, _SEXUAL)],
        "isOtherExploit": flag[_indicator(exploit, [EXPLOIT.index("O")])],
        "typeOfLabour": np.array(SECTORS, dtype=object)[victims["sector"]],
        "meansOfControl": _mask_labels(MEANS)[victims["means"]],
    }
    frame = {name: values[victim] for name, values in cols.items()}
    for col, domain in PERP_DOMAINS.items():
        codes = _spread_set(rng, perp_sets[col], victim, start, len(domain), PERP_EXTRA_MISSING[col])
        frame[col] = np.array(domain + ("",), dtype=object)[codes]
    frame["perpRole"] = _mask_labels(ROLES)[_spread_roles(rng, perp_sets["perpRole"], victim, rank, n_rows)]
    return pd.DataFrame({name: frame[name] for name in COLUMNS})


def write_sample(path: str | Path, n_victims: int = 20_000, seed: int = 0) -> Path:
    """Generate the sample and write it as a UTF-8, comma-delimited CSV (parent folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    generate_sample(n_victims, seed).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def join_victims(
    frame: pd.DataFrame, subject_id: str = "case_id", multi_value: Sequence[str] = MULTI_VALUE_COLUMNS
) -> pd.DataFrame:
    """One row per subject: other columns keep their first value; multi-value columns become the sorted set of
    values over the subject's rows, joined by MULTI_DELIMITER ("" when there is none)."""
    subject, _ = pd.factorize(frame[subject_id])
    first = frame.drop_duplicates(subject_id).reset_index(drop=True)
    for col in multi_value:
        cell_codes, cells = pd.factorize(frame[col])
        parts = [set(c.split(MULTI_DELIMITER)) - {""} for c in cells]
        values = sorted(set().union(*parts))
        if len(values) > 63:
            raise ValueError(f"join_victims handles at most 63 distinct values per column; {col} has {len(values)}")
        cell_masks = np.array([sum(1 << values.index(v) for v in p) for p in parts], dtype=np.uint64)
        masks = np.zeros(len(first), dtype=np.uint64)
        np.bitwise_or.at(masks, subject, cell_masks[cell_codes])
        labels = {m: MULTI_DELIMITER.join(v for j, v in enumerate(values) if int(m) >> j & 1) for m in np.unique(masks)}
        first[col] = pd.Series(masks).map(labels).astype(object)
    return first
