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
    assert "emergency-appeal.md" in blocker.inner_text()  # where, and what its English reads
    assert blocker.locator(".english").inner_text()
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


# Each word of the elements found, as rendered: a word cut across two lines has two boxes.
WORDS_CUT = """(selector) => {
  const cut = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) cut.push(match[0]);
      }
    }
  }
  return cut;
}"""


def in_language(page: Any, live: dict[str, Any], code: str) -> None:
    page.context.add_cookies([{"name": "desk_language", "value": code, "url": live["url"]}])


def test_the_unit_list_s_state_column_never_cuts_a_word(browser, live) -> None:
    page = sign_in(browser, live, "elif")
    for code in ("fa", "fr"):
        in_language(page, live, code)
        for width, height in ((1280, 800), (360, 740)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(live["url"] + f"/translate/{code}/emergency-appeal")
            assert page.evaluate(WORDS_CUT, "table.units thead th, table.units td.state") == []
            overflowing = page.evaluate(
                "[...document.querySelectorAll('td.state')]"
                ".filter((td) => td.scrollWidth > td.clientWidth).length"
            )
            assert overflowing == 0, (code, width)


def test_the_farsi_chart_has_room_for_its_legend_persian_digits_and_dates_apart(
    browser, live
) -> None:
    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        approve_edition(s, accounts.by_username(s, "elif"), "emergency-appeal", "fa")
    page = sign_in(browser, live, "elif")
    in_language(page, live, "fa")
    page.goto(live["url"] + "/dashboard/languages/fa")
    chart = page.locator("figure.chart svg")
    axis = chart.locator("text.axis").all_text_contents()
    assert axis and all(not any(c in "0123456789" for c in t) for t in axis), axis
    assert any(c in "۰۱۲۳۴۵۶۷۸۹" for c in "".join(axis))
    boxes = page.evaluate(
        """() => {
          const box = (e) => { const b = e.getBBox(); return [b.x, b.x + b.width]; };
          const legend = document.querySelector('figure.chart svg g.legend');
          return {
            swatches: [...legend.querySelectorAll('rect')].map(box),
            words: [...legend.querySelectorAll('text')].map(box),
            dates: [...document.querySelectorAll('figure.chart svg text.date')].map(box),
          };
        }"""
    )
    shapes = sorted(boxes["swatches"] + boxes["words"])
    assert all(a[1] <= b[0] + 0.5 for a, b in zip(shapes, shapes[1:], strict=False)), shapes
    dates = sorted(boxes["dates"])
    assert len(dates) >= 3
    assert all(a[1] < b[0] for a, b in zip(dates, dates[1:], strict=False)), dates
