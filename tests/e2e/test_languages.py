"""Languages in the browser (issue 13): pages in Portuguese at a phone (390 px) and a laptop (1366 px) width
fit the viewport, with <html lang>, the switcher inside the header beside the copy-link button, no console
errors; the switcher keeps the current view and its filters when it changes the language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_responsive import VIEWPORTS, _overlap, assert_page_fits

pytestmark = pytest.mark.e2e

HEADINGS = {"/": "Visão geral", "/explore": "Explorar", "/data": "Dados", "/about": "Sobre estes dados"}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", list(HEADINGS))
def test_portuguese_pages_fit_and_read_portuguese(page, live_url, guard, path, viewport):
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_url}{path}?lang=pt")
    expect(page.locator("main h1").first).to_have_text(HEADINGS[path], timeout=15000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(800)
    assert page.evaluate("document.documentElement.lang") == "pt"

    assert_page_fits(page, path)
    inner_width = page.evaluate("window.innerWidth")
    header = page.locator("header").first.bounding_box()
    switcher = page.locator("#lang-switch").bounding_box()
    copy = page.locator("#copy-link").bounding_box()
    assert header and switcher and copy
    for box in (switcher, copy):
        assert box["x"] >= 0 and box["x"] + box["width"] <= inner_width
        assert box["y"] >= header["y"] and box["y"] + box["height"] <= header["y"] + header["height"]
    assert not _overlap(switcher, copy)
    title = page.locator("#dataset-title").bounding_box()
    assert title and not _overlap(title, switcher)
    expect(page.locator("#lang-switch a.active")).to_have_text("PT")
    guard.assert_clean()


def test_switcher_keeps_the_view_and_changes_the_language(page, live_url, guard):
    page.goto(f"{live_url}/explore?c=gender&f=gender:Male")
    expect(page.locator("main h1").first).to_have_text("Explore", timeout=15000)
    page.wait_for_load_state("networkidle")
    french = page.locator("#lang-switch a", has_text="FR")
    expect(french).to_have_attribute("href", re.compile(r"/explore\?c=gender&f=gender%3AMale&lang=fr$"))
    french.click()
    expect(page.locator("main h1").first).to_have_text("Explorer", timeout=15000)
    assert "lang=fr" in page.url and "f=gender" in page.url
    expect(page.locator(".chip").first).to_contain_text("Homme")
    assert page.evaluate("document.documentElement.lang") == "fr"
    expect(page).to_have_title("Explorer")  # the tab's title too
    # the callbacks follow the choice (cookie): changing the columns re-renders the charts in French
    page.wait_for_load_state("networkidle")
    expect(page.locator("#explore-summary")).to_contain_text("Correspondant à toutes les sélections")
    guard.assert_clean()


def test_a_tab_keeps_its_language_when_another_tab_chooses_one(page, live_url, guard):
    """The ``lang`` cookie is shared by the tabs; a tab's callbacks follow the language of its own address."""
    page.goto(f"{live_url}/explore?c=gender&f=gender:Male&lang=pt")
    expect(page.locator("main h1").first).to_have_text("Explorar", timeout=15000)
    page.wait_for_load_state("networkidle")
    other = page.context.new_page()
    other.goto(f"{live_url}/explore?lang=fr")  # sets the cookie to French
    expect(other.locator("main h1").first).to_have_text("Explorer", timeout=15000)
    other.close()
    page.locator("#explore-clear").click()  # a callback of the Portuguese tab, sent with the French cookie
    expect(page.locator("#explore-summary")).to_contain_text("Todos os registros", timeout=15000)
    guard.assert_clean()


def test_a_tab_opened_without_a_language_keeps_the_one_it_shows(page, live_url, guard):
    """Opened as ``/`` (English: no cookie, an English browser), a tab pins ``lang=en`` in its address and its
    links; after another tab chooses Portuguese (the shared cookie), its navigation and its reload stay
    English (they followed the cookie before)."""
    page.goto(f"{live_url}/")
    expect(page.locator("main h1").first).to_have_text("Overview", timeout=15000)
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/?lang=en")
    other = page.context.new_page()
    other.goto(f"{live_url}/about?lang=pt")  # sets the cookie to Portuguese
    expect(other.locator("main h1").first).to_have_text("Sobre estes dados", timeout=15000)
    page.locator(".nav-desktop a.nav-link", has_text="Explore").click()
    expect(page.locator("main h1").first).to_have_text("Explore", timeout=15000)
    expect(page.locator("#explore-summary")).to_contain_text("All records", timeout=15000)
    assert "lang=en" in page.url
    page.reload()
    expect(page.locator("main h1").first).to_have_text("Explore", timeout=15000)
    assert page.evaluate("document.documentElement.lang") == "en"
    # the Portuguese tab, opened with its language, is still Portuguese after navigating
    other.locator(".nav-desktop").get_by_role("link", name="Dados", exact=True).click()
    expect(other.locator("main h1").first).to_have_text("Dados", timeout=15000)
    other.close()
    guard.assert_clean()
