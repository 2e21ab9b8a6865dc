"""Key findings on the Overview (issue 10): visible at a phone and a laptop width, nothing overflows, each link
scrolls its chart into view below the fixed header; one source line per page, printed inside image exports."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_findings_are_visible_and_link_to_their_charts(page, live_url, guard, viewport):
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_url + "/")
    findings = page.locator("#overview-findings li")
    expect(findings.first).to_be_visible(timeout=15000)
    page.wait_for_load_state("networkidle")
    assert findings.count() == 3
    expect(findings.first).to_contain_text("Female is the most common victim gender")
    box = page.locator("#overview-findings").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    header_bottom = page.locator("header").first.bounding_box()["height"]
    for i in range(findings.count()):
        link = findings.nth(i).locator("a")
        target = link.get_attribute("href")
        assert target.startswith("#chart-")
        link.click()
        chart = page.locator(target)
        page.wait_for_function(
            "([sel, top]) => { const r = document.querySelector(sel).getBoundingClientRect();"
            " return r.top >= top - 1 && r.top < window.innerHeight; }",
            arg=[target, header_bottom],
            timeout=5000,
        )
        expect(chart.locator(".js-plotly-plot")).to_be_visible()
        page.evaluate("window.scrollTo(0, 0)")
    guard.assert_clean()


@pytest.mark.parametrize("path", ["/", "/explore"])
def test_one_source_line_per_page_not_per_chart(page, live_url, guard, path):
    page.goto(live_url + path)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=15000)
    page.wait_for_load_state("networkidle")
    assert page.locator(".js-plotly-plot").count() >= 2
    expect(page.locator("#page-source")).to_contain_text("Source: Hand-made test records")
    assert page.get_by_text("Source: Hand-made test records").count() == 1
    guard.assert_clean()


def test_chart_image_export_prints_the_source(page, live_url, guard):
    page.goto(live_url + "/")
    expect(page.locator("#fig-overview-trend .js-plotly-plot")).to_be_visible(timeout=15000)
    with page.expect_download() as info:
        page.locator("#fig-overview-trend .download-image >> nth=1").click()  # SVG
    svg = open(info.value.path(), encoding="utf-8").read()
    assert "Source: Hand-made test records, DP release sample-" in svg
    assert page.locator(".modebar-btn[data-title*='png' i]").count() == 0  # no camera exporting without it
    guard.assert_clean()
