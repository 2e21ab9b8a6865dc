"""A pseudo-localised build (issue 13): every gettext string 40 % longer and accented, as a long translation
would be, fits at a phone (390 px) and a laptop (1366 px) width: no horizontal overflow, no overlap in the
header or between chart titles and their buttons, no console errors.

The pseudo-translation stands in for French in an app of its own (its own server, cache and release), so the
real French catalog and the session's app are untouched."""

from __future__ import annotations

import gettext
import re

import pytest

from dashboard import i18n
from tests.dashboard.release_factory import build_release
from tests.e2e.conftest import _serve
from tests.e2e.test_responsive import PAGES, VIEWPORTS, _load, assert_page_fits

pytestmark = pytest.mark.e2e

ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "áéîõüÅÉÎÕÜçñýÇÑÝ")
#: Placeholders, HTML tags and plotly templates are kept as they are.
KEEP = re.compile(r"(\{[a-z_]*\}|<[^>]+>|%\{[^}]*\})")


def pseudo(text: str) -> str:
    """``"Clear all"`` -> ``"[Çléár áll ~~~]"``: accented, 40 % longer (in words that can wrap), bracketed."""
    parts = KEEP.split(text)
    accented = "".join(p if KEEP.fullmatch(p) else p.translate(ACCENTS) for p in parts)
    pad = max(1, round(0.4 * len(text)))
    return "[" + accented + " " + " ".join(["~~~~"] * (pad // 5) + ["~" * (pad % 5 or 1)]) + "]"


class Pseudo(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return pseudo(singular if n == 1 else plural)


def test_pseudo_translation_is_longer_accented_and_keeps_placeholders():
    text = pseudo("Filter by {column}<br>%{x:,} records")
    assert text == "[Fîltér bý {column}<br>%{x:,} réçõrds ~~~~ ~~~~ ~~~~]"
    assert len(text) >= 1.4 * len("Filter by {column}<br>%{x:,} records")


@pytest.fixture(scope="module")
def pseudo_url(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("pseudo-data")
    build_release(data_dir)
    real = i18n.translations
    i18n.translations = lambda lang: Pseudo() if lang == "fr" else real(lang)
    try:
        yield from _serve(data_dir)
    finally:
        i18n.translations = real


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_pseudo_localised_pages_fit(page, pseudo_url, guard, path, viewport):
    _load(page, pseudo_url, path + ("&" if "?" in path else "?") + "lang=fr", viewport)
    assert page.locator("main h1").first.inner_text().startswith("[")  # the pseudo-translation is in use
    assert_page_fits(page, path)
    guard.assert_clean()
