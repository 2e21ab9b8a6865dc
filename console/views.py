"""View models of the console: plain data in, Dash components and figures out (no I/O)."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from console import ids
from console.prepare import Preview
from console.runs import RUNNING, Run
from dashboard.evaluation import evaluation_tables

SPARK_HEIGHT = 90


def column_options(preview: Preview) -> list[dict]:
    return [{"label": f"{c.name} ({c.distinct} values)", "value": c.name} for c in preview.columns]


def _spark(values: list[tuple[str, int]], name: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=[v for v, _ in values], y=[n for _, n in values], marker_color="#4c72b0"))
    fig.update_layout(
        height=SPARK_HEIGHT, margin=dict(l=4, r=4, t=4, b=4), xaxis=dict(visible=False), yaxis=dict(visible=False)
    )
    fig.update_layout(title=None, meta={"column": name})
    return fig


def preview_table(preview: Preview) -> html.Div:
    """One card per column: distinct values, non-empty cells, "0" share, delimiter hint and a small histogram."""
    cards = []
    for col in preview.columns:
        hints = []
        if col.zero_share > 0:
            hints.append(f'"0" in {col.zero_share:.0%} of cells')
        if col.delimiter:
            hints.append(f"cells with {col.delimiter!r}: multi-value?")
        cards.append(
            html.Div(
                className="c-card",
                children=[
                    html.Strong(col.name),
                    html.Div(f"{col.distinct} distinct values"),
                    html.Div(f"{col.non_empty} non-empty cells"),
                    html.Div("; ".join(hints), className="c-hint"),
                    dcc.Graph(figure=_spark(col.top, col.name), config={"displayModeBar": False, "staticPlot": True}),
                ],
            )
        )
    return html.Div(
        [
            html.P(f"{preview.file}: {preview.rows} rows, {len(preview.columns)} columns"),
            html.Div(cards, className="c-cards"),
        ]
    )


def _bar(rows: list[dict], x: str, y: str, title: str, limit: int = 15) -> dcc.Graph:
    rows = rows[:limit]
    fig = go.Figure(go.Bar(y=[str(r[x]) for r in rows][::-1], x=[r[y] for r in rows][::-1], orientation="h"))
    fig.update_layout(title=title, height=120 + 22 * len(rows), margin=dict(l=10, r=10, t=40, b=30))
    return dcc.Graph(figure=fig, config={"displayModeBar": False})


def risk_view(report: dict) -> html.Div:
    """The private risk analysis: headline sentence, most linkable columns and attributes, records by length."""
    attributes = [{**a, "attribute": f"{a['column']}: {a['value']}"} for a in report["most_linkable_attributes"]]
    by_length = report["records_by_length"]
    fig = go.Figure(
        [
            go.Bar(name="unique", x=[r["length"] for r in by_length], y=[r["unique_pct"] for r in by_length]),
            go.Bar(name="rare", x=[r["length"] for r in by_length], y=[r["rare_pct"] for r in by_length]),
        ]
    )
    fig.update_layout(
        barmode="stack",
        title="Records by length (% of records)",
        height=300,
        margin=dict(l=10, r=10, t=40, b=30),
        xaxis=dict(title="attributes combined (length)", dtick=1),
        yaxis=dict(title="% of records"),
    )
    return html.Div(
        [
            html.P(f"{report['n_records']} records. {report['summary']}.", className="c-headline"),
            html.Div(
                className="c-charts",
                children=[
                    _bar(report["most_linkable_columns"], "column", "pct", "Most linkable columns (%)"),
                    _bar(attributes, "attribute", "pct", "Most linkable attributes (%)"),
                    dcc.Graph(figure=fig, config={"displayModeBar": False}),
                ],
            ),
        ]
    )


def budget_text(budget: dict, epsilon: float) -> str:
    """The source's budget line, with a warning when a run at ``epsilon`` would overspend (and be refused)."""
    if budget["void"]:
        return "The source's DP guarantee is void (a non-DP bundle exists): runs are refused."
    text = (
        f"Budget: epsilon {budget['spent_epsilon']:g} of {budget['budget_epsilon']:g} spent, "
        f"{budget['left_epsilon']:g} left; delta {budget['spent_delta']:.3g} of {budget['budget_delta']:.3g}."
    )
    if epsilon > budget["left_epsilon"] + 1e-12:
        text += f" A run at epsilon {epsilon:g} would overspend: it will be refused."
    return text


def runs_table(runs: list[Run], published: str | None) -> html.Table:
    """Every run with its parameters, status, progress and time; a Delete button on each run not running."""
    head = ["run", "input", "epsilon", "R", "synthesizer", "status", "progress", "time (s)", "by", ""]
    rows = [
        html.Tr(
            [
                html.Td(r.run_id + (" (published)" if published and r.release_id == published else "")),
                html.Td(r.request.input),
                html.Td(f"{r.request.epsilon:g}"),
                html.Td(r.request.reporting_length),
                html.Td(r.request.synthesizer),
                html.Td(r.status + (f": {r.error}" if r.error else "")),
                html.Td(f"{r.progress:.0%}"),
                html.Td(f"{r.elapsed:.1f}"),
                html.Td(r.user),
                html.Td(
                    None
                    if r.status == RUNNING
                    else html.Button(
                        "Delete",
                        id={"type": ids.RUN_DELETE, "run": r.run_id},
                        className="c-small",
                        title=f"Delete run {r.run_id}",
                    )
                ),
            ]
        )
        for r in runs
    ]
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)], className="c-table")


def run_outcome(run: Run) -> html.Div:
    """One line on a finished job's run: its release (not yet public) or its error."""
    if run.status == "done":
        return html.Div(f"Run {run.run_id} finished in {run.elapsed:.1f} s: release {run.release_id} (not yet public).")
    return html.Div(f"Run {run.run_id} {run.status}: {run.error}", className="c-error", role="alert")


def run_options(runs: list[Run]) -> list[dict]:
    return [
        {"label": f"{r.run_id} (epsilon {r.request.epsilon:g}, {r.request.synthesizer})", "value": r.run_id}
        for r in runs
        if r.status == "done"
    ]


def evaluation_view(runs: list[tuple[Run, dict]]) -> html.Div:
    """Side by side: per run the four-sentence private summary, a metrics table, and charts on a shared axis.

    ``runs`` holds (run, private report) for one or two runs; its evaluation compares the sensitive data with
    the DP aggregates and the synthetic records (private: it never leaves the console).
    """
    views = [(run, evaluation_tables(private["evaluation"])) for run, private in runs]
    sentences = html.Div(
        className="c-side",
        children=[
            html.Div([html.H4(run.run_id), html.Ul([html.Li(s) for s in view.sentences])]) for run, view in views
        ],
    )
    metrics: dict[str, list[str]] = {}
    for i, (_, view) in enumerate(views):
        for label, value in view.scalars:
            metrics.setdefault(label, [""] * len(views))[i] = value
    table = html.Table(
        [
            html.Thead(html.Tr([html.Th("metric"), *[html.Th(run.run_id) for run, _ in views]])),
            html.Tbody([html.Tr([html.Td(k), *[html.Td(v) for v in vals]]) for k, vals in metrics.items()]),
        ],
        className="c-table",
    )
    charts = []
    for chart in views[0][1].charts:
        fig = go.Figure()
        for run, view in views:
            match = next((c for c in view.charts if c.title == chart.title), None)
            if match is not None:
                fig.add_bar(name=run.run_id, x=match.frame[match.x].astype(str), y=match.frame[match.y])
        fig.update_layout(
            title=chart.title,
            barmode="group",
            height=300,
            margin=dict(l=10, r=10, t=60, b=30),
            # the runs above the plot: beside it, their ids took a third of a half-width chart
            legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom"),
        )
        charts.append(dcc.Graph(figure=fig, config={"displayModeBar": False}))
    return html.Div([sentences, table, html.Div(charts, className="c-charts")])
