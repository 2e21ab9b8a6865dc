"""Runs: a synthesis staged in the private workspace (a release in waiting), listed, compared, published.

A run lives in ``<workspace>/runs/<run id>/``: ``run.json`` (parameters, status, progress, times) and the
staged release under ``releases/``. Its DP step charges the ledger (:func:`synth.refresh.stage`), so a run
cancelled after the noise was drawn stays charged.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import secrets
import shutil
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from synth import ledger
from synth import release_format as fmt
from synth.dp import DpParams, checked_params
from synth.errors import BudgetError, InputError
from synth.refresh import RefreshOptions, publish_staged, stage
from synth.release import read_metadata
from synth.summary import private_report_path
from synth.synthesizers import DEFAULT_SYNTHESIZER

RUN_FILE = "run.json"
#: Created (exclusively) by the job that takes a queued run: two jobs never execute the same run.
CLAIM_FILE = "claimed"
#: A running run whose ``run.json`` was not touched for this many seconds belongs to a job that died.
STALE_SECONDS = 30.0
#: Seconds between two progress reports of a running run, even when the pipeline is inside one long step.
HEARTBEAT = 0.5
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"


@dataclass(frozen=True)
class RunRequest:
    """What a run needs: input and spec (relative to the private workspace) and the synthesis settings."""

    input: str
    spec: str
    epsilon: float = 4.0
    delta: float | None = None
    reporting_length: int = 3
    accuracy_mode: str = "prioritize_long"
    fabrication_mode: str = "uncontrolled"
    synthesizer: str = DEFAULT_SYNTHESIZER
    synthesizer_options: dict = field(default_factory=dict)
    resolution: int = 10


@dataclass(frozen=True)
class Run:
    run_id: str
    user: str
    request: RunRequest
    status: str = QUEUED
    step: str = ""
    progress: float = 0.0
    started: float = 0.0
    finished: float | None = None
    release_id: str | None = None
    error: str | None = None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict) -> Run:
        return cls(**{**doc, "request": RunRequest(**doc["request"])})


def runs_dir(workspace: Path) -> Path:
    return workspace / "runs"


def _run_file(workspace: Path, run_id: str) -> Path:
    if not run_id.isalnum():
        raise InputError(f"bad run id {run_id!r}")
    return runs_dir(workspace) / run_id / RUN_FILE


def save(workspace: Path, run: Run) -> Run:
    path = _run_file(workspace, run.run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{RUN_FILE}.{secrets.token_hex(4)}")
    tmp.write_text(json.dumps(run.to_json(), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return run


def load(workspace: Path, run_id: str) -> Run:
    return Run.from_json(json.loads(_run_file(workspace, run_id).read_text(encoding="utf-8")))


def new_run(workspace: Path, user: str, request: RunRequest) -> Run:
    """Register a queued run and return it."""
    run_id = datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)
    return save(workspace, Run(run_id=run_id, user=user, request=request, started=time.time()))


def list_runs(workspace: Path) -> list[Run]:
    """Every run, newest first (unreadable folders skipped)."""
    out = []
    folder = runs_dir(workspace)
    for path in sorted(folder.glob(f"*/{RUN_FILE}")) if folder.is_dir() else []:
        try:
            out.append(Run.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError, KeyError):
            continue
    return sorted(out, key=lambda r: r.started, reverse=True)


def claim_next(workspace: Path) -> Run | None:
    """The oldest queued run, claimed for this job (None when the queue is empty).

    The claim is an exclusively created file in the run's folder holding the job's process id, so concurrent
    jobs take different runs; a claim whose process has ended (a job stopped before it started its run, e.g.
    superseded by a quick second Run) is taken over.
    """
    for run in sorted((r for r in list_runs(workspace) if r.status == QUEUED), key=lambda r: r.started):
        claim = runs_dir(workspace) / run.run_id / CLAIM_FILE
        if _claim_is_orphaned(claim):
            with contextlib.suppress(FileNotFoundError):
                claim.unlink()
        try:
            handle = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except (FileExistsError, FileNotFoundError):  # another job's, or the run was deleted meanwhile
            continue
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        return run
    return None


def _claim_is_orphaned(claim: Path) -> bool:
    """Whether ``claim`` names a process that has ended (an empty claim is being written: not orphaned)."""
    try:
        text = claim.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    if not text.isdigit():
        return False
    try:
        os.kill(int(text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def running(workspace: Path, now: float | None = None) -> list[Run]:
    """The runs a live job is executing (status running, ``run.json`` touched within STALE_SECONDS)."""
    now = time.time() if now is None else now
    live = []
    for run in list_runs(workspace):
        if run.status != RUNNING:
            continue
        try:
            touched = _run_file(workspace, run.run_id).stat().st_mtime
        except OSError:
            continue
        if now - touched < STALE_SECONDS:
            live.append(run)
    return live


def dp_params(request: RunRequest) -> DpParams:
    """The DP parameters of a run (InputError when invalid)."""
    return checked_params(
        epsilon=request.epsilon,
        delta=request.delta,
        reporting_length=request.reporting_length,
        accuracy_mode=request.accuracy_mode,
        fabrication_mode=request.fabrication_mode,
    )


def execute(private_dir: Path, workspace: Path, run: Run, report: Callable[[Run], None] = lambda run: None) -> Run:
    """Stage the run's release in its folder; keeps ``run.json`` and ``report`` up to date at every step.

    Errors end the run as failed with their one-line message (nothing published, as with the CLI).
    """
    request = run.request
    options = RefreshOptions(
        input=Path(private_dir) / request.input,
        spec=Path(private_dir) / request.spec,
        data_dir=runs_dir(workspace) / run.run_id,
        private_dir=Path(private_dir),
        synthesizer=request.synthesizer,
        synthesizer_options=dict(request.synthesizer_options),
        resolution=request.resolution,
    )
    state = {"run": save(workspace, replace(run, status=RUNNING, started=time.time()))}
    report(state["run"])

    def progress(step: str, done: float) -> None:
        state["run"] = save(workspace, replace(state["run"], step=step, progress=done))
        report(state["run"])

    try:
        release = stage(options, dp_params(request), progress)
    except (InputError, BudgetError) as exc:
        final = replace(state["run"], status=FAILED, error=str(exc), finished=time.time())
    else:
        final = replace(state["run"], status=DONE, release_id=release.name, progress=1.0, finished=time.time())
    save(workspace, final)
    report(final)
    return final


def execute_with_heartbeat(
    private_dir: Path, workspace: Path, run: Run, report: Callable[[Run], None], every: float = HEARTBEAT
) -> Run:
    """:func:`execute` in a worker thread, reporting its latest state at least every ``every`` seconds.

    A step such as reading a large input can take longer than the progress bar may stay still; the heartbeat
    keeps the elapsed time moving. Cancelling the job ends its process, this thread included.
    """
    latest: dict[str, Run] = {"run": run}
    outcome: dict[str, Run | BaseException] = {}

    def work() -> None:
        try:
            outcome["run"] = execute(private_dir, workspace, run, lambda state: latest.__setitem__("run", state))
        except BaseException as exc:  # re-raised in the caller's thread below
            outcome["run"] = exc

    worker = threading.Thread(target=work, name=f"run-{run.run_id}", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(every)
        _touch(workspace, run.run_id)
        report(latest["run"])
    result = outcome["run"]
    if isinstance(result, BaseException):
        raise result
    return result


def _touch(workspace: Path, run_id: str) -> None:
    """Mark a run's job as alive (see :func:`running`)."""
    with contextlib.suppress(OSError):
        os.utime(_run_file(workspace, run_id))


def _report_from(report: Callable[[Run, float], None], started: float, state: Run) -> None:
    report(state, started)


def drain(
    private_dir: Path, workspace: Path, report: Callable[[Run, float], None] = lambda run, started: None
) -> list[Run]:
    """Execute every queued run, oldest first, one after another (a background job of the console).

    Runs queued meanwhile are taken too; ``report(state, started)`` gets each run's progress with its
    ``time.monotonic()`` start. Returns the finished runs.
    """
    finals = []
    while (run := claim_next(workspace)) is not None:
        started = time.monotonic()
        finals.append(
            execute_with_heartbeat(private_dir, workspace, run, functools.partial(_report_from, report, started))
        )
    return finals


def mark_cancelled(workspace: Path, run_id: str) -> Run:
    """Record that a running run was cancelled (its ledger charge, if its DP step ran, stays)."""
    run = load(workspace, run_id)
    if run.status in (DONE, FAILED):
        return run
    return save(workspace, replace(run, status=CANCELLED, finished=time.time()))


def cancel_running(workspace: Path) -> list[Run]:
    """Mark every running run cancelled (its job was stopped); queued runs stay queued."""
    return [mark_cancelled(workspace, run.run_id) for run in list_runs(workspace) if run.status == RUNNING]


def staged_release(workspace: Path, run: Run) -> Path:
    """The staged release folder of a finished run."""
    if run.status != DONE or not run.release_id:
        raise InputError(f"run {run.run_id} has no release (status {run.status})")
    return runs_dir(workspace) / run.run_id / "releases" / run.release_id


def private_report(private_dir: Path, run: Run) -> dict:
    """The run's private report (risk, evaluation against the private data, summary): never published."""
    if not run.release_id:
        raise InputError(f"run {run.run_id} has no report (status {run.status})")
    doc: dict = json.loads(private_report_path(private_dir, run.release_id).read_text(encoding="utf-8"))
    return doc


def publish(workspace: Path, data_dir: Path, run: Run) -> Path:
    """Make the run's staged release the public ``current`` release (atomic switch, as the CLI)."""
    return publish_staged(staged_release(workspace, run), data_dir)


def delete(workspace: Path, run: Run) -> None:
    """Discard a run's folder (its ledger charge and private report stay: the noise was drawn)."""
    if run.status == RUNNING:
        raise InputError(f"run {run.run_id} is running; cancel it first")
    shutil.rmtree(runs_dir(workspace) / run.run_id, ignore_errors=True)


def bundle(workspace: Path, run: Run) -> bytes:
    """The public files of a run's release (metadata with citation included) as a zip archive."""
    folder = staged_release(workspace, run)
    names = sorted(read_metadata(folder).files) + [fmt.METADATA]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(folder / name, f"{run.release_id}/{name}")
    return buffer.getvalue()


def budget_left(private_dir: Path, source: str) -> dict:
    """The source's budget, spend and what is left (from the ledger)."""
    budget = ledger.budget_of(private_dir, source)
    used = ledger.usage(private_dir, source)
    return {
        "budget_epsilon": budget.epsilon,
        "budget_delta": budget.delta,
        "spent_epsilon": used.epsilon,
        "spent_delta": used.delta,
        "left_epsilon": budget.epsilon - used.epsilon,
        "left_delta": budget.delta - used.delta,
        "void": used.void,
    }
