"""A run end to end on a tiny input: staged in the private workspace, charged, listed, published, bundled."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from console import runs
from console.prepare import save_spec, spec_document
from synth import ledger, release
from synth.dp import checked_params_of
from synth.errors import InputError


def test_a_run_stages_a_release_charges_the_ledger_and_publishes_on_request(settings, request_):
    seen = []
    run = runs.new_run(settings.workspace, "owner", request_)
    assert runs.list_runs(settings.workspace)[0].status == runs.QUEUED
    done = runs.execute(settings.private_dir, settings.workspace, run, seen.append)
    assert done.status == runs.DONE and done.progress == 1.0 and done.release_id
    assert [s.status for s in seen][:2] == [runs.RUNNING, runs.RUNNING] and seen[-1].status == runs.DONE
    shares = {round(s.progress, 2) for s in seen}
    steps = {0.0, 0.15, 0.35, 0.5, 0.8, 0.9, 1.0}
    # every step, and the synthesizer's own progress between synthesis (0.5) and evaluation (0.8)
    assert steps <= shares and shares - steps and all(0.5 < s < 0.8 for s in shares - steps), shares
    assert ledger.usage(settings.private_dir, "cases").epsilon == 2.0
    assert not settings.data_dir.exists()  # nothing public until Publish
    staged = runs.staged_release(settings.workspace, done)
    assert settings.private_dir in staged.parents and release.verify_release(staged) == []
    assert runs.private_report(settings.private_dir, done)["evaluation"]["summary"]

    names = zipfile.ZipFile(io.BytesIO(runs.bundle(settings.workspace, done))).namelist()
    assert f"{done.release_id}/metadata.json" in names and f"{done.release_id}/aggregates.parquet" in names
    assert all(n.startswith(done.release_id + "/") for n in names) and len(names) == 6

    published = runs.publish(settings.workspace, settings.data_dir, done)
    assert release.current_release(settings.data_dir) == published.resolve()
    assert published.name == done.release_id
    runs.delete(settings.workspace, done)
    assert runs.list_runs(settings.workspace) == []
    assert release.current_release(settings.data_dir) is not None  # the public copy stays


def test_a_run_over_budget_fails_with_the_ledger_message_and_writes_no_release(settings, request_):
    from dataclasses import replace

    run = runs.new_run(settings.workspace, "owner", replace(request_, epsilon=25.0))
    done = runs.execute(settings.private_dir, settings.workspace, run)
    assert done.status == runs.FAILED and "would exceed its budget" in done.error
    assert ledger.usage(settings.private_dir, "cases").epsilon == 0.0
    with pytest.raises(InputError, match="has no release"):
        runs.staged_release(settings.workspace, done)


def test_a_cancelled_run_is_marked_and_a_finished_one_is_not(settings, request_):
    queued = runs.new_run(settings.workspace, "owner", request_)
    assert runs.mark_cancelled(settings.workspace, queued.run_id).status == runs.CANCELLED
    done = runs.execute(settings.private_dir, settings.workspace, runs.new_run(settings.workspace, "owner", request_))
    assert runs.mark_cancelled(settings.workspace, done.run_id).status == runs.DONE


def test_bad_privacy_parameters_and_run_ids_are_refused(settings, request_):
    from dataclasses import replace

    with pytest.raises(InputError, match="invalid privacy parameters"):
        checked_params_of(replace(request_, epsilon=-1.0))
    with pytest.raises(InputError, match="bad run id"):
        runs.load(settings.workspace, "../x")


def test_budget_left_reads_the_ledger(settings, request_):
    runs.execute(settings.private_dir, settings.workspace, runs.new_run(settings.workspace, "owner", request_))
    left = runs.budget_left(settings.private_dir, "cases")
    assert (left["spent_epsilon"], left["left_epsilon"], left["void"]) == (2.0, 18.0, False)


def test_the_heartbeat_reports_at_least_every_interval_during_a_long_step(settings, request_, monkeypatch):
    slow_done = runs.Run(run_id="x1", user="owner", request=request_, status=runs.DONE)

    def slow(private_dir, workspace, run, report):

        report(runs.Run(run_id="x1", user="owner", request=request_, status=runs.RUNNING, step="reading"))
        time.sleep(0.5)  # one long step without progress of its own
        return slow_done

    monkeypatch.setattr(runs, "execute", slow)
    seen = []
    run = runs.Run(run_id="x1", user="owner", request=request_)
    assert (
        runs.execute_with_heartbeat(settings.private_dir, settings.workspace, run, seen.append, every=0.1) is slow_done
    )
    assert len(seen) >= 4 and seen[-1].step == "reading"


def test_the_heartbeat_passes_an_unexpected_error_on(settings, request_, monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(runs, "execute", broken)
    with pytest.raises(RuntimeError, match="boom"):
        runs.execute_with_heartbeat(
            settings.private_dir, settings.workspace, runs.Run("x2", "o", request_), print, 0.05
        )


def test_queued_runs_are_executed_one_after_another_oldest_first(settings, request_):
    from dataclasses import replace

    first = runs.new_run(settings.workspace, "owner", request_)
    second = runs.new_run(settings.workspace, "owner", replace(request_, epsilon=3.0))
    runs.save(settings.workspace, replace(second, started=first.started + 1))
    assert [r.status for r in runs.list_runs(settings.workspace)] == [runs.QUEUED, runs.QUEUED]
    seen: list[tuple[str, str]] = []
    finals = runs.drain(
        settings.private_dir, settings.workspace, lambda state, _: seen.append((state.run_id, state.status))
    )
    assert [(r.run_id, r.status) for r in finals] == [(first.run_id, runs.DONE), (second.run_id, runs.DONE)]
    order = list(dict.fromkeys(run_id for run_id, _ in seen))
    assert order == [first.run_id, second.run_id]  # the second waited for the first
    assert ledger.usage(settings.private_dir, "cases").epsilon == 5.0
    assert runs.drain(settings.private_dir, settings.workspace) == []  # the queue is empty


def test_a_queued_run_is_claimed_by_one_job_only(settings, request_):
    queued = runs.new_run(settings.workspace, "owner", request_)
    with runs.claim_next(settings.workspace) as claimed:
        assert claimed == queued
        with runs.claim_next(settings.workspace) as second:
            assert second is None  # a second job does not take it again
    with runs.claim_next(settings.workspace) as again:
        assert again == queued  # released by a job that did not start it: still queued, taken again


def test_running_lists_live_jobs_only_and_cancel_leaves_the_queue(settings, request_):
    from dataclasses import replace

    runs.new_run(settings.workspace, "o", request_)
    with runs.claim_next(settings.workspace) as claimed:  # the live job's claim
        live = runs.save(settings.workspace, replace(claimed, status=runs.RUNNING))
        waiting = runs.new_run(settings.workspace, "o", request_)
        assert runs.running(settings.workspace) == [live]
        assert [r.run_id for r in runs.cancel_running(settings.workspace)] == [live.run_id]
    assert runs.load(settings.workspace, live.run_id).status == runs.CANCELLED
    assert runs.load(settings.workspace, waiting.run_id).status == runs.QUEUED


class Stopped(Exception):
    """Stands for the job's end when the user cancels (Dash terminates the job's process)."""


def _binned_request(settings) -> runs.RunRequest:
    doc = spec_document(
        name="cases", subject_id="case_id", use_columns=["gender", "yearRegister"], sensitive_zeros=[], multi_value={}
    )
    doc["bins"] = {"yearRegister": {"method": "quantile", "lower": 2005, "upper": 2023, "bins": 3, "epsilon": 0.5}}
    save_spec(doc, settings.workspace / "specs" / "binned.toml")
    return runs.RunRequest(input="cases.csv", spec="console/specs/binned.toml", epsilon=2.0, reporting_length=2)


def test_a_run_stopped_after_dp_quantile_binning_is_charged_its_binning_epsilon(settings, request_):
    request = _binned_request(settings)

    def cancel_after_binning(state: runs.Run) -> None:
        if state.step == "counting and privacy-risk analysis":  # ingest (and its DP binning) is done
            raise Stopped

    with pytest.raises(Stopped):
        runs.execute(
            settings.private_dir,
            settings.workspace,
            runs.new_run(settings.workspace, "o", request),
            cancel_after_binning,
        )
    assert ledger.usage(settings.private_dir, "cases").epsilon == 0.5  # the binning noise was drawn: charged

    done = runs.execute(settings.private_dir, settings.workspace, runs.new_run(settings.workspace, "o", request))
    assert done.status == runs.DONE
    used = ledger.usage(settings.private_dir, "cases")
    assert (used.epsilon, used.releases) == (0.5 + 2.5, 2)  # one entry per release: binning completed by marginals


def test_a_claim_of_a_job_that_ended_is_taken_over(settings, request_):
    import subprocess
    import sys

    queued = runs.new_run(settings.workspace, "owner", request_)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    claim = runs.runs_dir(settings.workspace) / queued.run_id / runs.CLAIM_FILE
    claim.write_text(ended.stdout.strip())  # a job stopped after claiming, before it started the run
    with runs.claim_next(settings.workspace) as claimed:
        assert claimed == queued
        with runs.claim_next(settings.workspace) as second:
            assert second is None  # this (live) job's claim is kept
