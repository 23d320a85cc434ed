"""What the repository ships: valid catalogues, complete appeals, careful Farsi, CLDR languages."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from translator import languages
from translator.formats import po

REPO = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(REPO.glob("locales/*/LC_MESSAGES/*.po"))
SOURCES = sorted((REPO / "source_texts").glob("*.md"))


def entries(path: Path) -> list[po.Entry]:
    return [e for e in po.read(path.read_bytes(), str(path)).entries if not e.obsolete]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_shipped_catalogue_passes_msgfmt_check(path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_every_document_has_a_catalogue_in_every_language() -> None:
    for source in SOURCES:
        for code in languages.TARGET_LANGUAGES:
            assert (REPO / "locales" / code / "LC_MESSAGES" / f"{source.stem}.po").is_file()


def test_the_documents_the_campaign_needs_are_there() -> None:
    kinds: dict[str, list[str]] = {}
    for source in SOURCES:
        kind = re.search(r"^kind: (\S+)$", source.read_text(), re.M)
        assert kind, source
        kinds.setdefault(kind.group(1), []).append(source.stem)
    assert kinds["appeal"] == ["emergency-appeal"] and kinds["palm-card"] == ["palm-card"]
    assert len(kinds["alert"]) >= 4 and kinds["press-release"] and kinds["faq"]


@pytest.mark.parametrize("code", languages.TARGET_LANGUAGES)
def test_emergency_appeal_is_fully_translated(code: str) -> None:
    found = entries(REPO / "locales" / code / "LC_MESSAGES" / "emergency-appeal.po")
    assert len(found) > 40
    assert all(e.msgstr and not e.fuzzy for e in found)


@pytest.mark.parametrize("code", languages.TARGET_LANGUAGES)
def test_translations_keep_link_targets_and_emphasis(code: str) -> None:
    for path in REPO.glob(f"locales/{code}/LC_MESSAGES/*.po"):
        for entry in entries(path):
            if not entry.msgstr:
                continue
            assert re.findall(r"\]\(([^)]*)\)", entry.msgstr) == re.findall(
                r"\]\(([^)]*)\)", entry.msgid
            ), entry.msgid
            assert entry.msgstr.count("**") == entry.msgid.count("**"), entry.msgid


def test_farsi_uses_persian_letters_zwnj_and_persian_digits() -> None:
    texts = [e.msgstr for path in REPO.glob("locales/fa/LC_MESSAGES/*.po") for e in entries(path)]
    joined = "".join(texts)
    assert "ي" not in joined and "ك" not in joined  # Arabic yeh and kaf
    assert "\u200b" not in joined  # a zero-width space is never a half-space
    assert joined.count("\u200c") > 50
    assert "۱۵٬۰۰۰" in joined and "۱۹۸۸" in joined


def test_languages_come_from_cldr() -> None:
    farsi = languages.get("fa")
    assert farsi.direction == "rtl" and farsi.native_name == "فارسی" and farsi.nplurals == 2
    assert farsi.digits == "۰۱۲۳۴۵۶۷۸۹"
    assert languages.get("fr").nplurals == 3 and languages.get("de").direction == "ltr"
    assert "e" not in re.sub(r"nplurals|plural", "", languages.get("pt").plural_forms)
    with pytest.raises(KeyError):
        languages.get("ar")


def test_plural_forms_are_named_by_cldr_in_gettext_order() -> None:
    farsi = languages.plural_forms("fa")
    assert [(f.index, f.category) for f in farsi] == [(0, "one"), (1, "other")]
    assert farsi[0].examples == (0, 1) and farsi[1].examples[:2] == (2, 3)
    french = languages.plural_forms("fr")
    assert [f.category for f in french] == ["one", "many", "other"]
    assert french[1].examples[0] == 1_000_000
    for code in languages.TARGET_LANGUAGES:  # as many forms as the catalogues' Plural-Forms
        assert len(languages.plural_forms(code)) == languages.get(code).nplurals
