"""The live risk analysis is a background job: cancellable, superseded by a newer choice, debounced."""

from __future__ import annotations

from console import callbacks, ids


def test_the_risk_analysis_runs_as_a_cancellable_background_job(app):
    risk = app.callback_map[f"{ids.RISK}.children"]
    background = risk["background"]
    assert background is not None  # a job: Dash ends it when a newer choice triggers the callback again
    assert background["cancel"] == [{"id": ids.RISK_CANCEL, "property": "n_clicks"}]
    assert 0 < callbacks.RISK_DEBOUNCE_S < 1
