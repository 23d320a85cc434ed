"""The workspace in Chromium: signing in, translating Farsi with a ZWNJ, a conflict between two
browsers, markup shown as text, the review rules, history and revert."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import sign_in
from translator import db
from translator.models import State, Translation
from translator.services import catalogue_files
from translator.services import extract as extraction

SHOTS = (
    Path(os.environ.get("TRANSLATOR_SCREENSHOTS", ""))
    if os.environ.get("TRANSLATOR_SCREENSHOTS")
    else None
)


def stored(live: dict[str, Any], unit_id: int, language: str = "fa") -> Translation:
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        return s.scalars(
            select(Translation).where(
                Translation.unit_id == unit_id, Translation.language == language
            )
        ).one()


def open_first(page: Any, live: dict[str, Any], slug: str, state: str, code: str = "fa") -> int:
    page.goto(f"{live['url']}/translate/{code}/{slug}?state={state}")
    link = page.locator(f"table.units a[href^='/translate/{code}/{slug}/']").first
    unit_id = int(link.get_attribute("href").rsplit("/", 1)[1])
    link.click()
    page.wait_for_selector("#translation")
    return unit_id


def test_signing_in_shows_the_translators_language(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    assert "sahar" in page.inner_text("header.site")
    page.click("text=Translate")
    assert page.url.endswith("/translate/fa")
    assert page.locator("h1 span[lang=fa]").inner_text() == "فارسی"


@pytest.mark.unfinished
def test_translating_farsi_with_a_zwnj_saves_it_intact(browser, live, root: Path) -> None:
    page = sign_in(browser, live, "sahar")
    unit_id = open_first(page, live, "press-release", "untranslated")
    area = page.locator("#translation")
    assert area.get_attribute("dir") == "rtl" and area.get_attribute("lang") == "fa"
    area.fill("می")
    page.click("button[data-insert='\u200c']")  # the ZWNJ button, at the cursor
    page.keyboard.type("خواهیم")
    with page.expect_navigation():  # the save's answer, not just a quiet network
        page.keyboard.press("Control+Enter")
    page.wait_for_load_state("networkidle")
    saved = stored(live, unit_id)
    assert saved.text == "می\u200cخواهیم"
    assert saved.state in (State.TRANSLATED, State.NEEDS_EDITING)
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        extraction.extract(s, root)
    assert (
        "می\u200cخواهیم" in catalogue_files.catalogue_path(root, "fa", "press-release").read_text()
    )
    if SHOTS:
        page.goto(f"{live['url']}/translate/fa/press-release/{unit_id}")
        page.screenshot(path=str(SHOTS / "editor-fa.png"), full_page=True)


def test_two_browsers_editing_one_unit_the_second_sees_the_conflict(browser, live) -> None:
    first, second = sign_in(browser, live, "sahar"), sign_in(browser, live, "reza")
    unit_id = open_first(first, live, "palm-card", "translated")
    second.goto(first.url)
    first.fill("#translation", "متن نخست")
    with first.expect_navigation():
        first.click("button[value=translated]")
    second.fill("#translation", "متن دوم")
    second.click("button[value=translated]")
    second.wait_for_selector(".conflict")
    assert second.inner_text("#theirs") == "متن نخست"
    assert second.inner_text("#yours") == "متن دوم"
    assert second.input_value("#translation") == "متن دوم"  # nothing the translator typed is lost
    assert stored(live, unit_id).text == "متن نخست"


@pytest.mark.unfinished
def test_a_script_in_a_translation_is_shown_as_text_and_never_runs(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    unit_id = open_first(page, live, "press-release", "untranslated")
    page.fill("#translation", "<script>alert(1)</script>")
    page.click("button[value=translated]")
    page.wait_for_load_state("networkidle")
    for path in (
        f"/translate/fa/press-release/{unit_id}",
        "/translate/fa/press-release",
        "/documents/press-release/fa/preview",
    ):
        page.goto(live["url"] + path)
        assert "<script>alert(1)</script>" in page.inner_text("body")
    assert dialogs == []


def test_a_translator_cannot_approve_or_touch_another_language(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    open_first(page, live, "palm-card", "translated")
    assert page.locator("button[value=approved]").count() == 0
    assert page.goto(f"{live['url']}/translate/de").status == 403
    reviewer = sign_in(browser, live, "reza")
    open_first(reviewer, live, "palm-card", "translated")
    assert reviewer.locator("button[value=approved]").count() == 1


def test_history_and_revert(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    unit_id = open_first(page, live, "palm-card", "translated")
    original = stored(live, unit_id).text
    page.fill("#translation", "نسخهٔ تازه")
    page.click("button[value=translated]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live['url']}/translate/fa/palm-card/{unit_id}")
    assert page.locator(".history li").count() == 2
    page.locator(".history li").last.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert stored(live, unit_id).text == original
    assert page.locator(".history li").count() == 3


def test_german_editor_screenshot(browser, live) -> None:
    page = sign_in(browser, live, "jonas")
    open_first(page, live, "emergency-appeal", "translated", code="de")
    assert page.locator("#translation").get_attribute("lang") == "de"
    assert page.locator("button[data-insert='„']").count() == 1
    if SHOTS:
        page.screenshot(path=str(SHOTS / "editor-de.png"), full_page=True)
