"""Languages: the active locale of a request, gettext over the catalogs, and locale-aware number formatting.

The locale of a request is, in order: a known ``?lang=`` query parameter, a known ``lang`` in the address of
the page the request comes from (``Referer``: the app's callbacks carry no page query, and this keeps each
tab in its own language), the ``lang`` cookie (set when a page is opened with ``?lang=``), the best
``Accept-Language`` match, else English. Catalogs are the ``.po`` files under ``locales/``
(``pybabel extract/update``; see docs/i18n.md); they are compiled to ``.mo`` data in memory on first use,
so there is no build artefact to keep in step with them.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
from contextvars import ContextVar, Token
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from babel import Locale
from babel.dates import format_date as _format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal as _format_compact_decimal
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Response, g, has_request_context, request

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT = "en"
#: The languages of the dashboard, each with its name as written in that language (for the switcher).
LANGUAGES = {"en": "English", "pt": "Português", "es": "Español", "fr": "Français"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: The Babel locale that formats English: British order of day and month ("1 December 2026").
_BABEL_LOCALE = {"en": "en_GB"}
#: The project's English percent style keeps a space before the sign ("61 %"); other languages use CLDR's.
_PERCENT_PATTERN = {"en": "#,##0 %"}


def N_(message: str) -> str:
    """Marks a string for extraction without translating it (module constants, translated where shown)."""
    return message


def known(lang: str | None) -> str | None:
    """``lang`` if it is one of :data:`LANGUAGES` (case-insensitive), else None."""
    code = (lang or "").strip().lower()
    return code if code in LANGUAGES else None


def negotiate() -> str:
    """The locale of the current request (see the module docstring); English outside a request."""
    if not has_request_context():
        return DEFAULT
    cached = g.get("_lang")
    if cached is None:
        cached = chosen() or request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT
        g._lang = cached
    return cached


_override: ContextVar[str | None] = ContextVar("lang_override", default=None)


def chosen() -> str | None:
    """The language the reader chose, kept in permalinks; None if only negotiated.

    In order: ``?lang=`` of the request, ``lang`` in the address of the page the request comes from (its
    ``Referer``: a callback of a tab opened in Portuguese stays Portuguese after another tab chose French), the
    cookie.
    """
    if not has_request_context():
        return None
    return known(request.args.get("lang")) or _page_lang() or known(request.cookies.get(COOKIE))


def _page_lang() -> str | None:
    """A known ``lang`` in the query of the request's ``Referer`` (the page's address, sent by the browser)."""
    page = request.referrer
    return known(parse_qs(urlsplit(page).query).get("lang", [""])[-1]) if page else None


def pinned() -> str | None:
    """The language a page keeps in its address and its links (``?lang=``): the active one, whether chosen or
    negotiated, so that a tab stays in the language it shows when another tab sets the cookie; None outside a
    request (no address to keep it in)."""
    return _override.get() or (negotiate() if has_request_context() else None)


def current() -> str:
    """The active locale: an override set by :func:`use` (tests, exports), else the request's."""
    return _override.get() or negotiate()


class use:
    """``with use("pt"):`` formats and translates in Portuguese inside the block (outside requests too)."""

    def __init__(self, lang: str) -> None:
        self.lang = known(lang) or DEFAULT
        self._token: Token[str | None] | None = None

    def __enter__(self) -> str:
        self._token = _override.set(self.lang)
        return self.lang

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _override.reset(self._token)


def remember_choice(response: Response) -> Response:
    """After a request with a known ``?lang=``: the ``lang`` cookie, so that the callbacks follow it."""
    lang = known(request.args.get("lang"))
    if lang and request.cookies.get(COOKIE) != lang:
        response.set_cookie(COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def html_lang(index_html: str) -> str:
    """The app's HTML page with ``<html lang>`` set to the active language (for screen readers)."""
    return index_html.replace('<html lang="en">', f'<html lang="{current()}">', 1)


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English: the msgids themselves)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def translate(message: str) -> str:
    """:func:`gettext` of a variable: a msgid marked with :func:`N_` where it was written."""
    return gettext(message)


def _babel_locale(lang: str | None = None) -> str:
    lang = lang or current()
    return _BABEL_LOCALE.get(lang, lang)


def format_decimal(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """``20016`` as the language writes it: "20,016", "20.016" or "20 016" (narrow no-break space)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return _format_decimal(value, format=pattern, locale=_babel_locale(lang))


def format_compact(value: float, lang: str | None = None) -> str:
    """A short number for a chart's axis, as the language abbreviates it (CLDR): 5000 is "5K", "5 mil", "5 mil"
    and "5 k" (no-break spaces) in en, pt, es and fr; 2500 is "2.5K", "2,5 mil"; below 1000 the number itself."""
    return _format_compact_decimal(value, fraction_digits=1, locale=_babel_locale(lang))


def format_percent(share: float, decimals: int = 0, lang: str | None = None) -> str:
    """``0.61`` -> "61 %" (English), "61%" (Portuguese), "61 %" (Spanish, French: no-break space)."""
    lang = lang or current()
    pattern = _PERCENT_PATTERN.get(lang) or Locale.parse(_babel_locale(lang)).percent_formats[None].pattern
    if decimals:
        pattern = re.sub(r"0(?=[^0#,.]*%)", "0." + "0" * decimals, pattern, count=1)
    return _format_percent(share, format=pattern, locale=_babel_locale(lang))


def percent_suffix(lang: str | None = None) -> str:
    """What follows the number in a percent ("61 %" -> " %", "61%" -> "%"): a plotly axis ``ticksuffix``."""
    return format_percent(0.0, lang=lang).removeprefix(format_decimal(0, lang=lang))


def format_date(when: datetime, lang: str | None = None) -> str:
    """A date as readers of the language write it: "1 December 2026", "1 de dezembro de 2026"."""
    return _format_date(when, format="long", locale=_babel_locale(lang))


def separators(lang: str | None = None) -> str:
    """Plotly's ``layout.separators``: the locale's decimal symbol, then its group symbol."""
    loc = _babel_locale(lang)
    return get_decimal_symbol(loc) + get_group_symbol(loc)


def territory_name(iso2: str, lang: str | None = None) -> str | None:
    """A country's name in the language, from CLDR (Babel), or None if CLDR does not know the code."""
    return Locale.parse(_babel_locale(lang)).territories.get(iso2.upper())
