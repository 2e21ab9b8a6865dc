"""Runs: a synthesis staged in the private workspace (a release in waiting), listed, compared, published.

A run lives in ``<workspace>/runs/<run id>/``: ``run.json`` (parameters, status, progress, times) and the
staged release under ``releases/``. Its DP step charges the ledger (:func:`synth.refresh.stage`), so a run
cancelled after the noise was drawn stays charged.

Jobs and liveness: the job executing a run holds an exclusive lock on the run's ``claimed`` file. The kernel
releases it when the job's process ends, however it ends (finished, cancelled, killed), so "the lock is free"
is "no live job has this run": a claim of a dead job is free again, and a run left ``running`` by a dead job
is seen as such and marked ``interrupted``. Every change of ``run.json`` is a read-modify-write under the
run's ``.state.lock``, so the Cancel of the page and the job's own progress never overwrite each other.
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
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from synth import ledger
from synth import release_format as fmt
from synth.dp import checked_params_of
from synth.errors import BudgetError, InputError
from synth.locks import exclusive, held
from synth.refresh import RefreshOptions, publish_staged, stage
from synth.release import read_metadata
from synth.summary import private_report_path
from synth.synthesizers import DEFAULT_SYNTHESIZER

RUN_FILE = "run.json"
#: Locked (flock) by the job executing the run for as long as it does: two jobs never execute the same run.
CLAIM_FILE = "claimed"
STATE_LOCK = ".state.lock"
#: Seconds between two progress reports of a running run, even when the pipeline is inside one long step.
HEARTBEAT = 0.5
#: Seconds a run waits for the private workspace's lock, which a cancelled run's process holds until it ends.
LOCK_WAIT = 30.0
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
#: A running run whose job ended without finishing it (killed, crashed, console restarted).
INTERRUPTED = "interrupted"
INTERRUPTED_ERROR = "its job ended before the run finished (stopped or crashed); a ledger charge it made stays"


class RunCancelled(Exception):
    """The run was cancelled while its job still executed it (the job stops at its next step)."""

    def __init__(self, run: Run) -> None:
        super().__init__(f"run {run.run_id} was cancelled")
        self.run = run


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
    """Every run, newest first (unreadable folders skipped); a running run whose job has ended is marked
    interrupted on the way (see :func:`_reaped`)."""
    out = []
    folder = runs_dir(workspace)
    for path in sorted(folder.glob(f"*/{RUN_FILE}")) if folder.is_dir() else []:
        try:
            run = Run.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError):
            continue
        out.append(_reaped(workspace, run) if run.status == RUNNING else run)
    return sorted(out, key=lambda r: r.started, reverse=True)


def _update(workspace: Path, run_id: str, change: Callable[[Run], Run | None]) -> Run:
    """Read the run, apply ``change`` (None: leave it) and write the result, all under the run's state lock."""
    with exclusive(runs_dir(workspace) / run_id / STATE_LOCK, f"update of run {run_id}", wait=LOCK_WAIT):
        current = load(workspace, run_id)
        changed = change(current)
        return current if changed is None else save(workspace, changed)


@contextlib.contextmanager
def _claim(workspace: Path, run_id: str) -> Iterator[bool]:
    """Try to hold the run's claim lock for the block; yields whether it is held (False: a live job has it,
    or the run was deleted meanwhile)."""
    with contextlib.ExitStack() as stack:
        try:
            ok = stack.enter_context(held(runs_dir(workspace) / run_id / CLAIM_FILE))
        except FileNotFoundError:  # the run was deleted meanwhile
            ok = False
        yield ok


def _reaped(workspace: Path, run: Run) -> Run:
    """A running ``run`` as it stands: marked interrupted when no live job holds its claim."""
    with _claim(workspace, run.run_id) as free:
        if not free:
            return run
        try:
            return _update(
                workspace,
                run.run_id,
                lambda current: (
                    replace(current, status=INTERRUPTED, finished=time.time(), error=INTERRUPTED_ERROR)
                    if current.status == RUNNING
                    else None
                ),
            )
        except (OSError, ValueError, InputError):  # deleted meanwhile, or its state lock held too long
            return run


@contextlib.contextmanager
def claim_next(workspace: Path) -> Iterator[Run | None]:
    """The oldest queued run, held by this job until the block ends (None when the queue is empty).

    Holding is the claim lock (see the module's docstring): concurrent jobs take different runs, and a claim of
    a job that ended is free whatever process now has its id. A run is taken only if it is still queued once
    held: a listing can be older than another job's whole run.
    """
    for run in sorted((r for r in list_runs(workspace) if r.status == QUEUED), key=lambda r: r.started):
        with _claim(workspace, run.run_id) as held:
            if not held:
                continue
            try:
                current = load(workspace, run.run_id)
            except (OSError, ValueError, TypeError, KeyError):  # deleted meanwhile
                continue
            if current.status != QUEUED:
                continue
            yield current
            return
    yield None


def running(workspace: Path) -> list[Run]:
    """The runs a live job is executing (runs of ended jobs are marked interrupted by :func:`list_runs`)."""
    return [run for run in list_runs(workspace) if run.status == RUNNING]


def execute(private_dir: Path, workspace: Path, run: Run, report: Callable[[Run], None] = lambda run: None) -> Run:
    """Stage the run's release in its folder; keeps ``run.json`` and ``report`` up to date at every step.

    Errors end the run as failed with their one-line message (nothing published, as with the CLI). A run
    cancelled meanwhile stops at its next step and stays cancelled (its job is being ended).
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

    def advance(**changes: object) -> None:
        def change(current: Run) -> Run:
            if current.status == CANCELLED:
                raise RunCancelled(current)
            return replace(current, **changes)  # type: ignore[arg-type]

        report(_update(workspace, run.run_id, change))

    try:
        advance(status=RUNNING, started=time.time())
        release = stage(
            options,
            checked_params_of(request),
            lambda step, done: advance(step=step, progress=done),
            lock_wait=LOCK_WAIT,
        )
    except RunCancelled as exc:
        final = exc.run
    except (InputError, BudgetError) as exc:
        final = _finish(workspace, run.run_id, status=FAILED, error=str(exc))
    else:
        final = _finish(workspace, run.run_id, status=DONE, release_id=release.name, progress=1.0)
    report(final)
    return final


def _finish(workspace: Path, run_id: str, **changes: object) -> Run:
    """The run's end: ``changes`` and the time, unless it was cancelled meanwhile (then it stays cancelled)."""
    return _update(
        workspace,
        run_id,
        lambda current: None if current.status == CANCELLED else replace(current, finished=time.time(), **changes),  # type: ignore[arg-type]
    )


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
        report(latest["run"])
    result = outcome["run"]
    if isinstance(result, BaseException):
        raise result
    return result


def _report_from(report: Callable[[Run, float], None], started: float, state: Run) -> None:
    report(state, started)


def drain(
    private_dir: Path, workspace: Path, report: Callable[[Run, float], None] = lambda run, started: None
) -> list[Run]:
    """Execute every queued run, oldest first, one after another (a background job of the console).

    Runs queued meanwhile are taken too; ``report(state, started)`` gets each run's progress with its
    ``time.monotonic()`` start. Returns the finished runs. A cancelled run ends the draining: its job is being
    ended, and the job that Cancel starts takes the runs still queued.
    """
    finals: list[Run] = []
    while True:
        with claim_next(workspace) as run:
            if run is None:
                return finals
            started = time.monotonic()
            final = execute_with_heartbeat(
                private_dir, workspace, run, functools.partial(_report_from, report, started)
            )
        finals.append(final)
        if final.status == CANCELLED:
            return finals


def mark_cancelled(workspace: Path, run_id: str) -> Run:
    """Record that a queued or running run was cancelled (its ledger charge, if its DP step ran, stays)."""
    return _update(
        workspace,
        run_id,
        lambda run: replace(run, status=CANCELLED, finished=time.time()) if run.status in (QUEUED, RUNNING) else None,
    )


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
