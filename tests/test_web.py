"""The first page: documents and their status per language, served with no other origin."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import fetched


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action") and value:
                self.references.append(value)


def test_index_lists_every_document_with_status_per_language(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The Lives of Iran&#39;s Political Prisoners Hang in the Balance" in page
    assert page.count('data-language="fa"') == 10
    assert '<span lang="fa" dir="rtl">فارسی</span>' in page
    appeal_row = page.split("emergency-appeal", 1)[1].split("</tr>", 1)[0]
    assert len(re.findall(r">100%<", appeal_row)) == 6


def test_every_response_forbids_other_origins(client) -> None:
    for path in ("/", "/static/desk.css", "/missing"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "http" not in policy


def test_page_references_nothing_from_another_origin(client) -> None:
    collector = _Collector()
    collector.feed(client.get("/").get_data(as_text=True))
    assert collector.references
    # "/..." on this origin, or "#..." in the page itself (the skip link)
    references = collector.references
    assert all(ref.startswith(("/", "#")) and not ref.startswith("//") for ref in references)


def test_glossary_page_lists_approved_forms_per_language(client) -> None:
    page = client.get("/glossary").get_data(as_text=True)
    assert "Toomaj Salehi" in page and "توماج صالحی" in page
    assert '<td lang="fa" dir="rtl"><strong>توماج صالحی</strong>' in page


def test_glossary_page_shows_the_terms_of_one_english_text(client) -> None:
    page = client.get(
        "/glossary", query_string={"unit": "Toomaj Salehi is on hunger strike in Isfahan prison."}
    ).get_data(as_text=True)
    assert "Toomaj Salehi" in page and "Mahsa" not in page
    empty = client.get("/glossary", query_string={"unit": "Nothing here."}).get_data(as_text=True)
    assert "No glossary term in this text." in empty


def sign_in_editor(client):  # type: ignore[no-untyped-def]
    """Previews and drafts are for people with a role in the language (tests/test_security.py)."""
    from translator import db
    from translator.models import Role
    from translator.services import accounts

    with db.transaction(client.application.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "elif", Role.EDITOR)
    client.post("/login", data={"username": "elif", "password": password})
    return client


@pytest.mark.unfinished
def test_preview_shows_the_document_in_its_language_with_unfinished_units_marked(client) -> None:
    sign_in_editor(client)
    page = client.get("/documents/press-release/fa/preview").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl"' in page and 'class="untranslated"' in page
    assert "<style>" not in page  # the app's Content-Security-Policy allows no inline style
    css = client.get("/editions/assets/edition.css")
    assert css.status_code == 200 and b"@font-face" in css.data
    font = client.get("/editions/assets/fonts/NotoNaskhArabic-Regular.ttf")
    assert font.status_code == 200 and len(font.data) > 10_000
    assert client.get("/editions/assets/../../etc/passwd").status_code == 404


def test_edition_downloads_drafts_and_refuses_unpublishable_ones(client) -> None:
    refused = client.get("/documents/palm-card/de/edition.pdf")
    assert refused.status_code == 409 and b"Not publishable yet" in refused.data
    sign_in_editor(client)
    draft = fetched(client, client.get("/documents/palm-card/de/edition.pdf?draft=1"))
    assert draft.status_code == 200 and draft.data.startswith(b"%PDF")
    assert 'filename="palm-card-de-draft.pdf"' in draft.headers["Content-Disposition"]
    english = fetched(client, client.get("/documents/palm-card/en/edition.html"))
    assert english.status_code == 200 and b'<html lang="en"' in english.data
    assert client.get("/documents/nope/de/preview").status_code == 404
    assert client.get("/documents/palm-card/xx/preview").status_code == 404


def test_every_response_says_how_long_the_app_took(client) -> None:
    responses = [
        client.get("/"),
        client.get("/static/desk.css"),
        client.get("/missing"),
        client.get("/api/v1/documents"),  # 401: no token
        client.post("/logout", data={}),  # 400: no CSRF token
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 401, 400]
    for response in responses:
        assert re.fullmatch(r"app;dur=\d+\.\d\d", response.headers["Server-Timing"])
