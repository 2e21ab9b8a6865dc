"""Charts that read on a phone (issue 10, item 1): the title is an HTML caption (it wraps), the plotly toolbar
is off (it covered the PNG/SVG buttons), a graph keeps its figure's height, heatmap labels are sized by plotly
to their cells, and counts that do not fit in a bar go beside it instead of turning on their side.

The browser checks of the same at 390 and 1366 px are in ``tests/e2e/test_responsive.py``.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from plotly.io.json import to_json_plotly

from callbacks.overview import switch_geography
from dashboard import figures, i18n
from dashboard import query as q
from dashboard.app import create_app
from dashboard.config import Settings
from layouts import ids
from layouts.common import graph


def _relation() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "relation": ["Family or intimate partner"] * 2 + ["Stranger"] * 2,
            "role": ["Broker", "Exploiter"] * 2,
            "shown": [12.0, math.nan, 3400.0, 5.0],
            "status": [q.PUBLISHED, q.NOT_REPORTED, q.PUBLISHED, q.ESTIMATED],
        }
    )


def _published(values: list[str], counts: list[float], **columns) -> pd.DataFrame:
    """Bars as the query engine gives them: every value published, 95 % interval ±10 %, estimate = count."""
    shown = [float(c) for c in counts]
    return pd.DataFrame(
        {
            "value": values,
            "shown": shown,
            "published": shown,
            "low": [0.9 * c for c in shown],
            "high": [1.1 * c for c in shown],
            "estimated": [int(c) for c in shown],
            "status": [q.PUBLISHED] * len(values),
            **columns,
        }
    )


def test_heatmap_cell_labels_are_plotly_text_and_suppressed_cells_read_nr():
    figure = figures.heatmap(_relation(), "relation", "role", "Relation × role", str, str, "src")
    trace, layout = figure["data"][0], figure["layout"]
    # numbers drawn by plotly in the cells (sized to fit them), not as fixed 11 px annotations
    assert trace["texttemplate"] == "%{text}" and trace["text"] == [["12", "n.r."], ["3,400", "5*"]]
    assert "textfont" not in trace
    assert trace["showscale"] is False  # every cell is labelled: no colour bar taking the cells' width
    assert trace["y"] == ["Family or intimate<br>partner", "Stranger"]  # long row labels on two lines
    assert layout["xaxis"]["side"] == "top"  # upright column labels grow upwards, not into the source line
    cells = [(a["x"], a["y"], a["text"]) for a in layout["annotations"] if a.get("xref") == "x"]
    assert cells == [("Exploiter", "Family or intimate<br>partner", "n.r.")]  # only the suppressed cell


def test_titles_are_in_meta_for_the_caption_not_drawn_by_plotly():
    frame = pd.DataFrame({"length": [1, 2], "mae": [0.5, 1.5]})
    figure = figures.metric_bars(frame, "length", "mae", "A title long enough to need two lines on a phone", "src")
    assert "title" not in figure["layout"]
    assert figures.title_of(figure) == "A title long enough to need two lines on a phone"
    assert figures.title_of(figures.empty_figure("nothing")) == ""


def test_counts_that_do_not_fit_go_beside_the_bar_upright(release):
    frame = q.bars(release, "CountryOfExploitation", ())
    bar = figures.shown_bars(frame, "t", str, "src", horizontal=True)["data"][0]
    assert bar["textangle"] == 0 and set(bar["textposition"]) <= {"inside", "outside"}
    assert bar["outsidetextfont"]["color"] == "#333"  # beside the bar: dark, not white on white
    frame["selected"] = False
    published = figures.comparison_bars(frame, "t", str, "src")["data"][1]
    assert published["textangle"] == 0 and published["outsidetextfont"]["color"] == "#333"


def test_explore_bars_beyond_the_reporting_length_read_in_words(release):
    # issue 10, item 6: the published bar of a combination longer than R read "beyond R"
    frame = q.bars(release, "gender", ()).assign(status=q.ESTIMATED, selected=False)
    published = figures.comparison_bars(frame, "t", str, "src")["data"][1]
    assert set(published["text"]) == {"not published"}


def test_explore_legend_sits_above_the_plot_left_aligned(release):
    frame = q.bars(release, "gender", ())
    frame["selected"] = False
    layout = figures.comparison_bars(frame, "Gender", str, "src")["layout"]
    assert layout["legend"] == {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"}
    assert layout["margin"]["t"] >= 50  # room for two legend rows on a phone


def test_explore_counts_too_long_for_their_bars_sit_beyond_the_whisker():
    """Issue 10 leftover: plotly's outside text of a short published bar was drawn over its error bar's whisker;
    such a count is an annotation just beyond the whisker's end, beside the published (upper) bar of its pair."""
    frame = pd.DataFrame(
        {
            "value": ["Adult", "Minor"],
            "estimated": [1000, 30],
            "published": [1000.0, 30.0],
            "low": [900.0, 10.0],
            "high": [1100.0, 60.0],
            "status": [q.PUBLISHED] * 2,
            "selected": [False, False],
        }
    )
    figure = figures.comparison_bars(frame, "t", str, "src")
    published = figure["data"][1]
    assert published["y"] == ["Minor", "Adult"]  # drawn bottom-up
    assert published["text"] == ["", "1,000"] and published["textposition"] == ["inside", "inside"]
    (label,) = [a for a in figure["layout"]["annotations"] if a.get("xref") == "x"]
    assert (label["text"], label["x"], label["xanchor"]) == ("30", 60.0, "left")  # starts where the whisker ends
    assert label["y"] == 0 + figures.PUBLISHED_OFFSET == 0.1875 and label["xshift"] > 0
    assert figure["layout"]["bargap"] == 0.25  # bars of 0.375: the upper one centred 0.1875 above its value


def _value_labels(figure: dict) -> list[tuple[float, float, str]]:
    return [(a["x"], a["y"], a["text"]) for a in figure["layout"]["annotations"] if a.get("xref") == "x"]


def test_overview_shares_and_counts_too_long_for_their_bars_sit_beyond_the_whisker():
    """Seen in the CTDC screenshots: "Menor 7%" and the grey bar's "3.603 (estimate ±151)" started under a whisker
    or a zero-length whisker's cap."""
    frame = _published(["Adult", "Minor"], [930, 70]).assign(share=[0.93, 0.07], half=[0.002, 0.004])
    figure = figures.share_bars(frame, "t", str, "src", "axis", ("not recorded", 360.0, 15.0, 1000.0))
    bar = figure["data"][0]
    assert bar["text"] == ["93 %", "", "360 (estimate ±15)"]
    assert bar["textposition"] == ["inside", "inside", "outside"]
    assert _value_labels(figure) == [(pytest.approx(7.4), 1.0, "7 %")]  # 7 % + 0.4 % whisker, 2nd row
    assert bar["error_x"]["array"] == [pytest.approx(0.2), pytest.approx(0.4), "NaN"]  # no cap by the grey bar
    counts = figures.shown_bars(_published(["Trafficked", "Other"], [1000, 100]), "t", str, "src", horizontal=True)
    assert counts["data"][0]["text"] == ["1,000", ""]
    assert _value_labels(counts) == [(pytest.approx(110.0), 1.0, "100")]
    upright = figures.shown_bars(_published(["2019", "2020"], [1000, 100]), "t", str, "src")
    (label,) = [a for a in upright["layout"]["annotations"] if a.get("xref") == "x"]
    assert (label["x"], label["y"], label["yanchor"]) == (1.0, pytest.approx(110.0), "bottom")  # above it


def test_explore_legend_names_fit_a_phone_on_two_lines():
    frame = _published(["Female"], [10], selected=[False])
    with i18n.use("pt"):
        figure = figures.comparison_bars(frame, "t", str, "src")
    assert figure["data"][1]["name"] == "Agregado com PD publicado<br>(intervalo de 95%)"
    assert figure["layout"]["margin"]["t"] >= 72


def test_graph_shows_the_title_as_caption_keeps_the_height_and_has_no_toolbar(data_dir):
    app = create_app(Settings(data_dir=data_dir, cache_type="SimpleCache"))
    figure = figures.metric_bars(pd.DataFrame({"x": [1], "y": [2]}), "x", "y", "Errors by length", "src")
    with app.server.test_request_context("/"):
        chart = json.loads(to_json_plotly(graph("some-chart", figure, "file", "Errors")))
    caption, tools, plot = chart["props"]["children"]
    assert caption["type"] == "Figcaption" and caption["props"]["children"] == "Errors by length"
    assert caption["props"]["id"] == ids.caption("some-chart")
    assert tools["props"]["className"] == "chart-tools"
    assert plot["props"]["style"] == {"height": "280px"}  # a responsive graph fills its container's height
    assert plot["props"]["config"]["displayModeBar"] is False


def test_switching_the_map_geography_updates_its_caption(data_dir):
    app = create_app(Settings(data_dir=data_dir, cache_type="SimpleCache"))
    with app.server.test_request_context("/"):
        figure, title, search = switch_geography("CountryOfExploitation")
    assert title == figures.title_of(figure) != ""
    assert search == "?geo=CountryOfExploitation&lang=en"
    served = [d["output"] for d in app.server.test_client().get("/_dash-dependencies").get_json()]
    assert any(f"{ids.caption(ids.OVERVIEW_MAP)}.children" in output for output in served)


def test_single_years_get_a_plain_year_axis_and_unequal_periods_keep_their_ticks():
    years = [str(y) for y in range(2005, 2023)]
    frame = _published(years, [100] * 18)
    figure = figures.shown_bars(frame, "t", str, "src", spans=figures.period_spans(years))
    # plotly picks a tick step that fits the width, instead of 18 turned labels crowding a phone
    assert figure["layout"]["xaxis"] == {"automargin": True, "tickformat": "d"}
    assert figure["data"][0]["x"] == [float(y) for y in range(2005, 2023)] and "width" not in figure["data"][0]
    bands = ["2005-2013", *years[9:]]
    banded = frame.iloc[8:].assign(value=bands)
    unequal = figures.shown_bars(banded, "t", str, "src", spans=figures.period_spans(bands))
    assert unequal["layout"]["xaxis"]["ticktext"] == bands and unequal["data"][0]["width"][0] == 9.0


def test_period_ticks_stand_upright_and_the_last_one_is_not_hidden():
    # CTDC's 2005-2013, 2014-2018, 2019, 2020, 2021-2022: tilted, "2019" and "2020" overlapped and plotly hid
    # "2021-2022" (it reached past the chart)
    bands = ["2005-2013", "2014-2018", "2019", "2020", "2021-2022"]
    figure = figures.shown_bars(
        _published(bands, [900, 500, 200, 200, 400]), "t", str, "src", spans=figures.period_spans(bands)
    )
    axis = figure["layout"]["xaxis"]
    assert axis["tickangle"] == -90 and axis["ticklabeloverflow"] == "allow"


def test_share_axis_titles_are_short_lines_that_fit_a_phone_chart(release):
    # centred under a phone's ~230 px plot area, a 48-character line ran past the chart's right edge
    title = "% of the 17,603 victims with a recorded victim gender"
    frame = q.bars(release, "gender", ()).assign(share=0.5, half=0.01)
    figure = figures.share_bars(frame, "t", str, "src", title, ("not recorded", 10.0, 2.0, 100.0))
    lines = figure["layout"]["xaxis"]["title"]["text"].split("<br>")
    assert " ".join(lines) == title and max(map(len, lines)) <= 30
    # "Minor 7 %" was turned on its side in its thin bar: it goes beside the bar, upright and dark
    bar = figure["data"][0]
    assert bar["textangle"] == 0 and set(bar["textposition"]) <= {"inside", "outside"}
    assert bar["outsidetextfont"]["color"] == "#333"


def test_the_country_map_scale_is_a_short_bar_above_the_map(release):
    frame = q.bars(release, "CountryOfExploitation", ())
    figure = figures.country_map(frame, "t", str, "src")
    bar = figure["data"][0]["colorbar"]
    assert bar["orientation"] == "h" and bar["len"] == 0.5 and bar["yanchor"] == "bottom"


def test_evaluation_charts_make_room_for_their_axis_labels():
    figure = figures.metric_bars(pd.DataFrame({"x": [1, 2], "y": [0.8, 0.6]}), "x", "y", "t", "src")
    assert figure["layout"]["yaxis"]["automargin"] and figure["layout"]["xaxis"]["automargin"]


def test_long_category_labels_go_on_two_lines():
    frame = _published(["Stranger, unknown or other", "Friend"], [10, 5], selected=[False, False])
    wrapped = ["Stranger, unknown<br>or other", "Friend"]
    assert figures.shown_bars(frame, "t", str, "src", horizontal=True)["data"][0]["y"] == wrapped
    assert figures.comparison_bars(frame, "t", str, "src")["data"][1]["y"] == wrapped[::-1]


def test_very_long_category_labels_are_cut_to_two_lines_and_stay_whole_in_the_hover():
    """A third line ran into the neighbouring labels (the citizenship chart's "Congo, The Democratic Republic
    of the"); labels that the cut would make equal keep all their lines, so every category stays distinct."""
    congo, other = "Congo, The Democratic Republic of the", "Congo, The Democratic Republic of Elsewhere"
    assert figures.category_labels([congo, "Chad"]) == ["Congo, The<br>Democratic…", "Chad"]
    assert figures.category_labels([congo, other]) == [figures.wrap(congo, 18), figures.wrap(other, 18)]
    frame = _published([congo, "Chad"], [10, 5], selected=[False, False])
    for trace in figures.comparison_bars(frame, "t", str, "src")["data"]:
        assert trace["y"] == ["Chad", "Congo, The<br>Democratic…"]
        assert trace["hovertext"][1].startswith(congo + "<br>")
    bars = figures.shown_bars(frame, "t", str, "src", horizontal=True)["data"][0]
    assert bars["y"][0] == "Congo, The<br>Democratic…" and congo in bars["hovertext"][0]
    cells = pd.DataFrame({"r": [congo, "Chad"], "c": ["x", "x"], "shown": [3.0, 4.0], "status": [q.PUBLISHED] * 2})
    heat = figures.heatmap(cells, "r", "c", "t", str, str, "src")["data"][0]
    assert heat["y"] == ["Congo, The<br>Democratic…", "Chad"] and heat["customdata"][0] == [congo]
    assert "%{customdata}" in heat["hovertemplate"]


def test_count_axes_have_few_short_ticks(release):
    frame = q.bars(release, "gender", ())
    frame["selected"] = False
    for axis in (
        figures.comparison_bars(frame, "t", str, "src")["layout"]["xaxis"],
        figures.shown_bars(frame, "t", str, "src", horizontal=True)["layout"]["xaxis"],
        figures.shown_bars(frame, "t", str, "src")["layout"]["yaxis"],
    ):
        assert 2 <= len(axis["tickvals"]) <= figures.COUNT_TICKS + 1 and axis["tickvals"][0] == 0
        assert "tickformat" not in axis and len(axis["ticktext"]) == len(axis["tickvals"])


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (3, [0, 1, 2, 3, 4]),
        (9_800, [0, 5_000, 10_000]),
        (16_500, [0, 5_000, 10_000, 15_000, 20_000]),
        (21_204, [0, 10_000, 20_000, 30_000]),
        (0, [0, 1, 2]),
    ],
)
def test_count_ticks_are_round_and_at_most_four_up_to_the_top(top, ticks):
    assert figures.count_ticks(top)["tickvals"] == ticks


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("en", ["0", "5K", "10K", "15K", "20K"]),
        ("pt", ["0", "5\u00a0mil", "10\u00a0mil", "15\u00a0mil", "20\u00a0mil"]),
        ("es", ["0", "5\u00a0mil", "10\u00a0mil", "15\u00a0mil", "20\u00a0mil"]),
        ("fr", ["0", "5\u00a0k", "10\u00a0k", "15\u00a0k", "20\u00a0k"]),
    ],
)
def test_count_axis_and_hover_numbers_follow_the_language(lang, texts):
    """Tick labels as CLDR abbreviates numbers (plotly's SI "5k" in every language before); the synthetic bar's
    label and hover text formatted per language too (plotly's "%{x:,}" before)."""
    frame = _published(["Female", "Male"], [16_000, 9_564], selected=[False, False])
    with i18n.use(lang):
        figure = figures.comparison_bars(frame, "t", str, "src")
        overview = figures.shown_bars(frame, "t", str, "src")
        colorbar = figures.country_map(frame.assign(value=["BRA", "USA"]), "t", str, "src")["data"][0]["colorbar"]
    assert figure["layout"]["xaxis"]["ticktext"] == texts and overview["layout"]["yaxis"]["ticktext"] == texts
    assert colorbar["ticktext"] == texts and "nticks" not in colorbar
    synthetic = figure["data"][0]
    number = i18n.format_decimal(9_564, lang=lang)
    assert synthetic["text"][0] == number + "*" and number in synthetic["hovertext"][0]
    assert synthetic["hoverinfo"] == "text" and "hovertemplate" not in synthetic and "texttemplate" not in synthetic


def test_bubble_labels_at_the_map_edges_point_into_the_map():
    frame = _published(["Americas", "Europe", "Asia"], [100, 400, 300])
    centroids = {"Americas": (10.0, -75.0), "Europe": (50.0, 15.0), "Asia": (35.0, 95.0)}
    trace = figures.region_map(frame, "t", str, "src", centroids)["data"][0]
    assert trace["textposition"] == ["middle right", "middle center", "middle left"]
