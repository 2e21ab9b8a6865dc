"""Responsive layout (issue 10, item 1): every page at a phone (390 x 844) and a laptop (1366 x 768) width has
no horizontal overflow, the header title does not overlap the page heading, chart titles do not overlap the
PNG/SVG buttons, and every nav link is reachable (directly, or after opening the burger menu).

Charts, on the sample release and on a release of the CTDC file (skipped without ``../shared/data``): titles
fit the chart's width and clear its legend, heatmap cell labels do not overlap, and hovering a chart shows no
plotly toolbar over its PNG/SVG buttons.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PAGES = ["/", "/explore", "/data", "/about", "/data?tab=aggregates"]
CHART_PAGES = ["/", "/explore", "/about"]
VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}
#: A chart's title: its HTML caption, or a title drawn by plotly inside the figure (should one come back).
TITLE = "figcaption.chart-title, .gtitle"
#: The extent of an element's text (not of its box: a box can hold text that overflows it).
TEXT_BOX = """el => { const r = document.createRange(); r.selectNodeContents(el);
    const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, width: b.width, height: b.height}; }"""


@pytest.fixture(params=["sample", "ctdc"])
def app_url(request) -> str:
    """The app over the sample release (``synth demo``), then over a release of the CTDC file."""
    return request.getfixturevalue(f"{request.param}_url")


def _overlap(a: dict | None, b: dict | None) -> bool:
    if not a or not b or a["width"] == 0 or b["width"] == 0:
        return False
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    width = page.evaluate("window.innerWidth")
    return bool(box) and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= width


def _load(page, live_url, path, viewport):
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_url + path)
    expect(page.locator("main h1, main h2").first).to_be_visible(timeout=15000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)


def _charts(page) -> list:
    """The page's drawn charts (not those in a closed accordion or an inactive tab)."""
    drawn = []
    for chart in page.locator("figure.chart").all():
        plot = chart.locator(".js-plotly-plot").bounding_box()
        if plot and plot["height"] >= 50:
            drawn.append(chart)
    return drawn


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_the_viewport(page, app_url, guard, path, viewport):
    _load(page, app_url, path, viewport)
    assert_page_fits(page, path)
    guard.assert_clean()


def assert_page_fits(page, path: str) -> None:
    """No horizontal overflow; header items inside the header and clear of the page heading; chart titles
    clear of their PNG/SVG buttons."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{path} is {scroll_width} px wide at {inner_width} px"

    heading = page.locator("main h1, main h2").first.bounding_box()
    header = page.locator("header").first.bounding_box()
    for selector in ("#dataset-title", "#release-version", "header a.nav-link", "#copy-link", "#lang-switch"):
        for item in page.locator(selector).all():
            if not item.is_visible():
                continue
            box = item.bounding_box()
            assert not _overlap(box, heading), (selector, box, heading)
            # inside the header: not cut off above it, not spilling over the page below it
            assert box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"], selector

    for chart in _charts(page):
        tools = chart.locator(".chart-tools").bounding_box()
        chart_title = chart.locator(TITLE)
        if chart_title.count():
            assert not _overlap(tools, chart_title.first.evaluate(TEXT_BOX)), chart.get_attribute("title")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", CHART_PAGES)
def test_chart_titles_fit_and_clear_the_legends(page, app_url, guard, path, viewport):
    """A long (CTDC) title wraps inside the chart's width instead of running off it; no legend covers it; axis
    tick labels are not cut off at the chart's sides."""
    _load(page, app_url, path, viewport)
    charts = _charts(page)
    assert charts
    for chart in charts:
        name = chart.get_attribute("title")
        frame = chart.bounding_box()
        title = chart.locator(TITLE)
        assert title.count() == 1, name
        text = title.first.evaluate(TEXT_BOX)
        assert text["width"] > 0, name
        assert frame["x"] - 1 <= text["x"] and text["x"] + text["width"] <= frame["x"] + frame["width"] + 1, (
            name,
            text,
            frame,
        )
        for legend in chart.locator(".legend").all():
            assert not _overlap(legend.bounding_box(), text), (name, legend.bounding_box(), text)
        for tick in chart.locator(".xtick text, .ytick text").all():  # axis labels are not cut at the sides
            box = tick.bounding_box()
            inside = box and frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
            assert not box or box["width"] == 0 or inside, (name, tick.text_content(), box, frame)
    guard.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_heatmap_cell_labels_do_not_overlap(page, app_url, guard, viewport):
    _load(page, app_url, "/", viewport)
    chart = page.locator("#fig-overview-relation")
    area = chart.locator(".nsewdrag").first.bounding_box()  # the plot area (the cells)
    labels = []
    for text in chart.locator("g.heatmap-label text, g.annotation text").all():
        box = text.bounding_box()
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        inside = (
            area["x"] <= centre[0] <= area["x"] + area["width"] and area["y"] <= centre[1] <= area["y"] + area["height"]
        )
        if inside and box["width"] > 0:
            labels.append((text.text_content(), box))
    assert len(labels) >= 6, labels  # the sample's relation table has 3 x 4 cells, CTDC's 3 x 2
    for i, (a, box_a) in enumerate(labels):
        for b, box_b in labels[i + 1 :]:
            assert not _overlap(box_a, box_b), (a, box_a, b, box_b)
    guard.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", CHART_PAGES)
def test_no_toolbar_covers_the_download_buttons(page, app_url, guard, path, viewport):
    """Hovering a chart (which shows plotly's toolbar, when it has one) leaves its PNG/SVG buttons clickable."""
    _load(page, app_url, path, viewport)
    for chart in _charts(page):
        chart.locator(".js-plotly-plot").hover()
        page.wait_for_timeout(300)
        buttons = chart.locator(".chart-tools").bounding_box()
        for toolbar in chart.locator(".modebar").all():
            if toolbar.is_visible():
                assert not _overlap(toolbar.bounding_box(), buttons), (chart.get_attribute("title"), buttons)
    guard.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_every_nav_link_is_reachable(page, live_url, guard, path, viewport):
    _load(page, live_url, path, viewport)
    links = page.locator("nav[aria-label='Main'] a.nav-link")
    hrefs = {link.get_attribute("href") for link in links.all()}
    assert len(hrefs) >= 4

    def reachable() -> set:
        return {link.get_attribute("href") for link in links.all() if link.is_visible() and _in_viewport(page, link)}

    if reachable() != hrefs:
        burger = page.locator("#nav-burger")
        expect(burger).to_be_visible()
        burger.click()
        page.wait_for_timeout(500)
    assert reachable() == hrefs
    guard.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", CHART_PAGES)
def test_axis_labels_are_all_drawn_apart_and_inside_the_chart(page, app_url, guard, path, viewport):
    """No tick label is hidden (plotly hid CTDC's tilted last period, "2021-2022") or overlaps its neighbour
    ("2019" and "2020" did), and axis titles are not cut at the chart's sides (a share chart's axis title ran
    past a phone-wide chart)."""
    _load(page, app_url, path, viewport)
    for chart in _charts(page):
        name = chart.get_attribute("title")
        frame = chart.bounding_box()
        for axis in ("x", "y"):
            labels = chart.locator(f".{axis}tick text").all()
            ticks = [(t.text_content(), t.bounding_box()) for t in labels]
            assert all(box and box["width"] > 0 for _, box in ticks), (name, ticks)
            # the box of a tilted label is not its text's extent: only upright or vertical labels are compared
            tilted = any(re.search(r"rotate\((?!-?90[,)])", t.get_attribute("transform") or "") for t in labels)
            for (a, box_a), (b, box_b) in zip(ticks, ticks[1:], strict=False):
                assert tilted or not _overlap(box_a, box_b), (name, a, box_a, b, box_b)
        for title in chart.locator(".xtitle, .ytitle").all():
            box = title.bounding_box()
            assert frame["x"] - 1 <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1, (
                name,
                title.text_content(),
                box,
                frame,
            )
    guard.assert_clean()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_greyed_explore_counts_are_dark(page, app_url, guard, viewport):
    """Once a value is selected, the other (faded) bars' counts are dark, not white on pale blue (item 5)."""
    _load(page, app_url, "/explore", viewport)
    published = "figure.chart >> nth=0 >> .trace.bars >> nth=1"
    page.locator("figure.chart").first.locator(".js-plotly-plot").scroll_into_view_if_needed()
    widest = max((p.bounding_box() for p in page.locator(published).locator(".point").all()), key=lambda b: b["width"])
    page.mouse.click(widest["x"] + widest["width"] / 2, widest["y"] + widest["height"] / 2)  # select its value
    page.wait_for_timeout(1500)
    bars = page.locator(published).evaluate(
        """trace => [...trace.querySelectorAll('.point')].map(p => {
            const t = p.querySelector('.bartext');
            return [parseFloat(getComputedStyle(p.querySelector('path')).opacity), t && t.textContent,
                    t && getComputedStyle(t).fill]; })"""
    )
    faded = [(text, fill) for opacity, text, fill in bars if opacity < 1 and text]
    assert faded, bars
    assert all(fill == "rgb(51, 51, 51)" for _, fill in faded), bars
    guard.assert_clean()
