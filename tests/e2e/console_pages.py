"""The console in a browser: its test account, a spec of the generated sample, sign-in and dropdown picks.

Shared by the browser tests, ``scripts/console_screenshots.py`` and ``benchmarks/bench_console.py``.
"""

from __future__ import annotations

from playwright.sync_api import expect

USER, PASSWORD = "owner", "correct horse battery"
#: A spec of the generated sample: four columns, one of them multi-value.
SPEC = """[dataset]
name = "cases"
subject_id = "case_id"
use_columns = ["gender", "ageBroad", "citizenship", "meansOfControl"]
[multi_value]
meansOfControl = ";"
"""
#: The same spec in other bytes: uploading a file of unchanged contents again triggers nothing.
SPEC_AGAIN = "# the same spec, loaded again\n" + SPEC


def fill_sign_in(page, url: str) -> None:
    """Open the console (redirected to the sign-in form) and fill in the test account."""
    page.goto(url + "/")
    expect(page).to_have_url(url + "/login?next=/")
    page.fill("#username", USER)
    page.fill("#password", PASSWORD)


def sign_in(page, url: str) -> None:
    fill_sign_in(page, url)
    page.click("#sign-in")
    expect(page.get_by_role("heading", name="Data-owner console")).to_be_visible()


def choose(page, dropdown: str, text: str) -> None:
    """Pick the option showing ``text`` in a Dash dropdown, then close its list."""
    page.click(dropdown)
    page.get_by_role("option").filter(has_text=text).first.click()
    page.keyboard.press("Escape")


def pick(page, dropdown: str, index: int) -> None:
    """Pick the option at ``index`` of a Dash dropdown and check that the dropdown shows a value."""
    page.click(dropdown)
    options = page.get_by_role("listbox").get_by_role("option")
    options.nth(index if index >= 0 else options.count() + index).click()
    page.keyboard.press("Escape")
    expect(page.locator(f"{dropdown}-value")).not_to_be_empty()
