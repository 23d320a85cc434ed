"""A page that needs nothing else (formats/standalone.py): an HTML edition with its stylesheet
inline and only the fonts its text needs, cut down to its characters, as data: URIs; the shared
stylesheet and subset fonts of a folder of pages; and a standalone page linked again."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

import pytest

from translator import languages
from translator.formats import editions, standalone
from translator.services import builds

FARSI = (
    "همهٔ زندانیان سیاسی را **همین حالا** آزاد کنید. ما *می‌خواهیم* که کارزار IEC "
    "صدای آن‌ها باشد.\n\n> «ژینا» گفت: چه کسی پاسخ می‌دهد؟\n\n1. یک\n2. دو\n"
)
FRENCH = "Libérez *tous* les prisonniers politiques d’Iran, **maintenant** : c’est urgent.\n"
DATA_FONT = re.compile(r'url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\) format\("woff2"\)')


def page(code: str, body: str, title: str = "Title") -> str:
    edition = editions.Edition(
        slug="palm-card", kind="alert", language=languages.get(code), title=title, body=body
    )
    return editions.render_html(edition)


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return builds.copy_assets(tmp_path_factory.mktemp("work"))


@pytest.fixture(scope="module")
def farsi(assets: Path) -> tuple[str, str]:
    original = page("fa", FARSI, "همین حالا اقدام کنید")
    return original, standalone.standalone(original, assets)


@pytest.fixture(scope="module")
def french(assets: Path) -> tuple[str, str]:
    original = page("fr", FRENCH, "Libérez-les")
    return original, standalone.standalone(original, assets)


def faces_of(made: str) -> list[str]:
    return re.findall(r"@font-face\s*\{[^}]*\}", made)


def fonts_of(made: str) -> dict[str, object]:
    """Each embedded font by its family, weight and style, read back by fontTools."""
    from fontTools.ttLib import TTFont

    found = {}
    for face in faces_of(made):
        data = DATA_FONT.search(face)
        assert data, face
        family = re.search(r'font-family: "([^"]+)"', face)
        weight = re.search(r"font-weight: (\d+)", face)
        name = f"{family.group(1) if family else ''} {weight.group(1) if weight else ''}"
        italic = " italic" if "italic" in face else ""
        found[name + italic] = TTFont(io.BytesIO(base64.b64decode(data.group(1))))
    return found


def test_a_farsi_edition_alone_links_nothing_and_embeds_only_upright_fonts(farsi) -> None:
    _, made = farsi
    assert '<link rel="stylesheet"' not in made and made.count("<style") == 1
    assert "url(" not in DATA_FONT.sub("", made)  # every font is a data: URI, nothing else
    names = set(fonts_of(made))
    # Persian in Noto Naskh Arabic, "IEC" in Noto Serif, the meta line in Noto Sans; Persian
    # has no italic, and edition.css keeps emphasis and quotes upright in it
    assert {"Desk Naskh 400", "Desk Naskh 700", "Desk Serif 400"} <= names
    assert not any("italic" in name for name in names), names
    assert len(made) < 150_000


def test_a_french_edition_gets_italics_for_its_emphasis_and_no_arabic_font(french) -> None:
    _, made = french
    names = set(fonts_of(made))
    assert "Desk Serif 400 italic" in names and "Desk Serif 400" in names
    assert not any("Naskh" in name for name in names), names


def test_each_embedded_font_holds_the_characters_the_page_shows(farsi) -> None:
    _, made = farsi
    fonts = fonts_of(made)
    naskh = fonts["Desk Naskh 400"].getBestCmap()  # type: ignore[attr-defined]
    for letter in "همهٔزندانیسیاژچپکگ":  # Persian letters, ک and ی among them
        assert ord(letter) in naskh, letter
    assert ord("\u200c") in naskh  # the half-space of می‌خواهیم
    assert {ord(c) for c in "۱۲"} <= set(naskh)  # the list counts in Persian digits
    serif = fonts["Desk Serif 400"].getBestCmap()  # type: ignore[attr-defined]
    assert {ord(c) for c in "IEC"} <= set(serif) and ord("Z") not in serif


def test_its_own_policy_lets_in_only_that_style_and_data_fonts(farsi) -> None:
    _, made = farsi
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', made)
    assert policy
    directives = dict(part.strip().split(" ", 1) for part in policy.group(1).split(";"))
    style = re.search(r'<style data-stylesheet="edition.css">(.*?)</style>', made, re.S)
    assert style
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert directives["style-src"] == f"'sha256-{digest}'"
    assert directives["font-src"] == "data:" and directives["default-src"] == "'none'"


def test_a_standalone_page_linked_again_is_the_page_it_was_made_from(farsi, french) -> None:
    for original, made in (farsi, french):
        assert standalone.linked(made, "../assets/edition.css") == original
        assert standalone.linked(original, "../assets/edition.css") == original


def test_the_same_font_and_text_give_the_same_bytes(assets: Path) -> None:
    subset = standalone._subset.__wrapped__  # not the process's kept copy
    font = str(assets / "fonts" / "NotoNaskhArabic-Regular.ttf")
    assert subset(font, "همین حالا") == subset(font, "همین حالا")


def test_a_folder_of_pages_shares_one_stylesheet_and_the_fonts_they_need(
    farsi, french, assets: Path
) -> None:
    files = standalone.shared([farsi[0], french[0]], assets)
    css = files["edition.css"].decode()
    sources = re.findall(r'url\("([^"]+)"\) format\("woff2"\)', css)
    assert sources and sorted(sources) == sorted(name for name in files if name != "edition.css")
    assert "fonts/NotoNaskhArabic-Regular.woff2" in files  # for the Farsi page
    assert "fonts/NotoSerif-Italic.woff2" in files  # for the French page's emphasis
    assert ".ttf" not in css and all(len(data) < 40_000 for data in files.values())
