"""Record editing toward every published marginal (PrivSyn's GUM, "gradually update method"): ``gum``.

Input is only an :class:`Aggregates` of DP counts and the published noise SDs (post-processing keeps the DP
guarantee); the private records are never seen. Steps:

1. **Start.** n' records drawn from the Chow-Liu tree of the consistent 1/2-way tables of
   :mod:`synth.synthesizers.raked_marginals` (1-counts denoised with the 2-counts, explicit "absent" category),
   or (``start="raked"``, automatic on the condensed view) the records of ``raked_marginals`` itself.
2. **Targets.** Every column, column pair and column triple with a published combination is a marginal. A
   1-way marginal targets the denoised 1-way table (absent included). A pair targets the DP 2-counts on its
   value cells (0 where unpublished), ``count(a) - sum_v count(a, v)`` on its value-absent cells and the
   remainder to n' on absent-absent, each with the noise SD of that sum. A triple targets its value cells
   only: the DP 3-count (noise SD of length 3), or 0 with a dead zone of ``unpublished_slack`` records where
   unpublished; its cells with an absent column are free.
3. **Editing.** For ``rounds`` rounds (automatic: 2, none on the condensed view), with a step that shrinks
   geometrically, marginals are visited in random order within each length, triples first and single columns last. A
   cell's excess is its deviation from the target beyond ``tolerance`` noise SDs (a dead zone: a deviation the noise
   explains is left alone). Cells in excess lose ``step * excess`` random records to cells in deficit, which gain as
   many; a moved record's cells of that marginal are overwritten with the destination cell's values (sources and
   destinations are paired in cell order, so most moves change one column). The editing copies no record, so the
   records stay as diverse as the start's.
4. **Polish.** Up to ``polish_sweeps`` passes of record-level coordinate descent on the noise-weighted squared
   error of all these marginals at once (:mod:`synth.synthesizers.polish`), stopping after a pass that gains less
   than ``polish_min_gain`` and never removing a record's last value: step 3 moves random records, so the
   edit made for one table undoes another's and the editing stops short of the tables; here each edit is
   chosen by its effect on every marginal holding the column. ``unpublished_cost`` (automatic: 1 on the
   condensed view, else 0) prices each unpublished 3-way value cell that holds a record (a fabricated
   3-combination). With ``polish_expanded`` and multi-value sources (see below), the polish fits the published
   expanded tables of those sources instead of the condensed view's.
5. **Exact 1-way.** Single-cell edits make every 1-way count equal its rounded denoised table
   (:func:`synth.synthesizers.raked_marginals.fix_one_way`).

**Multi-value sources.** An expanded multi-value source (binary columns ``{source}_{value}``, containment
counts) can be edited column by column (``condense_multi_value`` false): the polish then fits every published
expanded 1/2/3-way table, so the value sets come out as the 3-way tables allow. Or, with ``condense_multi_value``,
steps 1-5 run on the condensed view of :mod:`synth.synthesizers.condense` (one column per source whose values
are the published value sets, "exactly this set" counts by inclusion-exclusion from the published aggregates
only), so every marginal of a source is a marginal over value sets; the records are then expanded again and,
with ``exact_one_way``, single-value sets are switched on or off (only in records with no other value of that
source) to match the expanded 1-way tables; with ``residual_one_way`` what that cannot fix is fixed by
single-cell edits in any record (a few sets change). The condensed view holds only the sets published as
combinations, so sets of more than R values do not exist in it, and its targets are estimates (inclusion-exclusion
over containment counts, the terms longer than R estimated). With ``polish_expanded`` = L the records stay
condensed, but step 4 fits the *published expanded* 1..L-way tables of the sources, with their exact targets and
noise SDs, in place of the condensed view's 2..L-way marginals that hold a source (its 1-way table of value sets
stays): a marginal over *features* of the condensed columns, where the feature of an expanded column
``{source}_{v}`` is "v is in the record's set" (:meth:`synth.synthesizers.condense.Condensed.feature`); the
condensed view's exact 1-way edits, which would pull the sets back to their estimated counts, are skipped (the
expanded ones remain). Containment counts cannot tell a value set from its values: a record may take the set
Female;Male in a context where each value occurs but the two never do together. So the condensed view's 3-way
marginals that hold a source stay in the polish without their targets (:func:`presence_only`): only their
cells the view lacks count, each costing ``unpublished_cost`` while it holds a record.

Automatic by default (docs/benchmarks.md, issue 9, sessions 4 and 5): condensed with L = 3 when the published
sets of two or more values are at most :data:`MANY_SETS` (the CTDC file's 6-14: 2/3-way in-interval 1.00 / 0.98
at epsilon 12, against 0.90 / 0.92 without the expanded tables), else not condensed (the sample's 146-190 sets:
its means of control hold up to 6 values, 11 % of the records more than R = 3, and the condensed records had
the distribution of exact sets 0.45 away in total variation, 0.08 not condensed). Tables without multi-value
columns are synthesised exactly as before. On the condensed view, the start, rounds and cost are
:data:`CONDENSED_DEFAULTS` (session 10): its case files repeat (the CTDC file: 45 % distinct rows), so starting
from ``raked_marginals``' records, whose 3-combinations are mostly published, and pricing the ones the view lacks
leaves a third to a half of the fabricated 3-combinations.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal, get_args

import numpy as np

from synth.aggregates import Aggregates
from synth.encode import Encoded
from synth.synthesizers.condense import Condensed, condense, expand, has_multi_value, multi_value_sets
from synth.synthesizers.moves import move, move_round
from synth.synthesizers.polish import polish
from synth.synthesizers.raked_marginals import (
    Tables,
    build_tables,
    chow_liu,
    fix_one_way,
    log_pair_tables,
    multi_value_siblings,
    raked_marginals,
    sample_tree,
)
from synth.synthesizers.support import TripleSupport, from_encoded, to_encoded

#: With more published value sets of two or more values than this, ``condense_multi_value`` (automatic) is off:
#: many sets mean many values per record, and sets of more than R values are missing from the condensed view
#: (the sample's 146-190 sets); on few sets (the CTDC file's 6-14) the condensed view is faster and as close.
MANY_SETS = 50
#: Log-likelihood cost of an unpublished 3-combination in the final exact 1-way edits with ``guard``.
GUARD_TRIPLE_COST = 10.0
#: gum's starts: the Chow-Liu tree's records, ``raked_marginals``' records, or the automatic choice.
Start = Literal["auto", "tree", "raked"]
#: The automatic ``start``, ``rounds`` and ``unpublished_cost`` on the condensed view and elsewhere
#: (docs/benchmarks.md, issue 9, session 10). On the CTDC file (condensed) the raked start, no rounds and a cost
#: of 1 leave a third to a half of the fabricated 3-combinations (fab3 0.10-0.13 against 0.23-0.35, 3 seeds at epsilon
#: 1 / 4 / 12), every MAE and TVD as good or better but MAE3 at epsilon 1 and 4 (+1 %); on the diverse sample
#: the raked start leaves too few distinct records (20,000 victims, epsilon 4: 0.86 distinct against the
#: input's 0.99), and on the sample and the dense table the cost worsens MAE2 at epsilon 12 by 6-11 %.
CONDENSED_DEFAULTS = {"start": "raked", "rounds": 0, "unpublished_cost": 1.0}
PLAIN_DEFAULTS = {"start": "tree", "rounds": 2, "unpublished_cost": 0.0}


@dataclass
class Marginal:
    """One marginal over ``columns`` (cells flat in C order over the categories, absent last)."""

    columns: tuple[int, ...]
    shape: tuple[int, ...]
    target: np.ndarray  # float, per cell
    slack: np.ndarray  # tolerated deviation per cell (inf = free cell)
    weight: np.ndarray  # weight of the cell's squared error in :func:`synth.synthesizers.polish.polish` (0 = free)
    unpublished: np.ndarray  # bool per cell: an unpublished 3-way value cell (a combination the DP step dropped)
    luts: tuple[np.ndarray, ...] | None = None  # per column, its category per code (None: the code; polish only)

    def __post_init__(self) -> None:
        self.measured = np.flatnonzero(np.isfinite(self.slack))


def _grouped(agg: Aggregates, length: int) -> dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]]:
    """Published combinations of one length grouped by column tuple: (value codes (k, length), counts)."""
    if length not in agg.keys or agg.keys[length].size == 0:
        return {}
    schema = agg.schema
    combos = agg.combos(length)
    cols = schema.attr_column[combos].astype(np.int64)
    vals = combos - schema.offsets[cols]
    m = len(schema.columns)
    group = np.zeros(combos.shape[0], np.int64)
    for j in range(length):
        group = group * m + cols[:, j]
    order = np.argsort(group, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(group[order])) + 1, order.size]
    counts = np.maximum(agg.counts[length], 0).astype(float)
    out = {}
    for s, e in zip(starts[:-1], starts[1:], strict=True):
        sel = order[s:e]
        out[tuple(int(c) for c in cols[sel[0]])] = (vals[sel], counts[sel])
    return out


def marginals(
    agg: Aggregates,
    tables: Tables,
    noise_sd: list[float] | None,
    tolerance: float,
    unpublished_slack: float = 0.0,
    longest: int = 3,
    holding: frozenset[int] | None = None,
) -> list[Marginal]:
    """The 1-way, 2-way and 3-way marginals (up to ``longest``) with their targets, dead zones and weights (see
    the module docstring); with ``holding``, only those that hold one of these columns."""

    def wanted(cols: tuple[int, ...]) -> bool:
        return holding is None or not holding.isdisjoint(cols)

    sd = list(noise_sd) if noise_sd is not None else [0.0] * agg.reporting_length
    sd += [np.inf] * (3 - len(sd))  # below R = 3 the longer marginals are unpublished: free cells
    sizes = tables.sizes
    n = float(agg.n_records)
    out = []
    for c in range(sizes.size):
        if not wanted((c,)):
            continue
        cell_sd = np.full(int(sizes[c]), sd[0])
        cell_sd[-1] *= np.sqrt(max(int(sizes[c]) - 1, 1))
        out.append(_marginal((c,), tables.one[c].copy(), cell_sd, tolerance))
    pairs = _grouped(agg, 2)
    m = sizes.size if longest >= 2 else 0
    for i in range(m):
        for j in range(i + 1, m):
            if not wanted((i, j)):
                continue
            shape = (int(sizes[i]), int(sizes[j]))
            target = np.zeros(shape)
            if (i, j) in pairs:
                vals, counts = pairs[i, j]
                target[vals[:, 0], vals[:, 1]] = counts
            one_i, one_j = tables.one[i][:-1], tables.one[j][:-1]
            target[:-1, -1] = np.maximum(one_i - target[:-1, :-1].sum(axis=1), 0)
            target[-1, :-1] = np.maximum(one_j - target[:-1, :-1].sum(axis=0), 0)
            target[-1, -1] = max(n - target.sum(), 0)
            ni, nj = shape[0] - 1, shape[1] - 1
            cell_sd = np.full(shape, sd[1])
            cell_sd[:-1, -1] = np.hypot(sd[0], np.sqrt(nj) * sd[1])
            cell_sd[-1, :-1] = np.hypot(sd[0], np.sqrt(ni) * sd[1])
            cell_sd[-1, -1] = np.hypot(np.sqrt(ni + nj) * sd[0], np.sqrt(ni * nj) * sd[1])
            out.append(_marginal((i, j), target, cell_sd, tolerance))
    for cols, (vals, counts) in (_grouped(agg, 3) if longest >= 3 else {}).items():
        if not wanted(cols):
            continue
        cube = tuple(int(sizes[c]) for c in cols)
        target = np.zeros(cube)
        target[vals[:, 0], vals[:, 1], vals[:, 2]] = counts
        published = np.zeros(cube, bool)
        published[vals[:, 0], vals[:, 1], vals[:, 2]] = True
        published = published[:-1, :-1, :-1]
        cell_sd = np.full(cube, np.inf)
        cell_sd[:-1, :-1, :-1] = sd[2]
        marginal = _marginal(cols, target, cell_sd, tolerance)
        marginal.slack.reshape(cube)[:-1, :-1, :-1][~published] = unpublished_slack
        marginal.unpublished.reshape(cube)[:-1, :-1, :-1] = ~published
        out.append(marginal)
    return out


def _marginal(columns: tuple[int, ...], target: np.ndarray, cell_sd: np.ndarray, tolerance: float) -> Marginal:
    """A marginal whose cells have noise SD ``cell_sd`` (inf = free cell): dead zone ``tolerance`` SDs, weight
    1 / SD**2 (1 on every measured cell when the SDs are unknown, i.e. 0)."""
    free = ~np.isfinite(cell_sd)
    slack = np.where(free, np.inf, tolerance * np.where(free, 0.0, cell_sd))
    weight = np.where(free, 0.0, 1.0 / np.where(free | (cell_sd <= 0), 1.0, cell_sd) ** 2)
    unpublished = np.zeros(target.size, bool)
    return Marginal(columns, target.shape, target.ravel(), slack.ravel(), weight.ravel(), unpublished)


def update(
    codes: np.ndarray,
    marginal: Marginal,
    step: float,
    rng: np.random.Generator,
    single_column: bool = False,
    support: TripleSupport | None = None,
) -> int:
    """One GUM step on one marginal (in place); returns the number of records moved.

    Cells whose count exceeds the target by more than their slack lose ``step`` times the excess (stochastically
    rounded) to cells in deficit. Moves that change a single column of the marginal are matched first (a record
    in an excess cell goes to a deficit cell that differs from its cell in one column only); unless
    ``single_column``, the rest are paired in cell order and may change several columns. With ``support``, a
    move that gives its record more unpublished 3-combinations than it had is undone. Compiled:
    :mod:`synth.synthesizers.moves`.
    """
    moved, touched, before = move(
        codes,
        np.asarray(marginal.columns, np.int64),
        np.asarray(marginal.shape, np.int64),
        marginal.target,
        marginal.slack,
        marginal.measured,
        step,
        rng,
        single_column,
    )
    if support is not None:
        moved -= undo_unsupported(codes, touched, before, support)
    return int(moved)


#: :func:`packed_marginals`: columns, widths, shapes, cell_at, target, slack, measured, measured_at.
Packed = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def packed_marginals(todo: list[Marginal]) -> Packed:
    """The marginals as :func:`synth.synthesizers.moves.move_round` takes them: columns, widths, shapes,
    cell_at, target, slack, measured, measured_at."""
    width = max((len(mg.columns) for mg in todo), default=1)
    columns = np.zeros((len(todo), width), np.int64)
    shapes = np.ones((len(todo), width), np.int64)
    for k, mg in enumerate(todo):
        columns[k, : len(mg.columns)] = mg.columns
        shapes[k, : len(mg.shape)] = mg.shape
    widths = np.array([len(mg.columns) for mg in todo], np.int64)
    cell_at = np.cumsum([0] + [mg.target.size for mg in todo]).astype(np.int64)
    measured_at = np.cumsum([0] + [mg.measured.size for mg in todo]).astype(np.int64)
    target = np.concatenate([mg.target for mg in todo]).astype(float)
    slack = np.concatenate([mg.slack for mg in todo]).astype(float)
    measured = np.concatenate([mg.measured for mg in todo]).astype(np.int64)
    return columns, widths, shapes, cell_at, target, slack, measured, measured_at


def undo_unsupported(codes: np.ndarray, rows: np.ndarray, before: np.ndarray, support: TripleSupport) -> int:
    """Restore ``before`` in the ``rows`` whose edit added unpublished 3-combinations (in place); returns how
    many edits were undone."""
    changed = (codes[rows] != before).any(axis=1)
    rows, before = rows[changed], before[changed]
    if rows.size == 0:
        return 0
    worse = support.absent_counts(codes[rows]) > support.absent_counts(before)
    codes[rows[worse]] = before[worse]
    return int(worse.sum())


def expanded_marginals(
    agg: Aggregates,
    view: Condensed,
    noise_sd: list[float] | None,
    tolerance: float,
    unpublished_slack: float,
    longest: int = 3,
) -> list[Marginal]:
    """The published expanded 1..``longest``-way marginals that hold a multi-value column (containment counts,
    exact published targets and SDs, as :func:`marginals` builds them on ``agg``), over features of the
    condensed columns of ``view``: an expanded column becomes its condensed column read through
    :meth:`synth.synthesizers.condense.Condensed.feature`."""
    schema = agg.schema
    luts = [view.feature(schema, e) for e in range(len(schema.columns))]
    multi = frozenset(e for e, col in enumerate(schema.columns) if col.multi_value)
    out = marginals(agg, build_tables(agg, noise_sd), noise_sd, tolerance, unpublished_slack, longest, multi)
    for mg in out:
        mg.luts = tuple(luts[e] for e in mg.columns)
        mg.columns = tuple(view.column_of[e] for e in mg.columns)
    return out


def _resolved(options: dict, defaults: dict) -> dict:
    """``options`` with each automatic one (None, or ``"auto"``) taken from ``defaults``."""
    return {**options, **{k: v for k, v in defaults.items() if options[k] in (None, "auto")}}


def presence_only(marginal: Marginal) -> Marginal:
    """``marginal`` without its targets (every weight 0): in the polish, only its unpublished cells count, each
    costing ``unpublished_cost`` while it holds a record."""
    return replace(marginal, weight=np.zeros_like(marginal.weight))


def _edit(
    aggregates: Aggregates,
    rng: np.random.Generator,
    extra: list[Marginal],
    replaced: frozenset[int],
    upto: int,
    *,
    noise_sd: list[float] | None,
    rounds: int,
    step: float,
    decay: float,
    tolerance: float,
    single_column: bool,
    unpublished_slack: float,
    exact_one_way: bool,
    start: str,
    guard: bool,
    polish_sweeps: int,
    polish_accept: float,
    polish_min_gain: float,
    unpublished_cost: float,
    progress: Callable[[float], None] | None,
) -> Encoded:
    """Steps 1-5 of the module docstring on ``aggregates`` (no multi-value columns); the polish also fits the
    ``extra`` marginals and leaves out the 2..``upto``-way marginals holding a column of ``replaced``."""
    schema = aggregates.schema
    n_out = int(aggregates.n_records)
    m = len(schema.columns)
    if n_out <= 0 or m == 0:
        return Encoded(schema, np.zeros((0, m), np.int32))
    tables = build_tables(aggregates, noise_sd)
    if start == "raked":
        codes = from_encoded(raked_marginals(aggregates, rng, noise_sd=noise_sd))
    else:
        codes = sample_tree(tables, *chow_liu(tables), n_out, rng)
    support = TripleSupport(aggregates) if guard and aggregates.reporting_length >= 3 else None
    todo = marginals(aggregates, tables, noise_sd, tolerance, unpublished_slack)
    codes = np.asfortranarray(codes)  # the rounds read whole columns
    report = progress or (lambda share: None)
    steps = rounds + 2 * polish_sweeps  # a polish sweep takes about as long as two rounds
    packed = packed_marginals(todo)
    for r in range(rounds):
        alpha = step * decay**r
        order = np.array(sorted(rng.permutation(len(todo)), key=lambda k: -len(todo[k].columns)), np.int64)
        if support is None:
            move_round(codes, order, *packed, alpha, rng, single_column)
        else:  # the undo reads the published 3-combinations, in numpy: one marginal at a time
            for k in order:
                update(codes, todo[k], alpha, rng, single_column, support)
        report((r + 1) / steps)
    codes = np.ascontiguousarray(codes)  # the polish reads whole records
    if polish_sweeps > 0:

        def swapped(mg: Marginal) -> bool:
            """A 2..``upto``-way marginal holding a column of ``replaced``: ``extra`` fits it instead."""
            return 1 < len(mg.columns) <= upto and not replaced.isdisjoint(mg.columns)

        kept = [mg for mg in todo if not swapped(mg)]
        if unpublished_cost > 0:  # the swapped 3-way ones still price the 3-combinations the view lacks
            kept += [presence_only(mg) for mg in todo if swapped(mg) and mg.unpublished.any()]

        def swept(done: int) -> None:
            report((rounds + 2 * done) / steps)

        polish(
            codes,
            kept + extra,
            tables.sizes,
            rng,
            polish_sweeps,
            polish_accept,
            unpublished_cost=unpublished_cost,
            after_sweep=swept,
            min_gain=polish_min_gain,
        )
    if exact_one_way:
        logs = log_pair_tables(tables)
        codes = fix_one_way(codes, tables, logs, rng, multi_value_siblings(schema), support, GUARD_TRIPLE_COST)
    return to_encoded(codes, schema)


_EDIT_OPTIONS = frozenset(inspect.signature(_edit).parameters) - {"aggregates", "rng", "extra", "replaced", "upto"}


def gum(
    aggregates: Aggregates,
    rng: np.random.Generator,
    *,
    noise_sd: list[float] | None = None,
    rounds: int | None = None,
    step: float = 0.5,
    decay: float = 0.8,
    tolerance: float = 1.0,
    single_column: bool = False,
    unpublished_slack: float = 0.0,
    exact_one_way: bool = True,
    condense_multi_value: bool | None = None,
    condensed_sd_scale: float = 1.0,
    residual_one_way: bool = True,
    start: Start = "auto",
    guard: bool = False,
    polish_sweeps: int = 6,
    polish_accept: float = 0.2,
    polish_min_gain: float = 0.2,
    unpublished_cost: float | None = None,
    polish_expanded: int | None = None,
    progress: Callable[[float], None] | None = None,
    **_ignored: object,
) -> Encoded:
    """Synthesize ``aggregates.n_records`` records by editing toward the DP marginals (see the module docstring).

    noise_sd: the DP noise SD per length (release metadata ``noise_sd``); without it every deviation counts.
    rounds: passes over all marginals (None: automatic, :data:`CONDENSED_DEFAULTS` on the condensed view, else
    :data:`PLAIN_DEFAULTS`, as for ``start`` "auto" and ``unpublished_cost`` None); step: share of a cell's excess
    moved in the first round, multiplied by decay each round; tolerance: dead zone in noise SDs (published cells);
    unpublished_slack: dead zone (records) of an unpublished 3-way value cell, whose target is 0; single_column:
    only moves that change one column of a marginal; exact_one_way: finish with exact 1-way counts;
    condense_multi_value: edit multi-value sources as value sets on the condensed view (see the module docstring),
    whose counts get ``condensed_sd_scale`` times the noise SD; False edits their expanded binary columns; None
    (automatic): True unless more than :data:`MANY_SETS` value sets of two or more values are published;
    residual_one_way: after expanding, 1-way deviations the set-preserving fix leaves are fixed in any record.
    start: ``"tree"`` (n' records drawn from the Chow-Liu tree), ``"raked"`` (the records of
    :func:`synth.synthesizers.raked_marginals.raked_marginals`, whose 3-combinations are mostly published) or
    ``"auto"``;
    guard: an edit may not add unpublished 3-combinations to its record, and the exact 1-way edits avoid them.
    polish_sweeps: most passes of :func:`synth.synthesizers.polish.polish` after the rounds (0 = none), each record
    taking an improving value with probability polish_accept; the polish stops after a pass that lowers its
    objective by less than polish_min_gain of its value (0 = never early); unpublished_cost: extra cost, in the polish
    objective, of an edit that puts a first record into an unpublished 3-way value cell (a new fabricated
    3-combination), and gain of one that empties such a cell; None: automatic. polish_expanded: on the condensed
    view, the polish fits the published expanded 1..L-way tables of the multi-value sources (L = polish_expanded; 0 =
    none) in place of the condensed 2..L-way marginals that hold them, and the condensed exact 1-way edits are
    skipped (see the module docstring); None (automatic): 2 when more than :data:`MANY_SETS` value sets of two
    or more values are published, else 3.
    progress: called with the share of the work done (0..1) after each round and each polish sweep (not an
    option: the refresh passes it, and it is not recorded).
    """
    if start not in get_args(Start):
        raise ValueError(f"gum: start must be one of {get_args(Start)}, got {start!r}")
    schema = aggregates.schema
    options = {k: v for k, v in locals().items() if k in _EDIT_OPTIONS}
    multi = has_multi_value(schema)
    many = multi and multi_value_sets(aggregates) > MANY_SETS
    condensed = not many if condense_multi_value is None else condense_multi_value
    if not (multi and condensed):
        return _edit(aggregates, rng, [], frozenset(), 0, **_resolved(options, PLAIN_DEFAULTS))
    view = condense(aggregates)
    if polish_expanded is None:
        polish_expanded = 2 if many else 3
    extra: list[Marginal] = []
    replaced: frozenset[int] = frozenset()
    if polish_expanded > 0 and polish_sweeps > 0:
        extra = expanded_marginals(aggregates, view, noise_sd, tolerance, unpublished_slack, polish_expanded)
        # They replace the condensed view's 2..L-way marginals of those sources (inclusion-exclusion targets).
        replaced = frozenset(view.column_of[e] for e, col in enumerate(schema.columns) if col.multi_value)
    scaled = None if noise_sd is None else [condensed_sd_scale * float(s) for s in noise_sd]
    # With the expanded tables in the polish, the condensed view's exact 1-way edits (to inclusion-exclusion
    # estimates of the set counts) would undo part of the fit; the expanded 1-way edits below remain.
    inner = {**_resolved(options, CONDENSED_DEFAULTS), "noise_sd": scaled, "exact_one_way": exact_one_way and not extra}
    records = _edit(view.aggregates, rng, extra, replaced, polish_expanded, **inner)
    codes = from_encoded(expand(records, view, schema))
    if exact_one_way:
        tables = build_tables(aggregates, noise_sd)
        logs = log_pair_tables(tables)
        codes = fix_one_way(codes, tables, logs, rng, multi_value_siblings(schema))
        if residual_one_way:
            codes = fix_one_way(codes, tables, logs, rng, {})
    return to_encoded(codes, schema)
