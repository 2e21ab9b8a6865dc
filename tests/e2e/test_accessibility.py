"""Accessibility: axe-core (bundled with axe-playwright-python, runs offline) finds no serious or critical
WCAG 2 A/AA violation on any page, in any of the four languages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.e2e

PAGES = ["/", "/explore", "/data", "/data?tab=aggregates", "/about"]
BLOCKING = {"serious", "critical"}


@pytest.mark.parametrize("lang", ["en", "pt", "es", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(page, live_url, path, lang):
    page.goto(live_url + path + ("&" if "?" in path else "?") + f"lang={lang}")
    page.wait_for_selector("main")
    page.wait_for_load_state("networkidle")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    blocking = [
        (v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"] if v["impact"] in BLOCKING
    ]
    assert blocking == [], results.generate_report()
