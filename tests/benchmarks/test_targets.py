"""Issue 9's targets marked from a hand-made ``bench_synth.py`` table: each verdict and the figure behind it."""

from __future__ import annotations

from benchmarks.targets import parse, targets_table

HEAD = (
    "| dataset | tool | epsilon | wall s | peak MB | rows out | empty | MAE1/n | MAE2/n | MAE3/n | TVD | TVD-ne | fab3 "
    "| in-interval 1/2/3 | distinct share | max copies | caps | noise sd |\n" + "|---" * 18 + "|\n"
)
IN1 = "0.99/0.99/1.00 (input 0.96/0.96/1.00)"
IN4 = "0.99/0.92/1.00 (input 0.96/0.96/0.99)"
RAKED4 = "0.99/0.85/0.98 (input 0.96/0.96/0.99)"


def row(
    dataset: str, tool: str, eps: str, wall: str, mb: str, maes: str, tvd: str, fab3: str, inside: str, div: str
) -> str:
    """A main-table row (MAE1/2/3 and distinct share / max copies space-separated; unread columns "-")."""
    cells = [dataset, tool, eps, wall, mb, "-", "-", *maes.split(), tvd, "-", fab3, inside, *div.split(), "-", "-"]
    return "| " + " | ".join(cells) + " |\n"


ROWS = (
    row("dense", "input", "-", "-", "-", "- - -", "-", "-", "-", "1.000 1")
    + row("dense", "gum", "1", "2.0", "300", "0.01 0.003 0.0009", "0.200", "0.010", IN1, "1.000 1")
    + row("dense", "gum", "4", "9.0", "300", "0.002 0.001 0.0004", "0.040", "0.080", IN4, "1.000 3")
    + row("dense", "raked_marginals", "4", "1.0", "400", "0.002 0.0025 0.0003", "0.100", "0.030", RAKED4, "0.160 60")
    + row("dense", "pac-synth", "4", "100.0", "1000", "0.0023 0.0068 0.0015", "0.800", "0.030", "-", "0.940 30")
    + row("dense_declared", "gum", "4", "9.0", "300", "0.0015 0.0012 0.0004", "0.030", "0.030", IN1, "1.000 1")
)
MST_DECLARED = "MST like for like: dense_declared ε 4 (domains public, as MST's) MAE2 <= 0.0011, TVD <= 0.044"
RATIOS = "\n| dataset | epsilon | tool | MAE1 ratio |\n|---|---|---|---|\n| dense | 4 | gum | 0.87 |\n"


def verdicts(tool: str) -> dict[str, tuple[str, str]]:
    rows = targets_table(parse((HEAD + ROWS + RATIOS).splitlines()), tool).splitlines()[2:]
    return {cells[0]: (cells[1], cells[2]) for cells in ([c.strip() for c in r.strip("|").split("|")] for r in rows)}


def test_parse_reads_the_main_table_and_skips_the_ratio_table():
    results = parse((HEAD + ROWS + RATIOS).splitlines())
    assert set(results) == {
        ("dense", "input", None),
        ("dense", "gum", 1.0),
        ("dense", "gum", 4.0),
        ("dense", "raked_marginals", 4.0),
        ("dense", "pac-synth", 4.0),
        ("dense_declared", "gum", 4.0),
    }
    gum4 = results[("dense", "gum", 4.0)]
    assert gum4["in_interval"] == [0.99, 0.92, 1.0] and gum4["input_in_interval"] == [0.96, 0.96, 0.99]
    assert gum4["wall"] == 9.0 and gum4["max_copies"] == 3 and "in_interval" not in results[("dense", "pac-synth", 4.0)]


def test_each_target_is_marked_by_its_own_figures():
    gum = verdicts("gum")
    # 2-way 0.92 is 4 points below the input's 0.96 at epsilon 4 (0.99 vs 0.96 at epsilon 1 is fine).
    assert gum["in-interval within 3 points of the input's"][0] == "missed"
    assert (
        "dense 4: 0.99/0.92/1.00 vs input 0.96/0.96/0.99 (length 2)"
        in gum["in-interval within 3 points of the input's"][1]
    )
    # 3 copies of a row where the input has 1 at most: more than twice.
    assert gum["distinct share >= 0.9 x input's, max copies <= 2 x input's"][0] == "missed"
    assert gum["monotone in ε (MAE1/2/3, TVD)"] == ("met", "dense 1 -> 4")
    assert gum["MST: dense ε 4 MAE2 <= 0.0011, TVD <= 0.044"][0] == "met"
    # Each dense table is judged on its own figures: TVD 0.030 passes, MAE2 0.0012 does not.
    assert gum[MST_DECLARED] == ("missed", "dense_declared 4: MAE2 0.00120, TVD 0.030")
    assert gum[">= 10x faster than pac-synth, under its memory"] == ("met", "dense 4: 9.0 s vs 100.0 s, 300 vs 1000 MB")
    assert gum["every MAE and TVD at least as good as raked_marginals'"] == ("missed", "dense 4: mae3 0.0004 vs 0.0003")
    assert gum["fab3 <= 0.04"] == ("missed", "dense 4: 0.080")
    raked = verdicts("raked_marginals")
    assert raked["distinct share >= 0.9 x input's, max copies <= 2 x input's"][0] == "missed"
    assert raked["MST: dense ε 4 MAE2 <= 0.0011, TVD <= 0.044"][0] == "missed"
    assert raked[MST_DECLARED][0] == "not measured"
    assert raked["every MAE and TVD at least as good as raked_marginals'"][0] == "not measured"
    assert raked["fab3 <= 0.04"] == ("met", "dense 4: 0.030")
    assert raked[">= 10x faster than pac-synth, under its memory"][0] == "met"
