"""About this data: parameters, plain-language explanation, limits, evaluation charts, history, citation."""

from __future__ import annotations

from dataclasses import asdict

import dash_mantine_components as dmc
import pandas as pd
from dash import dcc, html

from dashboard import context
from dashboard.citation import citation_parts
from dashboard.evaluation import evaluation_tables
from dashboard.figures import metric_bars
from dashboard.i18n import N_, format_decimal, gettext, translate
from dashboard.profile import Profile
from dashboard.store import Release
from layouts import ids
from layouts.common import aria, graph, readable_date, with_release

EXPLANATION = [
    (
        N_("What is published?"),
        N_(
            "Two things, both derived only from differentially private (DP) counts: aggregate counts of every "
            "combination of up to R attributes (for example 'female, 18–20, forced labour'), and synthetic records "
            "generated to agree with those counts. No real record is published."
        ),
    ),
    (
        N_("What does differential privacy guarantee?"),
        N_(
            "Calibrated random noise is added to every count, so that the published numbers would be almost the same "
            "whether or not any single person's case was in the data. The privacy loss is bounded by ε (epsilon) and δ "
            "(delta): smaller means stronger protection and noisier counts. Releases of the same data add up: the "
            "guarantee for the people in it is the cumulative ε and δ of all its releases, shown below."
        ),
    ),
    (
        N_("How precise are the counts?"),
        N_(
            "Each published count comes with the standard deviation of its noise; the dashboard shows the 95% interval "
            "(count ± 1.96 × sd). Counts too small to be distinguished from noise are suppressed and shown as "
            "'not reported' — they are not zero. The exception is a column whose list of values is public (declared "
            "in advance, e.g. from a codebook): each of its values is always published, and its count, even 0, is a "
            "noisy estimate."
        ),
    ),
    (
        N_("What are the synthetic records for?"),
        N_(
            "They let you explore combinations longer than R, build tables and filter freely. Counts from them are "
            "estimates and are always marked 'estimated from synthetic records'; for combinations up to R, prefer the "
            "published aggregates."
        ),
    ),
    (
        N_("What can and cannot be concluded?"),
        N_(
            "Patterns that are large relative to the intervals can be reported. Small differences, rare combinations "
            "and anything about an individual cannot. The data describe identified cases, not the prevalence of "
            "trafficking."
        ),
    ),
]

PARAMETERS = [
    ("epsilon", N_("Privacy loss ε")),
    ("delta", N_("δ")),
    ("cumulative_epsilon", N_("Cumulative ε of this dataset (all its releases, this one included)")),
    ("cumulative_delta", N_("Cumulative δ of this dataset (all its releases, this one included)")),
    ("reporting_length", N_("Reporting length R")),
    ("protected_number_of_records", N_("Protected number of records (DP)")),
    ("noise_sd", N_("Noise sd by length")),
    ("thresholds", N_("Suppression thresholds by length")),
    ("threshold_type", N_("Threshold type")),
    ("accuracy_mode", N_("Accuracy mode")),
    ("fabrication_mode", N_("Fabrication mode")),
    ("mechanism", N_("Mechanism")),
]


#: The release's machine names of methods and modes, as the About page writes them.
CODE_NAMES = {
    "dp_marginals": N_("Gaussian noise on the counts of attribute combinations"),
    "raked_marginals": N_("raked marginals"),
    "aggregate_seeded": N_("aggregate-seeded"),
    "gum": N_("record editing toward the published tables (GUM)"),
    "prioritize_long": N_("prioritise long combinations"),
    "prioritize_short": N_("prioritise short combinations"),
    "balanced": N_("balanced"),
    "custom": N_("custom"),
    "uncontrolled": N_("uncontrolled"),
    "progressive": N_("progressive"),
    "minimize": N_("minimise"),
    "custom_fixed": N_("custom, fixed"),
    "custom_adaptive": N_("custom, adaptive"),
    "fixed": N_("fixed"),
    "adaptive": N_("adaptive"),
}


def readable_value(value) -> str:
    """A parameter value as readers write it: numbers in the reader's language, method names in words."""
    if isinstance(value, list):
        return ", ".join(readable_value(v) for v in value)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        return format_decimal(int(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str) and value in CODE_NAMES:
        return translate(CODE_NAMES[value])
    return str(value)


#: Shown for a cumulative spend of None: the ledger holds a non-DP release of the dataset.
NO_GUARANTEE = N_("none: a non-DP (k-anonymity) release of this dataset exists")


def parameter_rows(release) -> list[tuple[str, str]]:
    privacy = asdict(release.privacy)
    rows = [
        (translate(label), translate(NO_GUARANTEE) if privacy[key] is None else readable_value(privacy[key]))
        for key, label in PARAMETERS
    ]
    rows += [
        (gettext("Release id"), release.release_id),
        (gettext("Published"), f"{readable_date(release.metadata.created_at)} ({release.metadata.created_at})"),
        (gettext("Software version"), release.metadata.software_version),
        (gettext("Synthesis method"), readable_value(release.metadata.synthesis.method)),
        (gettext("Synthetic records"), format_decimal(release.n_synthetic)),
    ]
    return rows


def _table(rows: list[tuple[str, str]], caption: str) -> dmc.Table:
    return dmc.Table(
        [html.Caption(caption), html.Tbody([html.Tr([html.Th(k, scope="row"), html.Td(v)]) for k, v in rows])],
        striped=True,
        withTableBorder=True,
        className="param-table",
    )


def _frame_table(frame: pd.DataFrame, caption: str) -> html.Div:
    """A wide table in its own keyboard-reachable sideways scroll (its last columns were cut off on a phone)."""
    head = html.Thead(html.Tr([html.Th(c) for c in frame.columns]))
    body = html.Tbody([html.Tr([html.Td(readable_value(v)) for v in row]) for row in frame.itertuples(index=False)])
    table = dmc.Table([html.Caption(caption), head, body], striped=True, withTableBorder=True)
    return html.Div(table, className="table-scroll", tabIndex="0", role="region", **aria(label=caption))


@with_release
def layout(release: Release, profile: Profile, /, **_) -> html.Div:
    evaluation = evaluation_tables(release.evaluation)
    source = gettext("Source: evaluation report of release {release}.").format(release=release.release_id)
    charts = [
        graph(
            f"eval-{i}",
            metric_bars(t.frame, t.x, t.y, t.title, source),
            f"{release.release_id}-evaluation-{i}",
            t.title,
        )
        for i, t in enumerate(evaluation.charts)
    ]
    history = pd.DataFrame(
        [
            {
                gettext("Release"): h.release_id,
                gettext("Published"): readable_date(h.created_at),
                gettext("Dataset"): h.dataset,
                "ε": h.epsilon,
            }
            for h in context.store().history()
        ]
    )
    cite = citation_parts(release)
    caveats = [dmc.ListItem(c) for c in profile.caveats]
    return dmc.Container(
        [
            dmc.Title(gettext("About this data"), order=1, size="h2"),
            dmc.Text(profile.title, c="dimmed"),
            dmc.SimpleGrid(
                [
                    dmc.Paper(
                        [dmc.Title(translate(q), order=3, size="h5"), dmc.Text(translate(a), size="sm")],
                        p="md",
                        withBorder=True,
                    )
                    for q, a in EXPLANATION
                ],
                cols={"base": 1, "md": 2},
                spacing="sm",
            ),
            dmc.Title(gettext("Caveats for this dataset"), order=2, size="h4") if caveats else None,
            dmc.List(caveats) if caveats else None,
            dmc.Title(gettext("Release parameters"), order=2, size="h4"),
            _table(parameter_rows(release), gettext("Privacy and synthesis parameters of the current release")),
            dmc.Title(gettext("Evaluation report"), order=2, size="h4"),
            dmc.Text(
                gettext("Synthetic records compared with the published DP aggregates (never with the private input)."),
                size="sm",
            ),
            dmc.List([dmc.ListItem(t) for t in evaluation.sentences]) if evaluation.sentences else None,
            _table(evaluation.scalars, gettext("Summary figures"))
            if evaluation.scalars
            else dmc.Text(gettext("No evaluation summary in this release."), size="sm"),
            dmc.SimpleGrid(charts, cols={"base": 1, "md": 2}, spacing="md"),
            dmc.Text(source, size="xs", c="dimmed", className="source-line") if charts else None,
            dmc.Title(gettext("Release history"), order=2, size="h4"),
            _frame_table(history, gettext("Published releases, oldest first")) if len(history) else None,
            dmc.Title(gettext("How to cite"), order=2, size="h4"),
            dmc.Group(
                [
                    # original data and this release on lines of their own (copied as two lines too)
                    dmc.Code("\n".join(cite), id=ids.ABOUT_CITATION, block=True),
                    dcc.Clipboard(target_id=ids.ABOUT_CITATION, title=gettext("Copy citation")),
                ],
                align="flex-start",
                wrap="nowrap",
            ),
        ],
        size="lg",
        className="page page-about",
    )
