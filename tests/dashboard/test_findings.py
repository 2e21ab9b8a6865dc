"""Issue 10: key findings, shares of known values with a "not recorded" bar, one source line per page, citation.

Exact values on the hand-made release (tests/dashboard/release_factory.py): gender Female 50 / Male 40,
age 20 / 60, country PHL 22 / UKR 18 / USA 45; n' = 90; length-1 noise sd 2; ε_N = 0.4, so sd(n') = √2/0.4.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from plotly.io.json import to_json_plotly

from dashboard import citation, figures, findings, i18n, views
from dashboard import query as q
from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.store import load_release
from layouts import ids
from synth.release import current_release
from tests.dashboard.payloads import components, page_content_payload
from tests.dashboard.release_factory import AGGREGATES, build_release

N_SD = math.sqrt(2) / 0.4


def _release(tmp_path, **kwargs):
    build_release(tmp_path, **kwargs)
    return load_release(current_release(tmp_path))


def test_shares_of_known_values_use_the_delta_method():
    # Female 50, Male 40 published (n' = 120: 30 without a recorded gender): 50/90, not 50/120.
    shares, halves, total = findings.shares_of_known(np.array([50.0, 40.0, np.nan]), np.array([2.0, 2.0, np.nan]))
    assert total == 90 and shares[:2] == pytest.approx([50 / 90, 40 / 90]) and np.isnan(shares[2])
    # var = sd²(r² + c²(m-1))/K⁴ with equal sds
    assert halves[0] == pytest.approx(1.96 * np.sqrt(4 * (40**2 + 50**2) / 90**4))


def test_shares_of_all_include_the_record_count_noise():
    share, half = findings.shares_of_all(np.array([50.0]), np.array([2.0]), 120.0, N_SD)
    assert share[0] == pytest.approx(50 / 120)
    assert half[0] == pytest.approx(1.96 * np.sqrt(4 + (50 / 120) ** 2 * N_SD**2) / 120)


def test_not_recorded_is_the_record_count_minus_published_counts_clipped_at_zero():
    count, sd = findings.not_recorded(np.array([20.0, 60.0]), np.array([2.0, 2.0]), 90, N_SD)
    assert count == 10 and sd == pytest.approx(np.sqrt(N_SD**2 + 8))
    assert findings.not_recorded(np.array([50.0, 45.0]), np.array([2.0, 2.0]), 90, N_SD)[0] == 0


@pytest.mark.parametrize(
    "share, words",
    [(0.61, "about 3 in 5"), (0.53, "about half"), (0.75, "about 3 in 4"), (0.37, "about 4 in 10"),
     (0.04, "about 1 in 25"), (0.17, "about 1 in 6"), (0.99, "nearly all"), (1.0, "all")],
)  # fmt: skip
def test_shares_in_words(share, words):
    assert findings.about(share) == words


def test_percent():
    assert (findings.percent(0.6123), findings.percent(0.004)) == ("61 %", "0.4 %")


def test_key_findings_of_the_hand_made_release(release):
    found = views.key_findings.__wrapped__(release)
    assert [f.chart for f in found] == ["gender", "ageBroad", "CountryOfExploitation"]
    assert [f.text for f in found] == [
        "Female is the most common victim gender: about 6 in 10 of the 90 victims whose victim gender is "
        "recorded (56 %, ±3 %).",
        "18-20 is the most common victim age: about 3 in 4 of the 80 victims whose victim age is recorded "
        "(75 %, ±4 %).",
        "United States is the most common country of exploitation: about half of the 85 victims whose country "
        "of exploitation is recorded (53 %, ±4 %).",
    ]


def test_a_suppressed_column_is_not_reported_and_a_suppressed_value_leaves_the_denominator(tmp_path):
    no_gender = {k: v for k, v in AGGREGATES.items() if not k.startswith("gender:")}
    found = views.key_findings.__wrapped__(_release(tmp_path / "a", aggregates=no_gender))
    assert found[0].text == "Victim gender: not reported (suppressed by differential privacy)."
    # Male suppressed: Female's 50 is not "all of the 50 with a reported gender" but 50 of all 90 people
    no_male = {k: v for k, v in AGGREGATES.items() if k != "gender:Male"}
    found = views.key_findings.__wrapped__(_release(tmp_path / "b", aggregates=no_male))
    assert found[0].text == (
        "Female is the most common victim gender: about 6 in 10 of all 90 victims (56 %, ±6 %); the other values "
        "are not reported (suppressed by differential privacy) or not recorded."
    )  # ±1.96·√(2² + (50/90)²·sd(n')²)/90 = ±6.1 %


def test_overlapping_counts_are_shares_of_everyone():
    counts = findings.Counts(("Forced labour", "Sexual exploitation"), np.array([60.0, 30.0]), np.array([2.0, 2.0]))
    found = findings.top_finding("exploitation", "type of exploitation", "victims", counts, 100.0, 0.0, True)
    assert found.text == (
        "Forced labour is the most common type of exploitation: about 3 in 5 of all 100 victims "
        "(60 %, ±4 %; one can have several)."
    )


def test_breakdown_shows_shares_of_recorded_values_and_a_not_recorded_bar(release):
    # age: 20 + 60 published of n' = 90, so 10 people have no recorded age (an estimate from DP counts only)
    figure = views.breakdown_figure.__wrapped__(release, "ageBroad")
    bar = figure["data"][0]
    assert bar["y"] == ["9-17", "18-20", "not recorded"]
    assert bar["x"] == pytest.approx([25.0, 75.0, 12.5])  # the gap drawn to the same scale: 10/80
    assert bar["text"] == ["25 %", "75 %", "10 (estimate ±9)"]  # ±1.96·√(sd(n')² + 2·2²) = ±8.9
    assert bar["marker"]["color"][-1] == "#8c8c8c" and bar["customdata"][-1] is None
    assert figure["layout"]["xaxis"]["title"]["text"] == "% of the 80 victims with a<br>recorded victim age"
    long = views.breakdown_figure.__wrapped__(release, "gender")["layout"]["xaxis"]["title"]["text"]
    # plotly does not wrap axis titles; 30-character lines fit a phone-wide chart
    assert long == "% of the 90 victims with a<br>recorded victim gender"


def test_breakdown_with_a_suppressed_value_is_of_everyone(tmp_path):
    no_male = {k: v for k, v in AGGREGATES.items() if k != "gender:Male"}
    figure = views.breakdown_figure.__wrapped__(_release(tmp_path, aggregates=no_male), "gender")
    bar = figure["data"][0]
    assert bar["y"] == ["Female", "Male", "not recorded or suppressed"]
    assert bar["text"][:2] == ["56 %", "not reported"] and bar["x"][2] == pytest.approx(100 * 40 / 90)
    assert figure["layout"]["xaxis"]["title"]["text"] == "% of all 90 victims"


def test_chart_titles_say_what_is_counted_and_name_long_periods(release):
    assert views.trend_title("Victims", "year of registration", ["2005-2013", "2019", "2021-2022"], str) == (
        "Victims by year of registration; 2005-2013, 2021-2022 are periods"
    )
    assert views.trend_title("Victims", "year of registration", ["2005-2013", "2019"], str).endswith(
        "; 2005-2013 is one period"
    )
    with i18n.use("fr"):  # seen on the French screenshot: the joining "; " was not translated
        title = views.trend_title("Victimes", "année d'enregistrement", ["2005-2013", "2019"], str)
    assert title == "Victimes par année d'enregistrement ; 2005-2013 est une seule période"
    assert figures.title_of(views.trend_figure.__wrapped__(release)) == "Victims by year of registration"
    title = "Victims by year of registration; 2005-2013, 2014-2018, 2021-2022 are periods"
    figure = figures.shown_bars(q.bars(release, "gender", ()), title, str, "s")
    assert figures.title_of(figure) == title  # shown whole as the chart's HTML caption, which wraps
    assert "title" not in figure["layout"]  # not drawn by plotly (it cannot wrap)
    assert figures.title_of(views.map_figure.__wrapped__(release, None)) == "Victims by country of exploitation"


def test_charts_carry_the_source_for_exports_but_do_not_draw_it(release):
    for figure in (views.breakdown_figure.__wrapped__(release, "gender"), views.trend_figure.__wrapped__(release)):
        assert figure["layout"]["meta"]["source"].startswith("Source: Hand-made test records, DP release sample-")
        assert not any("Source" in a["text"] for a in figure["layout"]["annotations"])


def test_overview_states_findings_with_links_and_one_source_line(data_dir):
    from layouts import overview

    app = create_app(Settings(data_dir=data_dir, cache_type="SimpleCache"))
    with app.server.test_request_context("/"):
        page = to_json_plotly(overview.layout())
    # the page states the source once; each figure only carries it in layout.meta for its image exports
    in_meta = page.count('"source":"Source: Hand-made test records')
    assert in_meta >= 4 and page.count("Source: Hand-made test records") == in_meta + 1
    assert page.count(f'"id":"{ids.PAGE_SOURCE}"') == 1
    assert '"id":"overview-findings"' in page
    for key in ("gender", "ageBroad"):
        assert f'"href":"#{ids.chart_anchor(key)}"' in page and f'"id":"{ids.chart_anchor(key)}"' in page
    assert f'"href":"#{ids.chart_anchor(ids.OVERVIEW_MAP)}"' in page  # the country finding links to the map
    assert "Female is the most common victim gender" in page


def test_citation_credits_the_original_data_and_this_release_separately(tmp_path):
    release = _release(tmp_path, dataset="ctdc_vp")
    cite = citation.citation_for(release)
    assert cite.startswith(
        "Original data: Counter-Trafficking Data Collaborative (CTDC), International Organization for Migration "
        "(IOM) (2022). Global Victim-Perpetrator Synthetic Dataset, v1. https://www.ctdatacollaborative.org/"
    )
    created = release.metadata.created_at[:10]
    assert (
        f"This release: Hand-made test records: differentially private release {release.release_id} ({created}), "
        "derived with differential privacy (ε = 4) from the Global Victim-Perpetrator Synthetic Dataset" in cite
    )
    assert f"(CTDC). {created[:4]}" not in cite  # the DP re-release's year is not credited to CTDC


def test_the_citation_shows_its_two_parts_on_lines_of_their_own(tmp_path):
    """Issue 10 leftover: About and the footer showed original data and this release run together on one line;
    exports' ``# citation:`` header stays one line."""
    build_release(tmp_path, dataset="ctdc_vp")
    client = create_app(Settings(data_dir=tmp_path, cache_type="SimpleCache")).server.test_client()
    with client.application.test_request_context("/"):
        parts = citation.citation_parts(load_release(current_release(tmp_path)))
    assert [p.split(":")[0] for p in parts] == ["Original data", "This release"]
    layout = client.get("/_dash-layout").get_json()
    footer = [c["props"]["children"] for c in components(layout) if c["props"].get("className") == "footer-cite"]
    assert footer == parts  # one element each (CSS: display block)
    about = client.post("/_dash-update-component", json=page_content_payload("/about", "")).get_json()["response"]
    code = next(c for c in components(about) if c["props"].get("id") == ids.ABOUT_CITATION)
    assert code["props"]["children"] == "\n".join(parts)
    csv = client.get("/export/records.csv").get_data(as_text=True)
    (header,) = [line for line in csv.splitlines() if line.startswith("# citation:")]
    assert header == "# citation: " + " ".join(parts)


def test_the_citation_is_in_the_reader_language(tmp_path):
    release = _release(tmp_path, dataset="ctdc_vp")
    with i18n.use("pt"):
        original, this = citation.citation_parts(release)
    assert original.startswith("Dados originais: Counter-Trafficking Data Collaborative (CTDC)")
    assert this.startswith("Esta publicação: Conjunto de dados sintético global vítima-autor do CTDC: publicação com ")
    assert f"privacidade diferencial {release.release_id} (" in this
    assert "(ε = 4) de Global Victim-Perpetrator Synthetic Dataset" in this and "Acesso em " in this


def test_citation_without_an_original_names_this_release(release):
    cite = citation.citation_for(release)
    assert "derived with differential privacy (ε = 4) from its private input records (not published)" in cite
    assert cite.startswith(f"This release: Hand-made test records: differentially private release {release.release_id}")
    assert "Original data" not in cite


def test_share_intervals_cover_the_true_share_95_percent_of_the_time():
    # Seeded: 4,000 noisy releases of true counts 500/300/200 with Gaussian noise sd 20. The delta-method
    # 95 % interval around the noisy share must cover the true share 0.5 in 93-97 % of them (binomial sd 0.34 %).
    rng = np.random.default_rng(7)
    true = np.array([500.0, 300.0, 200.0])
    noisy = true + rng.normal(0, 20, size=(4000, 3))
    covered = 0
    for counts in noisy:
        shares, halves, _ = findings.shares_of_known(counts, np.full(3, 20.0))
        covered += abs(shares[0] - 0.5) <= halves[0]
    assert 0.93 <= covered / 4000 <= 0.97


def test_not_recorded_is_unbiased_away_from_zero():
    # Seeded: n' = 1,000 + Laplace(1/0.5), counts 600/300 + N(0, 10²): the gap of 100 is recovered on average
    # within 1 (its sd ≈ √(8 + 200) ≈ 14.4, so the mean of 4,000 draws has sd ≈ 0.23).
    rng = np.random.default_rng(11)
    gaps = [
        findings.not_recorded(
            np.array([600.0, 300.0]) + rng.normal(0, 10, 2), np.full(2, 10.0), 1000 + rng.laplace(0, 2), 2 * 2**0.5
        )[0]
        for _ in range(4000)
    ]
    assert abs(np.mean(gaps) - 100) < 1
