"""Every page in a real browser: loads clean and offline, cross-filtering, permalinks, downloads."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qs, urlparse

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from layouts import ids

pytestmark = pytest.mark.e2e

SETTLE_MS = 3000


def pattern_id(kind: str, **keys) -> str:
    """CSS selector of a Dash pattern-matching id (Dash serialises it with sorted keys)."""
    return "[id='" + json.dumps({**keys, "type": kind}, sort_keys=True, separators=(",", ":")) + "']"


@pytest.mark.parametrize(
    "path,marker",
    [("/", ".js-plotly-plot"), ("/explore", ".js-plotly-plot"), ("/data", ".ag-row"), ("/about", "#about-citation")],
)
def test_page_loads_clean_and_offline(page, live_url, guard, path, marker):
    page.goto(live_url + path)
    expect(page.locator(marker).first).to_be_visible(timeout=15000)
    page.wait_for_timeout(SETTLE_MS)
    guard.assert_clean()
    expect(page.locator("#release-version")).to_contain_text("sample-")


def test_overview_map_draws_from_local_topojson(page, live_url, guard):
    page.goto(live_url + "/")
    expect(page.locator(".choroplethlocation").first).to_be_attached(timeout=15000)
    assert page.locator(".choroplethlocation").count() == 3
    guard.assert_clean()


def _click_bar(page, chart_selector: str, label: str) -> None:
    """Click the estimate bar of a category (the first trace's bar for ``label``)."""
    chart = page.locator(chart_selector)
    expect(chart.locator(".js-plotly-plot")).to_be_visible(timeout=15000)
    index = chart.evaluate("(el, label) => el.querySelector('.js-plotly-plot').data[0].y.indexOf(label)", label)
    _click_point(page, chart.locator(".trace.bars").first.locator(".point").nth(index))


def _click_point(page, bar) -> None:
    """Hover then click the middle of a plotly bar (plotly needs the hover before the click)."""
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def test_bar_click_filters_other_charts_and_second_click_clears(page, live_url, guard):
    page.goto(live_url + "/explore?c=gender&c=ageBroad")
    age = page.locator(pattern_id("explore-chart", source="ageBroad"))
    expect(age.locator(".js-plotly-plot")).to_be_visible(timeout=15000)
    before = age.locator(".js-plotly-plot").evaluate("el => el.data[0].x")
    _click_bar(page, pattern_id("explore-chart", source="gender"), "Male")
    expect(page.locator("#explore-chips")).to_contain_text("Male", timeout=10000)
    expect(page).to_have_url(re.compile(r"f=gender%3AMale"))
    page.wait_for_timeout(500)
    after = (
        page.locator(pattern_id("explore-chart", source="ageBroad"))
        .locator(".js-plotly-plot")
        .evaluate("el => el.data[0].x")
    )
    assert sorted(before) == [2, 5] and sorted(after) == [1, 2]  # all records vs Male only (estimates)
    _click_bar(page, pattern_id("explore-chart", source="gender"), "Male")
    expect(page.locator("#explore-chips")).to_contain_text("No selection", timeout=10000)
    guard.assert_clean()


def test_dropdown_filter_and_chip_removal(page, live_url, guard):
    page.goto(live_url + "/explore?c=gender&c=ageBroad")
    select = page.locator(pattern_id("explore-filter", source="gender"))
    select.click()
    page.get_by_role("option", name="Female").click()
    expect(page.locator("#explore-chips")).to_contain_text("Female", timeout=10000)
    expect(page.locator("#explore-summary")).to_contain_text("published count 50")
    page.locator(pattern_id("explore-chip", source="gender")).click()
    expect(page.locator("#explore-chips")).to_contain_text("No selection", timeout=10000)
    guard.assert_clean()


def test_permalink_restores_view_and_copy_link(page, live_url, guard):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_url + "/explore?c=gender&c=perpGender&f=ageBroad:09--17")
    expect(page.locator("#explore-chips")).to_contain_text(
        "Victim age: 9-17", timeout=15000
    )  # the readable label of 09--17
    expect(page.locator("#explore-summary")).to_contain_text("published count 20")
    chart = page.locator(pattern_id("explore-chart", source="gender")).locator(".js-plotly-plot")
    expect(chart).to_be_visible()
    assert chart.evaluate("el => el.data[1].text").count("not reported") == 1
    assert page.locator(pattern_id("explore-chart", source="perpGender")).count() == 1
    page.locator("#copy-link").click()
    expect(page.locator("#copy-link-status")).to_have_text("Link copied", timeout=10000)
    copied = page.evaluate("navigator.clipboard.readText()")
    # the page pinned the language it shows (docs/i18n.md), so the copied link keeps it
    query = {"c": ["gender", "perpGender"], "f": ["ageBroad:09--17"], "lang": ["en"]}
    assert parse_qs(urlparse(copied).query) == query
    guard.assert_clean()


def test_overview_geography_permalink(page, live_url, guard):
    page.goto(live_url + "/?geo=CountryOfExploitation")
    expect(page.locator(".choroplethlocation").first).to_be_attached(timeout=15000)
    guard.assert_clean()


class Saved:
    """A finished download saved under its suggested file name."""

    def __init__(self, download, folder) -> None:
        self.name = download.suggested_filename
        self._path = folder / self.name
        download.save_as(self._path)

    def path(self):
        return self._path


def _download(page, selector: str) -> Saved:
    import tempfile
    from pathlib import Path

    with page.expect_download() as info:
        page.locator(selector).click()
    return Saved(info.value, Path(tempfile.mkdtemp()))


def test_record_exports_are_well_formed(page, live_url, guard):
    page.goto(live_url + "/data?f=gender:Female")
    expect(page.locator(".ag-row").first).to_be_visible(timeout=15000)
    expect(page.locator("#data-count")).to_contain_text("5 synthetic records")
    csv = _download(page, pattern_id("data-export", fmt="csv", table="records"))
    text = open(csv.path(), encoding="utf-8").read()
    assert text.startswith("# dataset: sample") and "# citation:" in text
    frame = pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)
    assert len(frame) == 5 and set(frame["gender"]) == {"Female"}
    xlsx = _download(page, pattern_id("data-export", fmt="xlsx", table="records"))
    book = openpyxl.load_workbook(xlsx.path())
    assert book.sheetnames == ["data", "metadata"] and book["data"].max_row == 6
    parquet = _download(page, pattern_id("data-export", fmt="parquet", table="records"))
    table = pq.read_table(parquet.path())
    assert table.num_rows == 5 and json.loads(table.schema.metadata[b"provenance"])["release_id"].startswith("sample-")
    guard.assert_clean()


def test_grid_filter_narrows_records_and_export(page, live_url, guard):
    page.goto(live_url + "/data")
    expect(page.locator("#data-count")).to_contain_text("8 synthetic records", timeout=15000)
    page.locator(".ag-floating-filter input").nth(3).fill("UKR")
    expect(page.locator("#data-count")).to_contain_text("2 synthetic records", timeout=10000)
    csv = _download(page, pattern_id("data-export", fmt="csv", table="records"))
    frame = pd.read_csv(csv.path(), comment="#", dtype=str, keep_default_na=False)
    assert frame["CountryOfExploitation"].tolist() == ["UKR", "UKR"]
    expect(page).to_have_url(re.compile(r"fm=.*UKR"))
    page.goto(page.url)  # the permalink restores the grid filter
    expect(page.locator("#data-count")).to_contain_text("2 synthetic records", timeout=15000)
    guard.assert_clean()


def test_grid_sort_is_in_the_permalink(page, live_url, guard):
    page.goto(live_url + "/data")
    expect(page.locator("#data-count")).to_contain_text("8 synthetic records", timeout=15000)
    grid = page.locator("#data-grid")
    grid.locator(".ag-header-cell-text", has_text="Gender").first.click()  # sort by gender, ascending
    expect(page).to_have_url(re.compile(r"sm=.*gender.*asc"), timeout=10000)
    first_gender = grid.locator('.ag-center-cols-container .ag-row[row-index="0"] [col-id="gender"]')
    expect(first_gender).to_have_text("Female", timeout=10000)
    page.goto(page.url)  # the permalink restores the sort
    expect(grid.locator(".ag-header-cell[col-id='gender'] .ag-sort-ascending-icon")).to_be_visible(timeout=15000)
    expect(first_gender).to_have_text("Female", timeout=10000)
    guard.assert_clean()


def test_aggregate_builder_and_exports(page, live_url, guard):
    page.goto(live_url + "/data?tab=aggregates&c=perpGender&f=gender:Female")
    expect(page.locator("#agg-note")).to_contain_text("2 combinations, 2 published", timeout=15000)
    csv = _download(page, pattern_id("data-export", fmt="csv", table="aggregates"))
    frame = pd.read_csv(csv.path(), comment="#")
    assert frame["count"].tolist() == [21, 14]
    xlsx = _download(page, pattern_id("data-export", fmt="xlsx", table="aggregates"))
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(xlsx.path())["metadata"].iter_rows(values_only=True)}
    assert meta["content"] == "DP aggregates"
    parquet = _download(page, pattern_id("data-export", fmt="parquet", table="aggregates"))
    assert pq.read_table(parquet.path()).column("count").to_pylist() == [21, 14]
    guard.assert_clean()


def test_chart_png_and_svg_download_offline(page, live_url, guard):
    page.goto(live_url + "/")
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=15000)
    button = page.locator("#fig-overview-trend .download-image")
    png = _download(page, "#fig-overview-trend .download-image >> nth=0")
    assert open(png.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    svg = _download(page, "#fig-overview-trend .download-image >> nth=1")
    image = open(svg.path(), encoding="utf-8").read()
    assert image[:200].lstrip().startswith("<svg")
    # on the page the title is an HTML caption; the image gets it drawn in, so it keeps it
    caption = page.locator("#fig-overview-trend .chart-title").inner_text()
    assert caption and all(word in image for word in caption.split()), caption
    assert button.count() == 2
    # a map: local topojson, no CDN
    world = _download(page, f"#{ids.chart_anchor(ids.OVERVIEW_MAP)} .download-image >> nth=1")
    assert "countries" in open(world.path(), encoding="utf-8").read()
    guard.assert_clean()


def test_overview_bar_click_opens_explore_filtered(page, live_url, guard):
    page.goto(live_url + "/")
    chart = page.locator(pattern_id("overview-breakdown", key="gender"))
    expect(chart.locator(".js-plotly-plot")).to_be_visible(timeout=15000)
    _click_point(page, chart.locator(".trace.bars .point").nth(1))  # Male
    expect(page).to_have_url(re.compile(r"/explore\?c=gender.*f=gender%3AMale"), timeout=10000)
    expect(page.locator("#explore-chips")).to_contain_text("Male", timeout=10000)
    guard.assert_clean()
