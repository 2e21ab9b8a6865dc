"""Issue 13: languages. Locale choice, per-locale numbers, the catalogs, every page in every language, permalinks.

The hand-made release (tests/dashboard/release_factory.py) is of the ``sample`` dataset, so the shipped sample
profile (with its ``translations``) labels it; its country codes are PHL, UKR and USA.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import plotly
import pytest
from babel.messages.pofile import read_po

from dashboard import i18n, views
from dashboard.context import profile_of
from dashboard.profile import PROFILES_DIR
from dashboard.urlstate import query_string
from layouts import about, data, explore, ids, overview
from tests.dashboard.payloads import components

ROOT = Path(__file__).resolve().parents[2]
OTHER = ("pt", "es", "fr")


# --- numbers, percents, dates, separators ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "number", "share", "small", "date", "separators"),
    [
        ("en", "20,016", "61 %", "0.4 %", "1 December 2026", ".,"),
        ("pt", "20.016", "61%", "0,4%", "1 de dezembro de 2026", ",."),
        ("es", "20.016", "61\u00a0%", "0,4\u00a0%", "1 de diciembre de 2026", ",."),
        ("fr", "20\u202f016", "61\u00a0%", "0,4\u00a0%", "1 décembre 2026", ",\u202f"),
    ],
)
def test_numbers_percents_dates_per_locale(lang, number, share, small, date, separators):
    """As Babel (CLDR) writes them; English keeps the project's "61 %" house style."""
    from dashboard.findings import percent
    from layouts.common import readable_date

    assert i18n.format_decimal(20016, lang=lang) == number
    assert i18n.format_decimal(20016.4, lang=lang) == number  # whole numbers: rounded
    assert i18n.separators(lang) == separators
    assert i18n.percent_suffix(lang) == share.removeprefix("61")
    assert i18n.format_date(datetime(2026, 12, 1), lang=lang) == date
    with i18n.use(lang):
        assert percent(0.6123) == share and percent(0.004) == small
        assert readable_date("2026-12-01T15:04:45Z") == date


def test_figures_carry_the_locale_separators_and_numbers(app, release):
    with app.server.test_request_context("/?lang=fr"):
        figure = views.trend_figure(release)
    assert figure["layout"]["separators"] == ",\u202f"
    assert "55 (intervalle à 95 % 51–59)" in figure["data"][0]["hovertext"][0]


# --- choosing the language ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("/", {}, "en"),
        ("/", {"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.5"}, "pt"),
        ("/", {"Accept-Language": "de-DE,fr;q=0.7"}, "fr"),
        ("/", {"Accept-Language": "de-DE,de;q=0.9"}, "en"),
        ("/?lang=es", {"Accept-Language": "pt-BR"}, "es"),
        ("/?lang=ES", {}, "es"),
        ("/?lang=xx", {"Accept-Language": "fr"}, "fr"),
        ("/", {"Cookie": "lang=fr", "Accept-Language": "pt"}, "fr"),
        ("/?lang=pt", {"Cookie": "lang=fr"}, "pt"),
        ("/", {"Cookie": "lang=<script>", "Accept-Language": "es"}, "es"),
    ],
)
def test_language_negotiation(app, url, headers, expected):
    """?lang=, then the cookie, then Accept-Language (best match among en/pt/es/fr), else English."""
    with app.server.test_request_context(url, headers=headers):
        assert i18n.current() == expected


def test_lang_parameter_sets_the_cookie_and_html_lang(client):
    response = client.get("/explore?lang=pt")
    assert response.status_code == 200
    assert b'<html lang="pt">' in response.data
    cookie = response.headers.get("Set-Cookie", "")
    assert cookie.startswith("lang=pt;") and "SameSite=Lax" in cookie
    # the cookie now carries the choice to the app's callbacks and later pages
    assert b'<html lang="pt">' in client.get("/about").data


def test_html_lang_follows_accept_language(app):
    fresh = app.server.test_client()
    assert b'<html lang="es">' in fresh.get("/", headers={"Accept-Language": "es-MX"}).data
    assert b'<html lang="en">' in app.server.test_client().get("/").data


# --- permalinks ------------------------------------------------------------------------------------------------


def test_chosen_lang_rides_in_permalinks_and_exports(app):
    with app.server.test_request_context("/_dash-update-component", headers={"Cookie": "lang=fr"}):
        assert query_string(c=["gender"], f=["gender:Male"]) == "?c=gender&f=gender%3AMale&lang=fr"
        assert data.export_href("records", "csv", {"f": []}).endswith("/export/records.csv?lang=fr")
    # only negotiated (Accept-Language): the page still pins the language it shows in its links, so that a tab
    # keeps it when another tab sets the cookie
    with app.server.test_request_context("/", headers={"Accept-Language": "pt"}):
        assert query_string(c=["gender"]) == "?c=gender&lang=pt"
    with app.server.app_context():  # outside a request there is no address to keep it in
        assert query_string(c=["gender"]) == "?c=gender"


def test_lang_round_trips_through_a_permalink(app, client):
    """A link with ?lang=es opens in Spanish (html lang, header, page) and keeps lang=es in the links it makes."""
    page = client.get("/explore?c=gender&f=gender:Male&lang=es")
    assert b'<html lang="es">' in page.data
    with app.server.test_request_context("/explore?c=gender&f=gender:Male&lang=es"):
        tree = _tree(explore.layout(c="gender", f="gender:Male", lang="es"))
        assert explore.data_link((("gender", "Male"),)).endswith("?f=gender%3AMale&lang=es")
    assert "Explorar" in _texts(tree) and "Borrar todo" in _texts(tree)


def test_switcher_lists_every_language_and_marks_the_current(client):
    client.set_cookie("lang", "fr")
    layout = client.get("/_dash-layout").get_json()
    links = [c["props"] for c in components(layout) if c["props"].get("className", "").startswith("lang-link")]
    assert [(link["id"]["lang"], link["children"], link["lang"]) for link in links] == [
        ("en", "EN", "en"),
        ("pt", "PT", "pt"),
        ("es", "ES", "es"),
        ("fr", "FR", "fr"),
    ]
    assert [link.get("aria-current") for link in links] == [None, None, None, "true"]
    assert [link["aria-label"] for link in links] == ["English", "Português", "Español", "Français"]
    assert {link["id"]["type"] for link in links} == {ids.LANG_LINK}


@pytest.mark.parametrize(
    ("url", "code", "english", "french"),
    [
        ("/api/v1/aggregates?columns=bogus", "unknown_column", "unknown column 'bogus'", "colonne inconnue 'bogus'"),
        ("/api/v1/records?limit=0", "bad_integer", "limit must be an integer in 1..1000", None),
        ("/export/records.pdf", "unknown_format", "unknown export format 'pdf'", "format d'export inconnu 'pdf'"),
        ("/api/v2/x", "no_such_endpoint", "no such endpoint: /api/v2/x", "point d’accès inexistant : /api/v2/x"),
    ],
)
def test_api_errors_keep_an_english_error_and_code_and_translate_the_message(client, url, code, english, french):
    answer = client.get(url + ("&" if "?" in url else "?") + "lang=fr").get_json()
    assert answer["error"] == english and answer["code"] == code
    assert answer["message"] == (french or "limit doit être un entier dans 1..1000")
    fresh = client.application.test_client()  # without the lang cookie the French request set
    english_answer = fresh.get(url, headers={"Accept-Language": "en"}).get_json()
    assert english_answer == {"error": english, "code": code, "message": english}


# --- catalogs ----------------------------------------------------------------------------------------------


def _catalog(lang: str):
    with (i18n.LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def test_catalogs_are_complete_and_current():
    """scripts/i18n check (also in scripts/lint): up to date with the code, no fuzzy or untranslated entry."""
    result = subprocess.run(["bash", "scripts/i18n", "check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "catalogs complete: pt, es, fr" in result.stdout


def test_catalog_checker_finds_fuzzy_untranslated_and_lost_placeholders(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import check_catalogs
    finally:
        sys.path.pop(0)
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, fuzzy\nmsgid "Clear all"\nmsgstr "Tout effacer"\n\n'
        'msgid "Columns"\nmsgstr ""\n\n'
        'msgid "Filter by {column}"\nmsgstr "Filtrer par {colonne}"\n\n'
        'msgid "Map"\nmsgstr "Carte"\n\nmsgid "Gone"\nmsgstr "Parti"\n',
        encoding="utf-8",
    )
    (tmp_path / "messages.pot").write_text(
        'msgid "Clear all"\nmsgstr ""\n\nmsgid "Columns"\nmsgstr ""\n\nmsgid "Filter by {column}"\nmsgstr ""\n\n'
        'msgid "Map"\nmsgstr ""\n\nmsgid "New"\nmsgstr ""\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(check_catalogs, "LOCALES", tmp_path)
    found = check_catalogs.problems("xx")
    assert [line.split(": ", 2)[1:] for line in found] == [
        ["'New'", "missing (run scripts/i18n extract)"],
        ["'Gone'", "obsolete"],
        ["'Clear all'", "fuzzy"],
        ["'Columns'", "untranslated"],
        ["'Filter by {column}'", "placeholders ['{column}'] not kept in 'Filtrer par {colonne}'"],
    ]


# --- every page in every language ------------------------------------------------------------------------------


def _tree(component) -> object:
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


#: Props that are not reader-facing text (ids, classes, modes, file names, ...).
_NOT_TEXT = re.compile(r"^[\w.-]+$|^#|^/|^%\{|^rgba?\(|^Inter, ")


def _texts(node) -> set[str]:
    """Every string of a serialised layout (children, labels, titles, figure texts) that could be read."""
    out: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(node)
    return out


def _english_that_must_change(lang: str) -> set[str]:
    """English msgids (and the sample profile's English labels) whose translation differs from them."""
    out = set()
    for message in _catalog(lang):
        ids_ = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids_:
            if english and english not in strings and "{" not in english:
                out.add(english)
    profile = json.loads((PROFILES_DIR / "sample.json").read_text(encoding="utf-8"))
    translated = profile["translations"][lang]
    out |= {label for key, label in profile["labels"].items() if translated["labels"][key] != label}
    out.add(profile["unit"])
    return out


def _page_texts(app, lang: str) -> dict[str, set[str]]:
    pages = {"overview": overview, "explore": explore, "data": data, "about": about}
    out = {}
    with app.server.test_request_context(f"/?lang={lang}"):
        from layouts.shell import shell_layout

        out["shell"] = _texts(_tree(shell_layout()))
        for name, module in pages.items():
            out[name] = _texts(_tree(module.layout()))
    return out


@pytest.mark.parametrize("lang", OTHER)
def test_every_page_renders_with_no_untranslated_string(app, lang):
    """No rendered string is, or contains as a phrase, an English msgid whose translation differs."""
    english = _english_that_must_change(lang)
    phrases = [e for e in english if len(e.split()) >= 3]
    for page, texts in _page_texts(app, lang).items():
        untranslated = sorted(t for t in texts if t in english and not _NOT_TEXT.match(t))
        untranslated += sorted({p for t in texts for p in phrases if p in t})
        assert not untranslated, (page, untranslated)


def test_pages_in_english_still_read_as_before(app):
    texts = _page_texts(app, "en")
    assert {"Overview", "Key findings", "Records over time"} <= texts["overview"]
    assert "Copy link" in texts["shell"] and "Release" not in texts["shell"]


@pytest.mark.parametrize(
    ("lang", "finding"),
    [
        (
            "pt",
            "Feminino é o valor mais frequente de gênero da vítima: cerca de 6 em 10 das 90 vítimas com registro de "
            "gênero da vítima (56%, ±3%).",
        ),
        (
            "fr",
            "Femme est la valeur la plus fréquente du champ «\u00a0genre de la victime\u00a0» : environ 6 sur 10 "
            "parmi les 90 victimes dont le champ «\u00a0genre de la victime\u00a0» est renseigné "
            "(56\u00a0%, ±3\u00a0%).",
        ),
    ],
)
def test_key_finding_translated_with_profile_labels(app, release, lang, finding):
    with app.server.test_request_context(f"/?lang={lang}"):
        assert views.key_findings(release)[0].text == finding


def test_profile_labels_per_language_fall_back_to_english(release):
    from dashboard import profile as profile_module

    with i18n.use("es"):
        es = profile_of(release)
    assert es.label("gender") == "Género de la víctima" and es.value_label("gender", "Female") == "Mujer"
    assert es.unit == "víctimas"
    assert es.value_label("CountryOfExploitation", "UKR") == "Ucrania"  # CLDR, via pycountry's ISO3 -> ISO2
    with i18n.use("en"):
        en = profile_of(release)
    assert en.label("gender") == "Victim gender" and en.value_label("CountryOfExploitation", "UKR") == "Ukraine"
    # a label missing from a translation is the English one, never the code
    raw = json.loads((PROFILES_DIR / "sample.json").read_text(encoding="utf-8"))
    del raw["translations"]["pt"]["labels"]["gender"]
    local = profile_module.localised(raw, "pt")
    assert local["labels"]["gender"] == "Victim gender"


def test_region_names_come_from_cldr():
    from dashboard.profile import _region_name

    assert _region_name("019/009", "pt") == "Américas/Oceania"
    assert _region_name("150", "fr") == "Europe" and _region_name("002", "es") == "África"
    assert _region_name("150", "en") is None and _region_name("999", "fr") is None


def test_cached_views_are_per_language(app, release):
    with app.server.test_request_context("/?lang=en"):
        english = views.headlines(release)
    with app.server.test_request_context("/?lang=pt"):
        portuguese = views.headlines(release)
    assert english[0].title == "People in the protected data"
    assert portuguese[0].title == "Pessoas nos dados protegidos"


def test_file_exports_carry_the_chosen_language(client):
    """The CSV provenance header says the language and gives its note in it; keys and values stay machine-readable."""
    header = [
        line for line in client.get("/export/records.csv?lang=pt").data.decode("utf-8").splitlines() if line[:1] == "#"
    ]
    assert "# language: pt" in header
    assert any(line.startswith("# note: Apenas registros sintéticos e agregados com PD;") for line in header)
    english = client.application.test_client().get("/export/records.csv").data.decode("utf-8")
    assert "# language: en" in english and "# note: Synthetic records and DP aggregates only;" in english
