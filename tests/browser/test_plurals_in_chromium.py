"""A plural unit in Chromium: one labelled field per French plural form, saved with Ctrl+Enter and
stored as the forms, in the order of gettext's msgstr[n]."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from tests.browser.conftest import sign_in
from translator import db, plurals
from translator.models import Role, State, Translation, Unit
from translator.services import accounts

SHOTS = (
    Path(os.environ.get("TRANSLATOR_SCREENSHOTS", ""))
    if os.environ.get("TRANSLATOR_SCREENSHOTS")
    else None
)
DAYS = "%(days)d day left to sign"


def test_filling_the_french_plural_forms_stores_them(browser, live) -> None:
    sessions = live["app"].extensions["translator.sessions"]
    with db.transaction(sessions) as s:
        live["passwords"]["claire"] = accounts.create_user(s, "claire", Role.TRANSLATOR, "fr")
        unit_id = s.scalars(select(Unit.id).where(Unit.source == DAYS)).one()
    page = sign_in(browser, live, "claire")
    page.goto(f"{live['url']}/translate/fr/website-strings/{unit_id}")
    assert page.locator("#source").inner_text() == DAYS
    assert page.locator("#source-plural").inner_text() == "%(days)d days left to sign"
    labels = page.locator(".plural-form label").all_inner_texts()
    assert labels == ["one — 0, 1", "many — 1000000, 2000000, 3000000", "other — 2, 3, 4, 5"]
    forms = [
        "Il reste %(days)d jour pour signer",
        "Il reste %(days)d de jours pour signer",
        "Il reste %(days)d jours pour signer",
    ]
    for index, text in enumerate(forms):
        field = page.locator(f"#translation-{index}")
        assert field.get_attribute("lang") == "fr" and field.get_attribute("dir") == "ltr"
        field.fill(text)
    page.locator("#translation-2").focus()
    with page.expect_navigation():  # the save's answer, not just a quiet network
        page.keyboard.press("Control+Enter")
    page.wait_for_load_state("networkidle")
    with db.transaction(sessions) as s:
        saved = s.scalars(
            select(Translation).where(Translation.unit_id == unit_id, Translation.language == "fr")
        ).one()
        assert plurals.forms_of(saved.text, "fr") == forms
        assert saved.state == State.TRANSLATED
    assert page.locator("#translation-1").input_value() == forms[1]
    history = page.locator(".history-text").first.inner_text()
    assert "[many] Il reste %(days)d de jours pour signer" in history
    if SHOTS:
        page.screenshot(path=str(SHOTS / "editor-plural-fr.png"), full_page=True)


def test_farsi_plural_fields_are_right_to_left(browser, live) -> None:
    sessions = live["app"].extensions["translator.sessions"]
    with db.transaction(sessions) as s:
        unit_id = s.scalars(select(Unit.id).where(Unit.source == DAYS)).one()
    page = sign_in(browser, live, "sahar")
    page.goto(f"{live['url']}/translate/fa/website-strings/{unit_id}")
    assert page.locator(".plural-form label").all_inner_texts() == [
        "one — 0, 1",
        "other — 2, 3, 4, 5",
    ]
    assert page.locator("#translation-0").get_attribute("dir") == "rtl"
    if SHOTS:
        page.screenshot(path=str(SHOTS / "editor-plural-fa.png"), full_page=True)
