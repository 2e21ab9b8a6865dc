"""The console's callbacks: thin wiring of components to :mod:`console.prepare`, :mod:`console.runs`, views."""

from __future__ import annotations

import json
import time
from pathlib import Path

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from console import audit, ids, navigate, prepare, runs, views, workspace
from console.auth import current_user
from console.config import ConsoleSettings
from console.jobs import lower_priority
from dashboard.store import Release, ReleaseError
from synth.dp import checked_params_of
from synth.errors import BudgetError, InputError
from synth.release import current_release
from synth.spec import dataset_name, load_spec, spec_toml

DRAFT = "draft"
#: How often the page asks a running job for its progress (the job reports every runs.HEARTBEAT seconds).
PROGRESS_POLL_MS = 500
#: The risk analysis starts this long after the last choice (a newer choice ends the waiting job).
RISK_DEBOUNCE_S = 0.4


def _error(exc: Exception) -> html.Div:
    return html.Div(str(exc), className="c-error", role="alert")


def spec_path(settings: ConsoleSettings, doc: dict) -> Path:
    """Where the spec of the current choices is kept: ``<workspace>/specs/<dataset name>.toml``."""
    name = doc.get("dataset", {}).get("name") or DRAFT
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return settings.workspace / workspace.SPECS / f"{safe}.toml"


def doc_to_controls(doc: dict) -> tuple:
    """Control values (name, columns, subject, zeros, multi-value, delimiter, bins, domains) of a spec document."""
    dataset = doc.get("dataset", {})
    multi = doc.get("multi_value", {})
    bins = "\n".join(f"{c} = {', '.join(str(e) for e in b['edges'])}" for c, b in prepare.edge_bins(doc).items())
    domains = "\n".join(f"{c} = {', '.join(v)}" for c, v in doc.get("domains", {}).items() if isinstance(v, list))
    return (
        dataset.get("name", ""),
        list(dataset.get("use_columns", [])),
        dataset.get("subject_id"),
        list(dataset.get("sensitive_zeros", [])),
        list(multi),
        next(iter(multi.values()), ";"),
        bins,
        domains,
    )


def register(app: Dash, settings: ConsoleSettings) -> None:
    private, space = settings.private_dir, settings.workspace

    def staged_run(run_id: str) -> Release:
        return navigate.staged(runs.staged_release(space, runs.load(space, run_id)))

    @app.callback(
        Output(ids.FILE, "options"),
        Output(ids.FILE, "value"),
        Output(ids.UPLOAD_STATUS, "children"),
        Input(ids.UPLOAD, "contents"),
        State(ids.UPLOAD, "filename"),
        prevent_initial_call=True,
    )
    def upload(contents, filename):
        try:
            saved = workspace.save_upload(private, space, filename, contents, settings.max_upload_bytes)
        except workspace.WorkspaceError as exc:
            return no_update, no_update, _error(exc)
        audit.record(space, current_user(), "upload", file=saved)
        return workspace.input_files(private), saved, f"Stored {saved} in the private workspace."

    @app.callback(
        Output(ids.PREVIEW, "children"),
        Output(ids.COLUMNS, "options"),
        Output(ids.COLUMNS, "value"),
        Output(ids.SUBJECT_ID, "options"),
        Output(ids.ZEROS, "options"),
        Output(ids.ZEROS, "value"),
        Output(ids.MULTI_VALUE, "options"),
        Output(ids.MULTI_VALUE, "value"),
        Output(ids.DELIMITER, "value"),
        Output(ids.NAME, "value"),
        Output(ids.SPEC_BASE, "data", allow_duplicate=True),
        Input(ids.FILE, "value"),
        prevent_initial_call=True,
    )
    def select_file(relative):
        if not relative:
            raise PreventUpdate
        try:
            pv = prepare.preview(workspace.pick(private, relative))
        except (InputError, workspace.WorkspaceError) as exc:
            return (_error(exc), *([no_update] * 10))
        options = views.column_options(pv)
        names = [c.name for c in pv.columns]
        multi = pv.suggested_multi_value()
        return (
            views.preview_table(pv),
            options,
            [],
            names,
            names,
            pv.suggested_zeros(),
            names,
            list(multi),
            next(iter(multi.values()), ";"),
            Path(relative).stem,
            None,
        )

    @app.callback(
        Output(ids.SPEC, "data"),
        Output(ids.SPEC_STATUS, "children"),
        Input(ids.NAME, "value"),
        Input(ids.COLUMNS, "value"),
        Input(ids.SUBJECT_ID, "value"),
        Input(ids.ZEROS, "value"),
        Input(ids.MULTI_VALUE, "value"),
        Input(ids.DELIMITER, "value"),
        Input(ids.BINS, "value"),
        Input(ids.DOMAINS, "value"),
        Input(ids.FILE, "value"),
        State(ids.SPEC_BASE, "data"),
        State(ids.COLUMNS, "options"),
        prevent_initial_call=True,
    )
    def choose(name, columns, subject, zeros, multi, delimiter, bins, domains, relative, base, options):
        if not columns or not relative:
            return None, "Choose the columns to use."
        used = [c for c in columns if c != subject]
        every = {o["value"] for o in options or []} - {subject} <= set(used)
        try:
            edited = prepare.spec_document(
                name=name or Path(relative).stem,
                subject_id=subject,
                use_columns=used,
                sensitive_zeros=[c for c in zeros or [] if c in used],
                multi_value={c: delimiter or ";" for c in multi or [] if c in used},
                bins=bins or "",
                domains=domains or "",
            )
            doc = prepare.merge_spec(base or {}, edited, every_column=every)
            path = spec_path(settings, doc)
            prepare.save_spec(doc, path)
        except InputError as exc:
            return None, _error(exc)
        return doc, f"Spec saved as {path.relative_to(private)}."

    @app.callback(
        Output(ids.SPEC_DOWNLOAD, "data"),
        Input(ids.SPEC_SAVE, "n_clicks"),
        State(ids.SPEC, "data"),
        prevent_initial_call=True,
    )
    def download_spec(_, doc):
        if not doc:
            raise PreventUpdate
        audit.record(space, current_user(), "download spec", name=doc["dataset"].get("name"))
        return dcc.send_string(spec_toml(doc), spec_path(settings, doc).name)

    @app.callback(
        Output(ids.NAME, "value", allow_duplicate=True),
        Output(ids.COLUMNS, "value", allow_duplicate=True),
        Output(ids.SUBJECT_ID, "value"),
        Output(ids.ZEROS, "value", allow_duplicate=True),
        Output(ids.MULTI_VALUE, "value", allow_duplicate=True),
        Output(ids.DELIMITER, "value", allow_duplicate=True),
        Output(ids.BINS, "value"),
        Output(ids.DOMAINS, "value"),
        Output(ids.SPEC_STATUS, "children", allow_duplicate=True),
        Output(ids.SPEC_BASE, "data"),
        Input(ids.SPEC_LOAD, "contents"),
        State(ids.SPEC_LOAD, "filename"),
        State(ids.COLUMNS, "options"),
        prevent_initial_call=True,
    )
    def load_spec_file(contents, filename, options):
        try:
            raw = workspace.data_url_bytes(contents, filename or "spec", settings.max_upload_bytes)
            doc = prepare.parse_spec(raw.decode("utf-8"), filename or "spec")
        except (InputError, UnicodeDecodeError, workspace.WorkspaceError) as exc:
            return (*([no_update] * 8), _error(exc), no_update)
        controls = list(doc_to_controls(doc))
        if "use_columns" not in doc.get("dataset", {}):  # every column of the input
            controls[1] = [o["value"] for o in options or []]
        # The loaded document is the base of the edits: keys without a control (labels, ...) are kept.
        return (*controls, f"Loaded {filename}.", doc)

    @app.callback(
        Output(ids.RISK, "children"),
        Input(ids.SPEC, "data"),
        Input(ids.REPORTING_LENGTH, "value"),
        Input(ids.RESOLUTION, "value"),
        State(ids.FILE, "value"),
        background=True,
        interval=PROGRESS_POLL_MS,
        running=[
            (Output(ids.RISK_CANCEL, "disabled"), False, True),
            (Output(ids.RISK_STATUS, "children"), "Computing the risk analysis…", ""),
        ],
        cancel=[Input(ids.RISK_CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def risk(doc, reporting_length, resolution, relative):
        """A background job: a new choice supersedes (ends) the job of the previous one, the Cancel button
        ends it too, and the job waits RISK_DEBOUNCE_S first so that quick successive choices cost nothing."""
        if not doc or not relative:
            return None
        if not reporting_length or not resolution:
            raise PreventUpdate
        lower_priority()
        time.sleep(RISK_DEBOUNCE_S)
        try:
            spec = load_spec(spec_path(settings, doc))
            report = prepare.risk_analysis(
                workspace.pick(private, relative), spec, int(reporting_length), int(resolution)
            )
        except (InputError, workspace.WorkspaceError) as exc:
            return _error(exc)
        return views.risk_view(report)

    @app.callback(
        Output(ids.BUDGET, "children"),
        Input(ids.SPEC, "data"),
        Input(ids.EPSILON, "value"),
        Input(ids.RUN_RESULT, "children"),
        State(ids.FILE, "value"),
        prevent_initial_call=True,
    )
    def budget(doc, epsilon, _, relative):
        if not doc or not relative:
            raise PreventUpdate
        source = dataset_name(load_spec(spec_path(settings, doc)), Path(relative))
        return views.budget_text(runs.budget_left(private, source), float(epsilon or 0))

    @app.callback(
        Output(ids.QUEUED_RUN, "data"),
        Output(ids.RUN_STATUS, "children"),
        Input(ids.RUN, "n_clicks"),
        State(ids.FILE, "value"),
        State(ids.SPEC, "data"),
        State(ids.EPSILON, "value"),
        State(ids.DELTA, "value"),
        State(ids.REPORTING_LENGTH, "value"),
        State(ids.RESOLUTION, "value"),
        State(ids.ACCURACY, "value"),
        State(ids.FABRICATION, "value"),
        State(ids.SYNTHESIZER, "value"),
        State(ids.SYNTH_OPTIONS, "value"),
        prevent_initial_call=True,
    )
    def queue(_, relative, doc, epsilon, delta, length, resolution, accuracy, fabrication, synthesizer, options):
        if not relative or not doc:
            return no_update, _error(InputError("choose an input file and its columns first"))
        if epsilon is None or length is None or resolution is None:
            return no_update, _error(InputError("enter epsilon, the reporting length and the resolution"))
        try:
            workspace.pick(private, relative)
            request = runs.RunRequest(
                input=relative,
                spec=str(spec_path(settings, doc).relative_to(private)),
                epsilon=float(epsilon),
                delta=float(delta) if delta else None,
                reporting_length=int(length),
                resolution=int(resolution),
                accuracy_mode=accuracy,
                fabrication_mode=fabrication,
                synthesizer=synthesizer,
                synthesizer_options=json.loads(options or "{}"),
            )
            checked_params_of(request)
        except (InputError, workspace.WorkspaceError, ValueError, TypeError) as exc:
            return no_update, _error(exc)
        run = runs.new_run(space, current_user() or "", request)
        audit.record(space, run.user, "run", run_id=run.run_id, epsilon=request.epsilon, input=relative)
        busy = runs.running(space)
        if busy:  # the live job takes it when its current run ends (it drains the queue)
            return no_update, f"Run {run.run_id} queued after run {busy[0].run_id}."
        return {"run_id": run.run_id}, f"Run {run.run_id} queued."

    @app.callback(
        Output(ids.RUN_RESULT, "children"),
        Input(ids.QUEUED_RUN, "data"),
        background=True,
        interval=PROGRESS_POLL_MS,
        progress=[Output(ids.PROGRESS, "value"), Output(ids.PROGRESS_TEXT, "children")],
        running=[(Output(ids.CANCEL, "disabled"), False, True)],
        cancel=[Input(ids.CANCEL, "n_clicks")],
        prevent_initial_call=True,
    )
    def execute(set_progress, _trigger):
        """Drain the queue: every queued run, oldest first, one after another (the ledger lock serialises them)."""
        lower_priority()
        finals = runs.drain(
            private,
            space,
            lambda state, started: set_progress(
                (
                    str(round(100 * state.progress)),
                    f"Run {state.run_id}: {state.step} ({time.monotonic() - started:.1f} s)",
                )
            ),
        )
        if not finals:
            raise PreventUpdate
        return [views.run_outcome(final) for final in finals]

    @app.callback(
        Output(ids.QUEUED_RUN, "data", allow_duplicate=True),
        Output(ids.RUN_STATUS, "children", allow_duplicate=True),
        Input(ids.CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )
    def cancel(_):
        stopped = runs.cancel_running(space)
        for run in stopped:
            audit.record(space, current_user(), "cancel", run_id=run.run_id)
        left = [r for r in runs.list_runs(space) if r.status == runs.QUEUED]
        text = "; ".join(f"Run {run.run_id}: {run.status}" for run in stopped) or "No run is running."
        # The stopped job was draining the queue: a new one takes the runs still queued.
        return ({"run_id": left[-1].run_id, "after": [r.run_id for r in stopped]} if left else no_update), text + "."

    @app.callback(
        Output(ids.RUNS_TABLE, "children"),
        Output(ids.RUN_A, "options"),
        Output(ids.RUN_B, "options"),
        Input(ids.RUNS_TICK, "n_intervals"),
        Input(ids.RUN_RESULT, "children"),
        Input(ids.ACTION_STATUS, "children"),
        State(ids.RUN_A, "options"),
    )
    def list_runs(_tick, _result, _action, shown):
        all_runs = runs.list_runs(space)
        current = current_release(settings.data_dir)
        options = views.run_options(all_runs)
        if options == shown:  # unchanged: an open run list is not re-rendered under the user's pointer
            options = no_update
        return views.runs_table(all_runs, current.name if current else None), options, options

    @app.callback(
        Output(ids.EVALUATION, "children"),
        Input(ids.RUN_A, "value"),
        Input(ids.RUN_B, "value"),
        prevent_initial_call=True,
    )
    def evaluate(run_a, run_b):
        chosen = [r for r in (run_a, run_b) if r]
        if not chosen:
            raise PreventUpdate
        try:
            loaded = [runs.load(space, r) for r in dict.fromkeys(chosen)]
            pairs = [(run, runs.private_report(private, run)) for run in loaded]
        except (InputError, OSError, ValueError) as exc:
            return _error(exc)
        return views.evaluation_view(pairs)

    @app.callback(
        Output(ids.NAV_COLUMNS, "options"),
        Output(ids.NAV_COLUMNS, "value"),
        Output(ids.NAV_FILTERS, "options"),
        Output(ids.NAV_FILTERS, "value"),
        Input(ids.RUN_A, "value"),
        prevent_initial_call=True,
    )
    def navigate_run(run_id):
        if not run_id:
            return [], [], [], []
        try:
            release = staged_run(run_id)
        except (InputError, OSError, ValueError, ReleaseError):
            return [], [], [], []
        return (
            navigate.column_options(release),
            navigate.default_columns(release),
            navigate.filter_options(release),
            [],
        )

    @app.callback(
        Output(ids.NAVIGATE, "children"),
        Input(ids.NAV_COLUMNS, "value"),
        Input(ids.NAV_FILTERS, "value"),
        State(ids.RUN_A, "value"),
        prevent_initial_call=True,
    )
    def navigate_view(columns, filters, run_id):
        if not run_id:
            return None
        try:
            release = staged_run(run_id)
        except (InputError, OSError, ValueError, ReleaseError) as exc:
            return _error(exc)
        return navigate.explore_view(release, columns, filters)

    @app.callback(
        Output(ids.ACTION_STATUS, "children"),
        Output(ids.BUNDLE_DOWNLOAD, "data"),
        Input(ids.PUBLISH, "submit_n_clicks"),
        Input(ids.BUNDLE, "n_clicks"),
        State(ids.RUN_A, "value"),
        prevent_initial_call=True,
    )
    def act(_publish, _bundle, run_id):
        if not run_id:
            return _error(InputError("choose a finished run first")), no_update
        user = current_user()
        try:
            run = runs.load(space, run_id)
            if ctx.triggered_id == ids.PUBLISH:
                published = runs.publish(space, settings.data_dir, run)
                audit.record(space, user, "publish", run_id=run_id, release=published.name)
                return f"Published {published.name}: the public dashboard shows it now.", no_update
            audit.record(space, user, "download bundle", run_id=run_id)
            return no_update, dcc.send_bytes(runs.bundle(space, run), f"{run.release_id}.zip")
        except (InputError, BudgetError, OSError, ValueError) as exc:
            return _error(exc), no_update

    @app.callback(
        Output(ids.ACTION_STATUS, "children", allow_duplicate=True),
        Input({"type": ids.RUN_DELETE, "run": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def delete(clicks):
        if not any(clicks) or not isinstance(ctx.triggered_id, dict):  # buttons (re)rendered, none clicked
            raise PreventUpdate
        run_id = str(ctx.triggered_id["run"])
        try:
            runs.delete(space, runs.load(space, run_id))
        except (InputError, OSError, ValueError) as exc:
            return _error(exc)
        audit.record(space, current_user(), "delete", run_id=run_id)
        return f"Deleted run {run_id} (a ledger charge it made stays)."
