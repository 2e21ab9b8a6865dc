"""Navigate preview: the public Explore view (the dashboard's own view models) on a run's staged release."""

from __future__ import annotations

import json

from plotly.utils import PlotlyJSONEncoder

from console import navigate, runs
from dashboard import views as dashboard_views
from dashboard.figures import title_of


def plotly_json(figure: dict) -> str:
    return json.dumps(figure, cls=PlotlyJSONEncoder, sort_keys=True)


def test_the_preview_is_the_dashboards_explore_view_on_the_staged_release(app, settings, request_):
    run = runs.execute(settings.private_dir, settings.workspace, runs.new_run(settings.workspace, "owner", request_))
    folder = runs.staged_release(settings.workspace, run)
    release = navigate.staged(folder)
    assert navigate.staged(folder) is release  # loaded once
    assert release.release_id == run.release_id and not settings.data_dir.exists()  # private: nothing published
    assert [o["value"] for o in navigate.column_options(release)] == list(release.dimensions)
    assert "gender:Female" in {o["value"] for o in navigate.filter_options(release)}

    with app.server.app_context():
        view = navigate.explore_view(release, ["gender"], ["gender:Female", "nope:x"])
        unfiltered = navigate.explore_view(release, None, [])
    summary, charts = view.children
    assert summary.children.startswith("Matching all selections: published count ")
    expected = dashboard_views.explore_figure.__wrapped__(release, "gender", (("gender", "Female"),))
    assert [plotly_json(f.children[1].figure) for f in charts.children] == [plotly_json(expected)]
    assert [f.children[0].children for f in charts.children] == [title_of(expected)] != [""]  # captioned
    assert unfiltered.children[0].children == (
        f"All records: {release.protected_records:,} people (DP count); {release.n_synthetic:,} synthetic records."
    )
    assert len(unfiltered.children[1].children) == len(navigate.default_columns(release)) >= 1
