"""Issue 13, remaining parts: query-engine, rate-limit and callback-guard errors, the first ``<title>`` and Excel
sheet names in the reader's language; the English ``error`` and the machine ``code`` stay as they were."""

from __future__ import annotations

import io

import openpyxl
import pytest

from dashboard import i18n
from dashboard import query as q
from dashboard.app import create_app
from dashboard.config import Settings
from tests.dashboard.payloads import components, grid_rows_payload

TOO_LONG = "/export/aggregates.csv?c=gender&c=ageBroad&f=yearRegister:2019"
TOO_LONG_EN = "3 attributes exceed the reporting length 2: such combinations are not published"


@pytest.mark.parametrize(
    ("url", "lang", "message"),
    [
        (TOO_LONG, "pt", "3 atributos excedem o comprimento de publicação 2: tais combinações não são publicadas"),
        ("/export/aggregates.xlsx", "es", "elija al menos una columna o un filtro"),
        ('/export/records.csv?sm=[{"colId":"nope","sort":"asc"}]', "fr", "colonne de tri inconnue : 'nope'"),
        ('/export/records.csv?fm={"gender":"x"}', "pt", "o filtro da coluna 'gender' deve ser um objeto"),
    ],
)
def test_query_and_filter_errors_are_translated_with_an_english_error(client, url, lang, message):
    answer = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == "invalid_query" and body["message"] == message
    english = client.application.test_client().get(url).get_json()  # no cookie, no Accept-Language
    assert body["error"] == english["error"] == english["message"]


def test_query_error_keeps_english_text_and_translates_on_demand():
    message = i18n.N_("{n} attributes exceed the reporting length {r}: such combinations are not published")
    exc = q.QueryError(message, n=3, r=2)
    assert str(exc) == TOO_LONG_EN
    with i18n.use("es"):
        assert exc.translated() == "3 atributos superan la longitud de publicación 2: esas combinaciones no se publican"


@pytest.mark.parametrize(
    ("limit", "lang", "message", "description"),
    [
        ("1 per minute", "fr", "trop de requêtes (au plus 1 en 1 minute) ; attendez et réessayez", "1 per 1 minute"),
        ("1 per 2 hours", "pt", "pedidos demais (no máximo 1 em 2 horas); aguarde e tente de novo", "1 per 2 hour"),
        (
            "1 per day",
            "es",
            "demasiadas solicitudes (como máximo 1 en 1 día); espere y vuelva a intentarlo",
            "1 per 1 day",
        ),
        (
            "1 per 10 seconds",
            "en",
            "too many requests (at most 1 in 10 seconds); wait and try again",
            "1 per 10 second",
        ),
    ],
)
def test_rate_limit_answer_is_wholly_translated(data_dir, limit, lang, message, description):
    """The whole message in the reader's language (it embedded Flask-Limiter's English "1 per 1 minute");
    ``error`` keeps the English text with that description, for scripts."""
    client = create_app(Settings(data_dir=data_dir, rate_limit_api=limit)).server.test_client()
    assert client.get("/api/v1/metadata").status_code == 200
    limited = client.get("/api/v1/metadata", headers={"Accept-Language": lang})
    assert limited.status_code == 429
    body = limited.get_json()
    assert body["code"] == "rate_limited" and body["message"] == message
    assert body["error"] == f"too many requests ({description}); wait a minute and try again"


def test_rate_limit_numbers_are_formatted_per_language():
    from limits import parse

    from dashboard.security import rate_limited_body

    class Exceeded:  # what the 429 handler reads of Flask-Limiter's RateLimitExceeded
        description = "20000 per 1 hour"
        limit = type("Limit", (), {"limit": parse("20000 per hour")})()

    with i18n.use("pt"):
        assert rate_limited_body(Exceeded())["message"].startswith("pedidos demais (no máximo 20.000 em 1 hora)")
    with i18n.use("fr"):
        assert "au plus 20\u202f000 en 1 heure" in rate_limited_body(Exceeded())["message"]


def test_callback_guard_answer_is_translated(client):
    payload = {**grid_rows_payload({"startRow": 0, "endRow": 10}, []), "state": []}
    client.set_cookie("lang", "es")  # the language chosen on the page the callback belongs to
    answer = client.post("/_dash-update-component", json=payload)
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "bad callback request: state must list 2 component values",
        "code": "bad_callback_request",
        "message": "solicitud de callback no válida: state debe listar 2 valores de componentes",
    }


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "Overview"),
        ("/?lang=pt", "Visão geral"),
        ("/explore?lang=fr", "Explorer"),
        ("/data/?lang=es", "Datos"),
        ("/nope?lang=fr", "Vitrine de données respectueuse de la vie privée"),
    ],
)
def test_first_title_is_the_page_title_in_the_language(client, url, title):
    """The ``<title>`` of the served page, before Dash's page-title callback runs in the browser."""
    html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"<title>{title}</title>" in html


@pytest.mark.parametrize(
    ("lang", "sheets"),
    [("en", ["data", "metadata"]), ("pt", ["dados", "metadados"]), ("fr", ["données", "métadonnées"])],
)
def test_excel_sheet_names_follow_the_language(client, lang, sheets):
    answer = client.get(f"/export/records.xlsx?lang={lang}")
    assert answer.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(answer.data)).sheetnames == sheets


@pytest.mark.parametrize(
    ("referrer", "cookie", "expected"),
    [
        ("http://localhost/explore?c=gender&lang=pt", "fr", "pt"),  # this tab is Portuguese, another chose French
        ("http://localhost/explore?lang=xx", "fr", "fr"),  # not a language: the cookie
        ("http://localhost/explore", "fr", "fr"),  # the page did not name one: the cookie
        (None, "es", "es"),  # no Referer sent (privacy settings): the cookie
    ],
)
def test_callbacks_follow_the_language_of_their_page_not_the_shared_cookie(app, referrer, cookie, expected):
    headers = {"Cookie": f"lang={cookie}", **({"Referer": referrer} if referrer else {})}
    with app.server.test_request_context("/_dash-update-component", method="POST", headers=headers):
        assert i18n.current() == expected and i18n.chosen() == expected


def test_a_callback_answers_in_the_language_of_its_tab(client):
    client.set_cookie("lang", "fr")  # the last language chosen, in another tab
    payload = {**grid_rows_payload({"startRow": 0, "endRow": 10}, []), "state": []}
    answer = client.post("/_dash-update-component", json=payload, headers={"Referer": "http://localhost/data?lang=pt"})
    assert answer.get_json()["message"] == "pedido de callback inválido: state deve listar 2 valores de componentes"


def test_nav_links_keep_the_page_language_in_the_address(client):
    """So the address of a tab keeps naming its language after navigating (its callbacks read it), also when
    the language was only negotiated from Accept-Language."""

    def hrefs(layout: dict) -> set[str]:
        return {c["props"]["href"] for c in components(layout) if c["props"].get("className") == "nav-link"}

    assert hrefs(client.get("/_dash-layout", headers={"Accept-Language": "pt"}).get_json()) == {
        "/?lang=pt",
        "/explore?lang=pt",
        "/data?lang=pt",
        "/about?lang=pt",
    }
    chosen = client.get("/_dash-layout", headers={"Referer": "http://localhost/data?lang=es"}).get_json()
    assert hrefs(chosen) == {"/?lang=es", "/explore?lang=es", "/data?lang=es", "/about?lang=es"}
