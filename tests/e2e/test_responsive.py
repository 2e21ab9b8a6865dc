"""Responsive layout (issue 10, item 1): every page at a phone (390 x 844) and a laptop (1366 x 768) width has
no horizontal overflow, the header title does not overlap the page heading, chart titles do not overlap the
PNG/SVG buttons, and every nav link is reachable (directly, or after opening the burger menu)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PAGES = ["/", "/explore", "/data", "/about", "/data?tab=aggregates"]
VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}


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


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_page_fits_the_viewport(page, live_url, guard, path, viewport):
    _load(page, live_url, path, viewport)
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

    for chart in page.locator("figure.chart").all():
        plot = chart.locator(".js-plotly-plot").bounding_box()
        if not plot or plot["height"] < 50:  # in a closed accordion or an inactive tab
            continue
        tools = chart.locator(".chart-tools").bounding_box()
        chart_title = chart.locator(".gtitle")
        if chart_title.count():
            assert not _overlap(tools, chart_title.first.bounding_box()), chart.get_attribute("title")


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
