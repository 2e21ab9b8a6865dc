"""Pure helpers: selection events, URL state, records filters, exports, profiles, evaluation, figures."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from callbacks.explore import apply_event, event_from_trigger
from dashboard import exports, figures, records, views
from dashboard import query as q
from dashboard.config import Settings
from dashboard.evaluation import evaluation_tables
from dashboard.profile import is_iso3_column, readable, resolve_profile
from dashboard.store import load_release
from dashboard.urlstate import as_list, columns_from_query, query_string, selections_from_query
from layouts import ids
from layouts.common import readable_date
from layouts.data import default_builder_columns
from synth.release import current_release
from tests.dashboard.release_factory import build_release


def test_apply_event_toggle_pick_remove_clear():
    sel = apply_event([], ("click", "gender", "Male"))
    assert sel == [("gender", "Male")]
    sel = apply_event(sel, ("click", "ageBroad", "18--20"))
    assert apply_event(sel, ("click", "gender", "Male")) == [("ageBroad", "18--20")]
    assert apply_event(sel, ("click", "gender", "Female")) == [("gender", "Female"), ("ageBroad", "18--20")]
    assert apply_event(sel, ("pick", "gender", None)) == [("ageBroad", "18--20")]
    assert apply_event(sel, ("remove", "ageBroad")) == [("gender", "Male")]
    assert apply_event(sel, ("clear",)) == []


def test_event_from_trigger():
    chart = {"type": ids.EXPLORE_CHART, "source": "gender"}
    assert event_from_trigger(chart, {"points": [{"customdata": "Male"}]}, None) == ("click", "gender", "Male")
    assert event_from_trigger(chart, None, None) is None
    assert event_from_trigger({"type": ids.EXPLORE_FILTER, "source": "g"}, None, "x") == ("pick", "g", "x")
    assert event_from_trigger(ids.EXPLORE_CLEAR, None, None) == ("clear",)
    # a crafted pattern id whose source is not a column name (a list, a number) is no event
    assert event_from_trigger({"type": ids.EXPLORE_CHIP, "source": ["gender"]}, None, None) is None
    assert event_from_trigger({"type": ids.EXPLORE_FILTER, "source": 3}, None, "x") is None


def test_url_state(release):
    assert as_list(None) == [] and as_list("a") == ["a"] and as_list(["a", ""]) == ["a"]
    assert selections_from_query(release, ["gender:Male", "gender:Female", "x:y"]) == (("gender", "Male"),)
    assert columns_from_query(release, ["gender", "nope", "gender", "ageBroad"], limit=1) == ["gender"]
    assert query_string(c=["a", "b"], f=[], tab="records") == "?c=a&c=b&tab=records"
    assert query_string(f=None) == ""


def test_source_views_condense_multi_value(release):
    view = records.source_views(release)["perpGender"]
    labels = [view.labels[c] if c >= 0 else "" for c in view.codes]
    assert labels == ["Female", "Female;Male", "Male", "Male", "", "Female", "Male", ""]


@pytest.mark.parametrize(
    "model,expected",
    [
        ({"perpGender": {"type": "contains", "filter": "male"}}, [0, 1, 2, 3, 5, 6]),
        ({"perpGender": {"type": "equals", "filter": "Male"}}, [2, 3, 6]),
        ({"perpGender": {"type": "blank"}}, [4, 7]),
        ({"ageBroad": {"type": "notBlank"}, "gender": {"type": "startsWith", "filter": "f"}}, [0, 1, 2, 7]),
        (
            {
                "CountryOfExploitation": {
                    "operator": "OR",
                    "conditions": [{"type": "equals", "filter": "PHL"}, {"type": "equals", "filter": "UKR"}],
                }
            },
            [2, 3, 4, 6],
        ),
    ],
)
def test_filter_rows_text_models(release, model, expected):
    assert records.filter_rows(release, (), model).tolist() == expected


def test_filter_rows_rejects_unknown(release):
    with pytest.raises(records.FilterError):
        records.filter_rows(release, (), {"nope": {"type": "contains", "filter": "x"}})
    with pytest.raises(records.FilterError):
        records.filter_rows(release, (), {"gender": {"type": "regex", "filter": "x"}})


def test_sort_rows_and_frame(release):
    rows = records.query_rows(
        release,
        (("gender", "Female"),),
        None,
        [{"colId": "ageBroad", "sort": "asc"}, {"colId": "yearRegister", "sort": "desc"}],
    )
    assert rows.tolist() == [5, 2, 1, 0, 7]  # empty age first; within 18--20: 2020 before 2019, stable
    frame = records.frame_for(release, rows, 0, 2)
    assert frame["id"].tolist() == [5, 2] and frame.loc[0, "ageBroad"] == ""


def test_records_for_are_the_frame_records_without_a_frame(release):
    rows = records.query_rows(release, (("gender", "Female"),), None, [{"colId": "ageBroad", "sort": "asc"}])
    for start, stop, shown in [(0, 2, False), (1, None, True), (0, None, False), (4, 3, True)]:
        expected = records.frame_for(release, rows, start, stop, shown).to_dict("records")
        got = records.records_for(release, rows, start, stop, shown)
        assert got == expected and all(type(r["id"]) is int for r in got)
    first = records.records_for(release, rows, 0, 1)[0]
    assert first["id"] == 5 and first["ageBroad"] == "" and first["gender"] == "Female"
    assert len(records.records_for(release, None)) == release.n_synthetic


def test_csv_export_header_and_body(release):
    prov = exports.provenance(release, "DP aggregates", {"c": ["gender"]}, "Cite me")
    body = exports.to_csv(pd.DataFrame({"x": ["=evil"], "n": [3]}), prov).decode()
    assert body.splitlines()[0] == "# dataset: sample" and "# citation: Cite me" in body
    assert pd.read_csv(io.StringIO(body), comment="#")["x"].tolist() == ["'=evil"]


def test_profile_sample_and_automatic(tmp_path, release):
    profile = resolve_profile(release)
    assert not profile.automatic and profile.time == "yearRegister"
    assert [g.source for g in profile.geography] == ["CountryOfExploitation"]
    assert profile.value_label("CountryOfExploitation", "UKR") == "Ukraine"
    assert profile.explore == ("gender", "ageBroad", "CountryOfExploitation")  # unknown ones dropped
    build_release(tmp_path, dataset="mystery")
    auto = resolve_profile(load_release(current_release(tmp_path)))
    assert auto.automatic and auto.time == "yearRegister"
    assert [g.source for g in auto.geography] == ["CountryOfExploitation"]
    assert auto.relationship is not None and len(auto.explore) == 5


def test_is_iso3_column():
    assert is_iso3_column(("USA", "PHL", "UKR")) and not is_iso3_column(("Asia", "Europe"))


def test_evaluation_tables():
    view = evaluation_tables(
        {
            "summary": {"mean_absolute_error": {"1": 4.5, "2": 6.0}, "records": 10},
            "by_length": [{"length": 1, "mae": 4.5}, {"length": 2, "mae": 6.0}],
        }
    )
    assert view.scalars == [("Summary: records", "10")]  # report keys as a reader writes them
    assert [c.title for c in view.charts] == ["Summary: mean absolute error", "By length: mean absolute error"]


def test_comparison_figure_marks_not_reported(release):
    frame = q.bars(release, "gender", (("ageBroad", "09--17"),))
    frame["selected"] = False
    figure = figures.comparison_bars(frame, "Gender", str, "src")
    published = figure["data"][1]
    assert published["text"] == ["12", "not reported"]  # reversed order: Male first
    assert published["customdata"] == ["Male", "Female"]


def test_shown_bars_hatch_estimates(release):
    frame = q.bars(release, "perpGender", (("gender", "Male"), ("ageBroad", "18--20")))
    figure = figures.shown_bars(frame, "t", str, "src")
    assert figure["data"][0]["marker"]["pattern"]["shape"] == ["/", "/"]
    assert figure["data"][0]["text"] == ["", "2*"]
    assert [a["text"] for a in figure["layout"]["annotations"] if a.get("xref") == "x"] == ["0*"]  # no room inside


def test_settings_validation():
    assert Settings.from_env({}).port == 8050
    with pytest.raises(ValueError):
        Settings.from_env({"DASHBOARD_CACHE_TYPE": "filesystem"})
    with pytest.raises(ValueError):
        Settings.from_env({"DASHBOARD_PORT": "eighty"})
    assert Settings.from_env({"DASHBOARD_DATA_DIR": "x/y"}).data_dir.as_posix() == "x/y"


def test_redis_cache_settings():
    redis = {"DASHBOARD_CACHE_TYPE": "RedisCache", "DASHBOARD_CACHE_REDIS_URL": "redis://10.0.0.5:6380/2"}
    assert Settings.from_env(redis).cache_redis_url == "redis://10.0.0.5:6380/2"
    with pytest.raises(ValueError, match="DASHBOARD_CACHE_REDIS_URL"):
        Settings.from_env({**redis, "DASHBOARD_CACHE_REDIS_URL": "10.0.0.5:6380"})


def test_evaluation_keys_read_as_words():
    view = evaluation_tables({"synthetic_vs_aggregates": {"suppressed_pct": 2.5}})
    assert view.scalars == [("Synthetic vs. aggregates: suppressed %", "2.5")]


def test_evaluation_lists_by_length_and_sentences():
    view = evaluation_tables(
        {
            "synthetic": {"rare_by_length": [0, 4, 9], "distinct": 7},
            "summary": [{"name": "a", "text": "First sentence."}],
            "pres": [{"bin": 10, "size": 5, "preservation": 0.5}],
        }
    )
    assert [c.title for c in view.charts] == ["Synthetic: rare by length", "Pres: preservation"]
    assert view.charts[0].frame["length"].tolist() == ["1", "2", "3"]
    assert view.sentences == ["First sentence."] and view.scalars == [("Synthetic: distinct", "7")]


def test_filter_model_from_query_validates(release):
    from layouts.data import filter_model_from_query

    good = '{"gender":{"filterType":"text","type":"equals","filter":"Male"}}'
    assert filter_model_from_query(release, good) == {
        "gender": {"filterType": "text", "type": "equals", "filter": "Male"}
    }
    assert filter_model_from_query(release, '{"nope":{"type":"equals","filter":"x"}}') == {}
    assert filter_model_from_query(release, "not json") == {} and filter_model_from_query(release, "[1]") == {}
    assert filter_model_from_query(release, None) == {}


def test_aggregate_builder_opens_on_the_main_breakdown(tmp_path, release):
    profile = resolve_profile(release)
    main = next(s for s in (*profile.breakdowns, *profile.explore) if s in release.dimensions)
    assert default_builder_columns(release, profile) == [main]
    build_release(tmp_path, dataset="mystery")  # automatic profile: still a column of the release
    other = load_release(current_release(tmp_path))
    columns = default_builder_columns(other, resolve_profile(other))
    assert len(columns) == 1 and columns[0] in other.dimensions


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("09--17", "9-17"),
        ("0--8", "0-8"),
        ("DomesticWork", "Domestic work"),
        ("FamilyIntimatePartner", "Family intimate partner"),
        ("perpGender", "Perp gender"),
        ("UKR", "UKR"),
        ("2005-2013", "2005-2013"),
        ("Female", "Female"),
        ("IP_Gender", "IP_Gender"),
    ],
)
def test_codes_without_a_label_are_shown_readably(code, shown):
    assert readable(code) == shown


def test_profile_labels_win_over_the_readable_fallback(release):
    profile = resolve_profile(release)
    assert profile.value_label("ageBroad", "09--17") == "9-17"  # no label in the profile: the fallback
    assert profile.value_label("CountryOfExploitation", "UKR") == "Ukraine"  # a label: kept
    assert profile.label("gender") == profile.labels["gender"]


@pytest.mark.parametrize(
    ("iso", "shown"),
    [("2026-12-01T15:04:45Z", "1 December 2026"), ("2005-03-09T00:00:00+00:00", "9 March 2005"), ("soon", "soon")],
)
def test_dates_are_shown_as_readers_write_them(iso, shown):
    assert readable_date(iso) == shown


def test_explore_keeps_a_suppressed_value_with_no_synthetic_record(release):
    # gender:Male;perpGender_Female:1 is suppressed and no synthetic Male record has a female perpetrator:
    # the bar must still be there, marked "not reported", not silently dropped (issue 10, item 2).
    figure = views.explore_figure.__wrapped__(release, "perpGender", (("gender", "Male"),))
    published = figure["data"][1]
    assert sorted(published["customdata"]) == ["Female", "Male"]
    texts = dict(zip(published["customdata"], published["text"], strict=True))
    assert texts["Female"] == figures.NOT_REPORTED_TEXT and texts["Male"] == "28"
    estimates = dict(zip(figure["data"][0]["customdata"], figure["data"][0]["x"].tolist(), strict=True))
    assert estimates["Female"] == 0


def test_period_spans_read_year_bands():
    assert figures.period_spans(["2005-2013", "2014", "2021--2022"]) == [(2005, 2013), (2014, 2014), (2021, 2022)]
    assert figures.period_spans(["2019", "unknown"]) is None


def test_unequal_periods_are_drawn_to_scale():
    # CTDC-like bands: a 9-year band with 900 records is 100 a year, as wide as 9 single years (issue 10, item 4).
    frame = pd.DataFrame(
        {
            "value": ["2005-2013", "2014", "2015"],
            "shown": [900.0, 150.0, 120.0],
            "published": [900.0, 150.0, 120.0],
            "low": [880.0, 130.0, 100.0],
            "high": [920.0, 170.0, 140.0],
            "estimated": [0, 0, 0],
            "status": [q.PUBLISHED] * 3,
        }
    )
    spans = figures.period_spans(frame["value"])
    bar = figures.shown_bars(frame, "t", str, "s", spans=spans)["data"][0]
    assert bar["width"] == [9.0, 1.0, 1.0] and bar["x"] == [2009.0, 2014.0, 2015.0]
    assert bar["y"] == [100.0, 150.0, 120.0] and bar["error_y"]["array"][0] == pytest.approx(20 / 9)
    assert bar["text"][0] == "900 in 9 years" and bar["text"][1] == "150"


def test_explore_estimates_are_hatched_and_starred_and_greyed_counts_stay_legible(release):
    # The legend note promises hatched, starred estimate bars (issue 10, item 5).
    figure = views.explore_figure.__wrapped__(release, "gender", (("gender", "Male"),))
    estimate, published = figure["data"]
    assert estimate["marker"]["pattern"]["shape"] == "/" and all(t.endswith("*") for t in estimate["text"])
    # not white on a faded bar: the colour is set per bar (plotly's unselected.textfont does not override a
    # per-bar textfont colour; in the browser the greyed counts stayed white)
    colors = dict(zip(published["customdata"], published["textfont"]["color"], strict=True))
    assert colors["Male"] == "#fff" and all(c == "#333" for v, c in colors.items() if v != "Male")


@pytest.mark.parametrize(
    ("sm", "expected"),
    [
        ('[{"colId":"gender","sort":"desc"}]', [{"colId": "gender", "sort": "desc"}]),
        ('[{"colId":"nope","sort":"asc"}]', []),
        ('[{"colId":"gender","sort":"up"}]', []),
        ('{"colId":"gender"}', []),
        ("not json", []),
        (None, []),
    ],
)
def test_sort_model_from_query_validates(release, sm, expected):
    from layouts.data import records_grid, sort_model_from_query

    model = sort_model_from_query(release, sm)
    assert model == expected
    columns = {c["field"]: c for c in records_grid(release, resolve_profile(release), {}, model).columnDefs}
    assert columns["gender"].get("sort") == (expected[0]["sort"] if expected else None)


@pytest.mark.parametrize("needle", ["Ukraine", "ukr", "UKR"])
def test_grid_filters_find_names_and_codes(release, needle):
    # The grid shows "Ukraine" for UKR; a filter on either finds the same records (issue 10, item 6).
    model = {"CountryOfExploitation": {"type": "contains", "filter": needle}}
    rows = records.query_rows(release, (), model, None)
    assert rows.tolist() == [3, 4]
    assert records.frame_for(release, rows, shown=True)["CountryOfExploitation"].tolist() == ["Ukraine"] * 2
    assert records.frame_for(release, rows)["CountryOfExploitation"].tolist() == ["UKR"] * 2  # API and exports


def test_negative_grid_filters_hold_for_name_and_code(release):
    model = {"CountryOfExploitation": {"type": "notContains", "filter": "ukraine"}}
    kept = records.frame_for(release, records.query_rows(release, (), model, None))["CountryOfExploitation"]
    assert "UKR" not in set(kept) and len(kept) == 6
