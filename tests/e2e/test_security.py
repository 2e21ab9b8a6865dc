"""Issue 11 in a real browser: the Content Security Policy blocks nothing the app needs (Dash's inline
scripts, Plotly, AG Grid, Mantine), and one page view stays on its release while a new one is published."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.config import Settings
from dashboard.context import EXTENSION
from layouts import ids
from tests.dashboard.release_factory import RECORDS, build_release

pytestmark = pytest.mark.e2e

#: Collects the page's CSP violations (an init script runs before any page script, outside the CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""
PAGES = [("/", ".js-plotly-plot"), ("/explore", ".js-plotly-plot"), ("/data", ".ag-row"), ("/about", "#about-citation")]


@pytest.mark.parametrize("width", [390, 1366])
@pytest.mark.parametrize("path,marker", PAGES)
def test_pages_work_under_the_content_security_policy(page, live_url, guard, path, marker, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(live_url + path)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    expect(page.locator(marker).first).to_be_visible(timeout=15000)
    page.wait_for_timeout(2000)
    assert page.evaluate("window.__cspViolations") == []
    guard.assert_clean()  # CSP refusals are console errors too


@pytest.fixture
def swapping_server(tmp_path):
    """A live app on its own data folder that sees a newly published release at once."""
    build_release(tmp_path, dataset="first")
    app = create_app(Settings(data_dir=tmp_path))
    app.server.extensions[EXTENSION]["store"].recheck_seconds = 0
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path
    server.shutdown()


def test_a_page_view_keeps_its_release_until_reloaded(page, swapping_server, guard):
    url, data_dir = swapping_server
    page.goto(url + "/data")
    count = page.locator(f"#{ids.DATA_COUNT}")
    expect(count).to_contain_text(f"{len(RECORDS):,} synthetic records match", timeout=15000)
    expect(page.locator("#release-version")).to_contain_text("first-")
    build_release(data_dir, dataset="second", records=RECORDS[:3])
    page.locator(".ag-header-cell-text", has_text="Gender").first.click()  # a new block request: same release
    page.wait_for_timeout(1500)
    expect(count).to_contain_text(f"{len(RECORDS):,} synthetic records match")
    page.locator(".nav-desktop a", has_text="About").click()  # in-app navigation: same page view
    notice = page.locator(f"#{ids.RELOAD_NOTICE}")
    expect(notice).to_contain_text("Release second-", timeout=15000)
    expect(page.locator("#release-version")).to_contain_text("first-")
    notice.locator("a").click()  # reload: the new release everywhere
    expect(page.locator("#release-version")).to_contain_text("second-", timeout=15000)
    expect(page.locator("#about-citation")).to_be_visible()
    assert page.locator(f"#{ids.RELOAD_NOTICE}").count() == 0
    guard.assert_clean()
