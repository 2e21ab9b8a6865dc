"""The console's pure view functions and the spec <-> controls mapping, on hand-made values."""

from __future__ import annotations

from console.callbacks import doc_to_controls
from console.prepare import spec_document
from console.runs import DONE, FAILED, QUEUED, RUNNING, Run, RunRequest
from console.views import budget_text, run_options, runs_table

BUDGET = {
    "budget_epsilon": 20.0,
    "budget_delta": 1e-3,
    "spent_epsilon": 18.0,
    "spent_delta": 2e-6,
    "left_epsilon": 2.0,
    "left_delta": 1e-3 - 2e-6,
    "void": False,
}


def test_budget_text_warns_before_an_overspend():
    assert budget_text(BUDGET, 2.0) == "Budget: epsilon 18 of 20 spent, 2 left; delta 2e-06 of 0.001."
    assert budget_text(BUDGET, 2.5).endswith("A run at epsilon 2.5 would overspend: it will be refused.")
    assert "void" in budget_text({**BUDGET, "void": True}, 1.0)


def test_only_finished_runs_can_be_chosen_and_the_table_marks_the_published_one():
    request = RunRequest(input="cases.csv", spec="specs/x.toml", epsilon=3.0)
    done = Run("r1", "owner", request, status=DONE, release_id="cases-1", started=10.0, finished=12.5)
    failed = Run("r2", "owner", request, status=FAILED, error="file x, row 3: bad", started=10.0, finished=11.0)
    assert run_options([done, failed]) == [{"label": "r1 (epsilon 3, gum)", "value": "r1"}]
    table = str(runs_table([done, failed], published="cases-1"))
    assert "r1 (published)" in table and "failed: file x, row 3: bad" in table and "'2.5'" in table


def test_the_runs_table_lists_queued_runs_with_a_delete_button_except_the_running_one():
    request = RunRequest(input="cases.csv", spec="specs/x.toml", epsilon=3.0)
    rows = [Run("r1", "o", request, status=RUNNING, progress=0.35), Run("r2", "o", request, status=QUEUED)]
    body = runs_table(rows, published=None).children[1].children
    cells = [[td.children for td in tr.children] for tr in body]
    assert [c[5] for c in cells] == ["running", "queued"] and [c[6] for c in cells] == ["35%", "0%"]
    assert cells[0][-1] is None and cells[1][-1].id == {"type": "c-run-delete", "run": "r2"}


def test_a_spec_document_maps_back_to_the_controls():
    doc = spec_document(
        name="cases",
        subject_id="id",
        use_columns=["age", "roles"],
        sensitive_zeros=["age"],
        multi_value={"roles": "|"},
        bins="age = 0, 18, inf",
        domains="roles = a, b",
    )
    assert doc_to_controls(doc) == (
        "cases",
        ["age", "roles"],
        "id",
        ["age"],
        ["roles"],
        "|",
        "age = 0.0, 18.0, inf",
        "roles = a, b",
    )


def test_the_risk_view_names_the_axes_of_records_by_length_and_the_preview_cards_say_what_they_count():
    from console.prepare import ColumnPreview, Preview
    from console.views import preview_table, risk_view

    report = {
        "n_records": 10,
        "summary": "For all combinations of up to 2 attributes, 50% of records are potentially linkable",
        "most_linkable_columns": [{"column": "age", "pct": 50.0}],
        "most_linkable_attributes": [{"column": "age", "value": "30", "pct": 100.0}],
        "records_by_length": [{"length": 1, "unique_pct": 10.0, "rare_pct": 20.0}],
    }
    figure = risk_view(report).children[1].children[2].figure
    assert (figure.layout.xaxis.title.text, figure.layout.yaxis.title.text) == (
        "attributes combined (length)",
        "% of records",
    )
    column = ColumnPreview(name="age", distinct=3, non_empty=9, zero_share=0.0, delimiter=None, top=[("30", 5)])
    card = preview_table(Preview(file="x.csv", rows=10, columns=[column])).children[1].children[0]
    assert [div.children for div in card.children[1:3]] == ["3 distinct values", "9 non-empty cells"]


def test_the_comparison_charts_show_both_runs_with_the_legend_above_the_plot(settings, request_):
    from console import runs
    from console.views import evaluation_view

    run = runs.execute(settings.private_dir, settings.workspace, runs.new_run(settings.workspace, "o", request_))
    other = runs.Run("other", "o", request_, status=DONE, release_id=run.release_id)
    report = runs.private_report(settings.private_dir, run)
    sentences, table, charts = evaluation_view([(run, report), (other, report)]).children
    assert [side.children[0].children for side in sentences.children] == [run.run_id, "other"]
    figures = [graph.figure for graph in charts.children]
    assert figures and all([trace.name for trace in f.data] == [run.run_id, "other"] for f in figures)
    assert {(f.layout.legend.orientation, f.layout.legend.yanchor) for f in figures} == {("h", "bottom")}
