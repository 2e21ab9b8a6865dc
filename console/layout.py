"""The console page: Prepare, Privacy risk, Synthesize, Runs, Evaluate, Preview and publish."""

from __future__ import annotations

from dash import dcc, html

from console import ids
from console.auth import CSRF_FIELD, LOGOUT, csrf_token, current_user
from synth.synthesizers import DEFAULT_SYNTHESIZER, SYNTHESIZERS

ACCURACY_MODES = ["prioritize_long", "prioritize_short", "balanced"]
FABRICATION_MODES = ["uncontrolled", "progressive", "balanced", "minimize"]


def _field(label: str, component, help_text: str = "") -> html.Div:
    return html.Div(
        className="c-field",
        children=[html.Label(label, htmlFor=component.id), component, html.Small(help_text) if help_text else None],
    )


def _section(title: str, *children) -> html.Section:
    return html.Section([html.H2(title), *children], className="c-section")


def _header() -> html.Header:
    return html.Header(
        className="c-header",
        children=[
            html.H1("Data-owner console"),
            html.Form(
                method="post",
                action=LOGOUT,
                children=[
                    html.Span(f"Signed in as {current_user()} "),
                    dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token()),
                    html.Button("Sign out", type="submit", id="c-sign-out"),
                ],
            ),
        ],
    )


def _prepare(max_upload: int, files: list[str]) -> html.Section:
    return _section(
        "1. Prepare",
        html.P("Private: everything on this page stays in the private workspace."),
        dcc.Upload(
            id=ids.UPLOAD,
            children=html.Div(["Drop a CSV, TSV or Parquet file here, or ", html.A("choose one")]),
            className="c-upload",
            multiple=False,
            max_size=max_upload,
        ),
        html.Span(str(max_upload), id=ids.UPLOAD_LIMIT, hidden=True),
        html.Div(id=ids.UPLOAD_STATUS, role="status", className="c-status"),
        _field("Input file (in the private workspace)", dcc.Dropdown(id=ids.FILE, options=files)),
        dcc.Loading(html.Div(id=ids.PREVIEW)),
        _field("Dataset name", dcc.Input(id=ids.NAME, debounce=True), "keys the releases and the budget ledger"),
        _field(
            "Columns",
            dcc.Dropdown(id=ids.COLUMNS, multi=True),
            "the columns to publish (the risk analysis follows them)",
        ),
        _field("Subject id", dcc.Dropdown(id=ids.SUBJECT_ID)),
        _field("Sensitive zeros", dcc.Dropdown(id=ids.ZEROS, multi=True), '"0" is a value here (suggested)'),
        _field("Multi-value columns", dcc.Dropdown(id=ids.MULTI_VALUE, multi=True), "suggested where ; or | occurs"),
        _field("Multi-value delimiter", dcc.Input(id=ids.DELIMITER, value=";", debounce=True)),
        _field(
            "Bins (one line per column)",
            dcc.Textarea(id=ids.BINS, placeholder="age = 0, 18, 30, inf"),
            "edges of numeric bins",
        ),
        _field(
            "Public value domains (one line per column)",
            dcc.Textarea(id=ids.DOMAINS, placeholder="gender = Female, Male"),
            "every listed value gets a DP count",
        ),
        dcc.Store(id=ids.SPEC),
        dcc.Store(id=ids.SPEC_BASE),
        html.Div(id=ids.SPEC_STATUS, role="status", className="c-status"),
        html.Div(
            className="c-actions",
            children=[
                html.Button("Save and download spec", id=ids.SPEC_SAVE),
                dcc.Upload(
                    id=ids.SPEC_LOAD, children=html.Button("Load spec (TOML)"), multiple=False, max_size=max_upload
                ),
            ],
        ),
        dcc.Download(id=ids.SPEC_DOWNLOAD),
        html.Small(f"Uploads up to {max_upload / 2**20:g} MB."),
    )


def _risk() -> html.Section:
    return _section(
        "2. Privacy risk (private)",
        html.Div(
            className="c-row",
            children=[
                _field(
                    "Reporting length R",
                    dcc.Input(id=ids.REPORTING_LENGTH, type="number", min=1, max=6, value=3, debounce=True),
                ),
                _field("Resolution k", dcc.Input(id=ids.RESOLUTION, type="number", min=1, value=10, debounce=True)),
            ],
        ),
        html.Div(
            className="c-actions",
            children=[
                html.Span(id=ids.RISK_STATUS, role="status"),
                html.Button("Cancel analysis", id=ids.RISK_CANCEL, disabled=True),
            ],
        ),
        dcc.Loading(html.Div(id=ids.RISK)),
    )


def _synthesize() -> html.Section:
    return _section(
        "3. Synthesize",
        html.Div(
            className="c-row",
            children=[
                _field("Epsilon", dcc.Input(id=ids.EPSILON, type="number", min=0.01, step="any", value=4)),
                _field("Delta", dcc.Input(id=ids.DELTA, type="number", min=0, step="any", placeholder="default")),
                _field(
                    "Accuracy mode",
                    dcc.Dropdown(id=ids.ACCURACY, options=ACCURACY_MODES, value=ACCURACY_MODES[0], clearable=False),
                ),
                _field(
                    "Fabrication mode",
                    dcc.Dropdown(
                        id=ids.FABRICATION, options=FABRICATION_MODES, value=FABRICATION_MODES[0], clearable=False
                    ),
                ),
                _field(
                    "Synthesizer",
                    dcc.Dropdown(
                        id=ids.SYNTHESIZER, options=sorted(SYNTHESIZERS), value=DEFAULT_SYNTHESIZER, clearable=False
                    ),
                ),
                _field("Synthesizer options (JSON)", dcc.Input(id=ids.SYNTH_OPTIONS, value="{}", debounce=True)),
            ],
        ),
        html.P(id=ids.BUDGET, role="status"),
        html.Div(
            className="c-actions",
            children=[
                html.Button("Run", id=ids.RUN, className="c-primary"),
                html.Button("Cancel", id=ids.CANCEL, disabled=True),
            ],
        ),
        dcc.Store(id=ids.QUEUED_RUN),
        html.Progress(id=ids.PROGRESS, value="0", max="100", className="c-progress"),
        html.Div(id=ids.PROGRESS_TEXT, role="status"),
        html.Div(id=ids.RUN_STATUS, role="status", className="c-status"),
        html.Div(id=ids.RUN_RESULT, role="status", className="c-status"),
    )


def _runs() -> html.Section:
    return _section(
        "4. Runs, evaluation, preview and publishing",
        dcc.Interval(id=ids.RUNS_TICK, interval=2000),
        html.Div(id=ids.RUNS_TABLE, className="c-scroll"),
        html.Div(
            className="c-row",
            children=[
                _field("Run", dcc.Dropdown(id=ids.RUN_A)),
                _field("Compare with", dcc.Dropdown(id=ids.RUN_B)),
            ],
        ),
        html.Div(
            className="c-actions",
            children=[
                dcc.ConfirmDialogProvider(
                    html.Button("Publish as the new release", className="c-primary"),
                    id=ids.PUBLISH,
                    message="Publish this run as the showcase's current release? The public dashboard switches to it.",
                ),
                html.Button("Download public bundle (zip)", id=ids.BUNDLE),
            ],
        ),
        dcc.Download(id=ids.BUNDLE_DOWNLOAD),
        html.Div(id=ids.ACTION_STATUS, role="status", className="c-status"),
        html.H3("Evaluation (private)"),
        dcc.Loading(html.Div(id=ids.EVALUATION)),
        html.H3("Navigate preview: the Explore view on the run's data (not yet public)"),
        html.Div(
            className="c-row",
            children=[
                _field("Columns", dcc.Dropdown(id=ids.NAV_COLUMNS, multi=True), "charts, as on the Explore page"),
                _field("Filters", dcc.Dropdown(id=ids.NAV_FILTERS, multi=True), "selections are AND-ed"),
            ],
        ),
        dcc.Loading(html.Div(id=ids.NAVIGATE)),
    )


def layout(max_upload: int, files: list[str]) -> html.Div:
    """The whole console page for the signed-in user (built per request)."""
    return html.Div(
        className="c-page",
        children=[
            _header(),
            html.Main([_prepare(max_upload, files), _risk(), _synthesize(), _runs()]),
        ],
    )
