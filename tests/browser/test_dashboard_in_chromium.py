"""The editors' dashboard in Chromium: the matrix, a blocked edition and its blockers, fixing the
last one, publishing, and the snapshot unchanged by a later edit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.browser.conftest import sign_in
from tests.conftest import approve_edition
from translator import db
from translator.models import Document, User
from translator.services import accounts, documents, editing

SHOTS = (
    Path(os.environ.get("TRANSLATOR_SCREENSHOTS", ""))
    if os.environ.get("TRANSLATOR_SCREENSHOTS")
    else None
)


def approve_all_but_one(live: dict[str, Any], slug: str, code: str) -> int:
    """Approve every unit of the edition except its second; return that one's id."""
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        approve_edition(s, accounts.by_username(s, "elif"), slug, code, leave=1)
        return editing.rows(s, documents.by_slug(s, slug).id, code)[1][0].id


def test_dashboard_matrix_shows_every_document_and_language(browser, live) -> None:
    page = sign_in(browser, live, "elif")
    page.goto(live["url"] + "/dashboard")
    assert page.locator("table.dashboard tbody tr").count() == 10
    assert page.locator("table.dashboard td.cell").count() == 60
    assert page.locator("tbody tr").first.get_attribute("class") == "urgent"
    page.select_option("#kind", "alert")
    page.click("form.filter button")
    page.wait_for_url("**/dashboard?*kind=alert*")
    assert page.locator("table.dashboard tbody tr").count() == 5
    if SHOTS:
        page.goto(live["url"] + "/dashboard")
        page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)


def test_fixing_the_last_blocker_then_publishing_a_snapshot_that_stays(browser, live) -> None:
    left = approve_all_but_one(live, "emergency-appeal", "de")
    page = sign_in(browser, live, "elif")
    page.goto(live["url"] + "/dashboard/documents/emergency-appeal/de")
    assert page.locator("h2.blocked-title").inner_text() == "Blocked: 1 blocker"
    blocker = page.locator("ol.blockers li")
    assert blocker.get_attribute("data-unit") == str(left)
    assert "not approved" in blocker.inner_text() and "translated" in blocker.inner_text()
    if SHOTS:
        page.screenshot(path=str(SHOTS / "edition-blocked.png"), full_page=True)
    blocker.locator("a").click()  # to the editor, on that unit
    page.wait_for_selector("#translation")
    page.click("button[value='approved']")
    page.wait_for_load_state()
    page.goto(live["url"] + "/dashboard/documents/emergency-appeal/de")
    assert page.locator("h2.publishable-title").inner_text() == "Publishable"
    page.click("button.publish")
    page.wait_for_selector("p.created")
    assert "Published: snapshot 1." in page.locator("p.created").inner_text()
    if SHOTS:
        page.screenshot(path=str(SHOTS / "edition-published.png"), full_page=True)
    page.click("ol.publications a >> nth=0")
    page.wait_for_load_state()
    snapshot_url = page.url
    before = page.locator("body").inner_text()
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        editor = s.scalars(select(User).where(User.username == "elif")).one()
        document = s.scalars(select(Document).where(Document.slug == "emergency-appeal")).one()
        unit, translation = editing.rows(s, document.id, "de")[1]
        editing.save(s, editor, unit.id, "de", "Später geändert.", version=translation.version)
    page.goto(snapshot_url)
    after = page.locator("body").inner_text()
    assert after == before and "Später geändert." not in after
    page.goto(live["url"] + "/dashboard/documents/emergency-appeal/de")
    assert page.locator("h2.blocked-title").is_visible()  # the later edit blocks again
    page.goto(live["url"] + "/dashboard/languages/de")
    assert page.locator("figure.chart svg g.day rect").count() >= 1  # today's edits, drawn
    assert "elif" in page.locator("ol.feed").inner_text()
    if SHOTS:
        page.screenshot(path=str(SHOTS / "dashboard-language.png"), full_page=True)
