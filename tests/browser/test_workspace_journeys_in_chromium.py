"""A translator's and a reviewer's day in Chromium: the memory and the glossary inserted by click
and by key, checks while typing, a keyboard flow that keeps its place on a Persian layout, unsaved
text not lost, a conflict settled from a word diff, approve-and-next and review in bulk."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.conftest import approve_edition
from translator import db
from translator.models import Document, Role, State, Translation
from translator.services import accounts, documents, editing

SHOTS = (
    Path(os.environ.get("TRANSLATOR_SCREENSHOTS", ""))
    if os.environ.get("TRANSLATOR_SCREENSHOTS")
    else None
)


def rows(live: dict[str, Any], slug: str, code: str = "fa") -> list[tuple[Any, Any]]:
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        document = s.scalars(select(Document).where(Document.slug == slug)).one()
        return editing.rows(s, document.id, code)


def stored(live: dict[str, Any], unit_id: int, code: str = "fa") -> Translation:
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        return s.scalars(
            select(Translation).where(Translation.unit_id == unit_id, Translation.language == code)
        ).one()


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def unit_with_memory(page: Any, live: dict[str, Any], slug: str) -> int:
    """The first unit of a document whose editor offers at least two memory suggestions."""
    for unit, _ in rows(live, slug):
        page.goto(f"{live['url']}/translate/fa/{slug}/{unit.id}")
        if page.locator("button.use-memory").count() >= 2:
            return int(unit.id)
    raise AssertionError(f"no unit of {slug} has two suggestions")


def test_a_memory_suggestion_goes_in_by_click_or_ctrl_digit_never_the_units_own(
    browser, live
) -> None:
    page = sign_in(browser, live, "sahar")
    unit_id = unit_with_memory(page, live, "emergency-appeal")
    own = stored(live, unit_id).text
    buttons = page.locator("button.use-memory")
    offered = [buttons.nth(i).get_attribute("data-unit") for i in range(buttons.count())]
    assert str(unit_id) not in offered
    second = buttons.nth(1).get_attribute("data-replace")
    page.fill("#translation", "")
    page.keyboard.press("Control+Digit2")
    assert page.input_value("#translation") == second
    page.fill("#translation", "")
    buttons.first.click()
    assert page.input_value("#translation") == buttons.first.get_attribute("data-replace")
    assert page.input_value("#translation") != own or own == ""
    assert focused(page) == "translation"
    if SHOTS:
        page.screenshot(path=str(SHOTS / "memory-fa.png"), full_page=True)


def test_a_glossary_term_is_inserted_at_the_cursor(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    page.goto(f"{live['url']}/translate/fa/emergency-appeal?q=Islamic+Republic")
    page.locator("table.units a[href^='/translate/fa/emergency-appeal/']").first.click()
    page.wait_for_selector("button.insert-term")
    page.fill("#translation", "نظام  امروز")
    page.evaluate(
        "(() => { const f = document.getElementById('translation');"
        " f.focus(); f.selectionStart = f.selectionEnd = 5; })()"
    )
    page.locator("button.insert-term[data-insert='جمهوری اسلامی']").click()
    assert page.input_value("#translation") == "نظام جمهوری اسلامی امروز"


def test_checks_show_while_typing_in_the_translations_own_digits(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    page.goto(f"{live['url']}/translate/fa/emergency-appeal?q=15,000")
    page.locator("table.units a[href^='/translate/fa/emergency-appeal/']").first.click()
    page.wait_for_selector("#translation")
    unit_id = int(page.url.rsplit("/", 1)[1])
    before = stored(live, unit_id)
    page.fill("#translation", "")
    page.locator("#translation").press_sequentially("بیش از ۱۴٬۰۰۰ نفر")
    error = page.locator("#checks li.error", has_text="۱۵٬۰۰۰")
    error.wait_for()
    said = error.inner_text().replace("\u2068", "").replace("\u2069", "")  # values isolated
    assert "figure ۱۵٬۰۰۰ of the English is missing" in said
    page.locator("#translation").press_sequentially(" و 1۵")
    page.locator("#checks li.warning", has_text="mixes").wait_for()
    page.locator("#translation").press_sequentially(" (IEC)")
    page.locator("#display bdi", has_text="IEC").wait_for()  # the line under the field
    assert "(<bdi>IEC</bdi>)" in page.inner_html("#display")
    after = stored(live, unit_id)
    assert (after.text, after.version) == (before.text, before.version)  # nothing saved
    if SHOTS:
        page.screenshot(path=str(SHOTS / "live-checks-fa.png"), full_page=True)


def test_shortcuts_work_on_a_persian_layout_and_the_field_keeps_the_focus(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    unit = rows(live, "palm-card")[1][0]
    page.goto(f"{live['url']}/translate/fa/palm-card/{unit.id}")
    assert focused(page) == "translation"  # after loading
    page.fill("#translation", "")
    # Alt+C typed on a Persian layout: the key is "ز", the key's place is still KeyC
    page.evaluate(
        "document.getElementById('translation').dispatchEvent(new KeyboardEvent('keydown',"
        " {key: 'ز', code: 'KeyC', altKey: true, bubbles: true, cancelable: true}))"
    )
    assert page.input_value("#translation") == unit.source
    page.fill("#translation", "همه زندانیان سیاسی را آزاد کنید")
    with page.expect_navigation():  # saved, and the unit shown again
        page.keyboard.press("Control+KeyS")
    assert page.url.endswith(f"/translate/fa/palm-card/{unit.id}")
    assert focused(page) == "translation"  # after saving
    assert stored(live, unit.id).text == "همه زندانیان سیاسی را آزاد کنید"
    page.keyboard.press("Alt+PageDown")
    page.wait_for_url(re.compile(rf"/palm-card/{rows(live, 'palm-card')[2][0].id}$"))
    page.keyboard.press("Alt+PageUp")
    page.wait_for_url(re.compile(rf"/palm-card/{unit.id}$"))


def test_leaving_unsaved_text_asks_first(browser, live) -> None:
    page = sign_in(browser, live, "sahar")
    unit = rows(live, "palm-card")[1][0]
    page.goto(f"{live['url']}/translate/fa/palm-card/{unit.id}")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.locator("#translation").press_sequentially("متنی که هنوز ذخیره نشده")
    with page.expect_event("dialog"):
        page.click("#next-unit")
    assert asked == ["beforeunload"]
    assert page.url.endswith(f"/palm-card/{unit.id}")
    assert page.input_value("#translation").endswith("متنی که هنوز ذخیره نشده")


def test_a_conflict_shows_a_word_diff_and_keep_mine_saves_mine(browser, live) -> None:
    first, second = sign_in(browser, live, "sahar"), sign_in(browser, live, "reza")
    unit = rows(live, "palm-card")[1][0]
    url = f"{live['url']}/translate/fa/palm-card/{unit.id}"
    first.goto(url)
    second.goto(url)
    first.fill("#translation", "همه زندانیان را آزاد کنید")
    with first.expect_navigation():
        first.click("button[name=state][value=translated]")
    second.fill("#translation", "همه زندانیان سیاسی را آزاد کنید")
    second.click("button[name=state][value=translated]")
    second.wait_for_selector(".conflict")
    assert second.locator("#conflict-diff ins").inner_text().strip() == "سیاسی"
    if SHOTS:
        second.screenshot(path=str(SHOTS / "conflict-fa.png"), full_page=True)
    with second.expect_navigation():
        second.click("#keep-mine")
    assert stored(live, unit.id).text == "همه زندانیان سیاسی را آزاد کنید"
    first.goto(url)
    first.fill("#translation", "متن سوم")
    second.goto(url)
    with first.expect_navigation():
        first.click("button[name=state][value=translated]")
    second.fill("#translation", "متن چهارم")
    second.click("button[name=state][value=translated]")
    second.wait_for_selector(".conflict")
    with second.expect_navigation():
        second.click("#take-theirs")
    assert second.input_value("#translation") == "متن سوم" == stored(live, unit.id).text


def test_approve_and_next_goes_to_the_next_unit_not_yet_approved(browser, live) -> None:
    page = sign_in(browser, live, "reza")
    found = [u.id for u, t in rows(live, "palm-card") if t.state == State.TRANSLATED]
    page.goto(f"{live['url']}/translate/fa/palm-card/{found[0]}")
    page.keyboard.press("Control+Shift+Enter")
    page.wait_for_url(re.compile(rf"/palm-card/{found[1]}$"))
    assert stored(live, found[0]).state == State.APPROVED
    assert focused(page) == "translation"


def test_a_reviewer_approves_an_edition_in_bulk_after_confirming(browser, live) -> None:
    page = sign_in(browser, live, "reza")
    clean = [u.id for u, t in rows(live, "palm-card") if t.state == State.TRANSLATED]
    page.goto(f"{live['url']}/translate/fa/palm-card")
    if SHOTS:
        page.screenshot(path=str(SHOTS / "units-fa.png"), full_page=True)
    page.click("#approve-all")
    plan = page.locator("#bulk-plan").inner_text()
    assert f"{len(clean)} clean translated units will be approved" in plan
    if SHOTS:
        page.screenshot(path=str(SHOTS / "bulk-plan-fa.png"), full_page=True)
    page.click("#confirm-approval")
    assert f"{len(clean)} units approved" in page.locator("#bulk-result").inner_text()
    assert all(stored(live, unit_id).state == State.APPROVED for unit_id in clean)


def test_a_french_editor_screenshot_with_memory_and_checks(browser, live) -> None:
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        live["passwords"]["claire"] = accounts.create_user(s, "claire", Role.TRANSLATOR, "fr")
    page = sign_in(browser, live, "claire")
    page.goto(f"{live['url']}/translate/fr/emergency-appeal?q=15,000")
    page.locator("table.units a[href^='/translate/fr/emergency-appeal/']").first.click()
    page.wait_for_selector("#translation")
    assert page.locator("#translation").get_attribute("lang") == "fr"
    page.fill("#translation", "")
    page.locator("#translation").press_sequentially("Plus de 14 000 personnes")
    page.locator("#checks li.error", has_text="15,000").wait_for()
    if SHOTS:
        page.screenshot(path=str(SHOTS / "editor-fr.png"), full_page=True)


def test_first_steps_invitation_joining_and_landing_on_ones_own_work(browser, live) -> None:
    visitor = browser.new_context().new_page()
    visitor.goto(live["url"] + "/")
    assert "invitation" in visitor.locator("#how-to-join").inner_text()
    editor = sign_in(browser, live, "elif")
    assert editor.url.endswith("/dashboard")  # an editor's own work
    editor.goto(live["url"] + "/admin/users")
    links = {}
    for language in ("tr", "pt"):
        form = editor.locator("form[action='/admin/invitations']")
        form.locator("select[name=role]").select_option("translator")
        form.locator(f"input[name=lang-{language}]").check()
        form.locator("button").click()
        links[language] = editor.locator("#invitation").inner_text()  # shown once, when made
    shown = editor.locator("#pending-invitations tbody tr")
    assert shown.count() == 2 and "pt" in shown.first.inner_text()
    if SHOTS:
        editor.screenshot(path=str(SHOTS / "invitations.png"), full_page=True)
    shown.first.locator("button").click()  # the Portuguese one is taken back
    assert editor.locator("#pending-invitations tbody tr").count() == 1
    visitor.goto(links["pt"])
    visitor.fill("#username", "ines")
    visitor.fill("#password", "a long enough password")
    visitor.click("form.login button")
    assert "not valid" in visitor.locator(".error").inner_text()
    visitor.goto(links["tr"])
    visitor.fill("#username", "deniz")
    visitor.fill("#password", "a long enough password")
    visitor.click("form.login button")
    visitor.wait_for_url(re.compile(r"/translate/tr$"))  # signed in, at a translator's own work


def test_a_publication_page_has_the_desks_bar_and_the_way_back(browser, live) -> None:
    from translator.services import publications

    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        editor = accounts.by_username(s, "elif")
        approve_edition(s, editor, "palm-card", "de")
        card = documents.by_slug(s, "palm-card")
        published = publications.publish_edition(
            s, editor, card, "de", Path(live["app"].config["ROOT"])
        )
        publication_id = published.id
    page = sign_in(browser, live, "elif")
    page.goto(f"{live['url']}/publications/{publication_id}")
    assert (
        page.locator("#snapshot")
        .inner_text()
        .startswith("Snapshot 1 of Deutsch, published by elif")
    )
    assert page.locator("html").get_attribute("lang") == "de"
    if SHOTS:
        page.screenshot(path=str(SHOTS / "publication-de.png"), full_page=True)
    page.click("#back-to-edition")
    page.wait_for_url(re.compile(r"/dashboard/documents/palm-card/de$"))
