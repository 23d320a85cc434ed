"""The dashboard through HTTP: the matrix, the gate, publishing, urgency, badges; and the
`translator status` additions for CI pipelines."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import approve_edition, enrol, fetched, sign_in_fully
from translator import db
from translator.models import Document, Role, State
from translator.services import accounts, editing, review


@pytest.fixture
def desk(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "elif": accounts.create_user(s, "elif", Role.EDITOR),
            "reza": accounts.create_user(s, "reza", Role.REVIEWER, "de"),
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
        }
    enrol(app, "elif")  # editors publish with a second factor
    return {"app": app, "passwords": passwords}


def client_for(desk: dict[str, Any], name: str) -> Any:
    client = desk["app"].test_client()
    response = sign_in_fully(client, name, desk["passwords"][name])
    assert response.status_code == 302
    return client


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def approve_german_appeal(desk: dict[str, Any]) -> None:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        approve_edition(s, accounts.by_username(s, "reza"), "emergency-appeal", "de")


def test_dashboard_shows_every_edition_with_urgent_alerts_first(desk) -> None:
    page = client_for(desk, "elif").get("/dashboard").get_data(as_text=True)
    rows = re.findall(r'<tr class="(urgent|)">', page)
    assert rows[0] == "urgent" and rows.index("") > rows.index("urgent")
    assert page.count('<td class="cell') == 10 * 6  # 9 Markdown documents and website-strings
    assert '/translate/de/emergency-appeal?state=unapproved">53 left' in page
    assert "/dashboard/documents/emergency-appeal/de" in page
    assert "left</small>" in page or "overdue by" in page  # time left on urgent alerts


def test_dashboard_sorts_and_filters(desk) -> None:
    client = client_for(desk, "elif")
    alerts = client.get("/dashboard?kind=alert&lang=fa").get_data(as_text=True)
    assert "5 of 10 documents" in alerts
    assert alerts.count('<td class="cell') == 5  # one language column
    by_title = client.get("/dashboard?sort=title").get_data(as_text=True)
    titles = re.findall(
        r'<th scope="row"><a href="/dashboard/documents/[^"]+">([^<]+)</a>', by_title
    )
    assert titles == sorted(titles, key=str.casefold)


def test_blocked_edition_lists_its_blockers_with_links_to_fix_them(desk) -> None:
    client = client_for(desk, "elif")
    page = client.get("/dashboard/documents/emergency-appeal/de").get_data(as_text=True)
    assert "Blocked: 53 blockers" in page
    assert re.search(r"translated</span>\s*<code>emergency-appeal.md:4</code>\s*not approved", page)
    assert re.search(r'href="/translate/de/emergency-appeal/\d+">fix', page)
    assert "Publish this edition" not in page
    refused = client.post(
        "/dashboard/documents/emergency-appeal/de/publish", data={"csrf_token": csrf(page)}
    )
    assert refused.status_code == 409
    assert "not publishable: 53 blockers" in refused.get_data(as_text=True)


def test_editor_publishes_and_the_snapshot_stays_after_later_edits(desk) -> None:
    approve_german_appeal(desk)
    client = client_for(desk, "elif")
    page = client.get("/dashboard/documents/emergency-appeal/de").get_data(as_text=True)
    assert "Publishable" in page and "Publish this edition" in page
    done = client.post(
        "/dashboard/documents/emergency-appeal/de/publish", data={"csrf_token": csrf(page)}
    )
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Published: snapshot 1." in page
    snapshot_url = re.search(r'href="(/publications/\d+)"', page).group(1)
    before = client.get(snapshot_url).get_data(as_text=True)
    assert 'lang="de"' in before
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        reviewer = s.scalars(select(accounts.User).where(accounts.User.username == "reza")).one()
        appeal = s.scalars(select(Document).where(Document.slug == "emergency-appeal")).one()
        unit, translation = editing.rows(s, appeal.id, "de")[2]
        old = translation.text
        editing.save(
            s,
            reviewer,
            unit.id,
            "de",
            "Ganz neu.",
            version=translation.version,
            state=State.APPROVED,
        )
    after = client.get(snapshot_url).get_data(as_text=True)
    assert after == before and "Ganz neu." not in after
    assert old.split()[0] in after
    pdf = fetched(client, client.get(snapshot_url + ".pdf"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_non_editors_cannot_publish_or_mark_urgent_even_by_forging(desk) -> None:
    approve_german_appeal(desk)
    client = client_for(desk, "reza")
    page = client.get("/dashboard/documents/emergency-appeal/de").get_data(as_text=True)
    assert "Publish this edition" not in page
    token = csrf(page)
    assert (
        client.post(
            "/dashboard/documents/emergency-appeal/de/publish", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/dashboard/documents/faq/urgency",
            data={"csrf_token": token, "urgent": "1", "deadline": "2026-12-01"},
        ).status_code
        == 403
    )
    assert client.post("/dashboard/settings", data={"csrf_token": token}).status_code == 403


def test_editor_marks_an_alert_urgent_and_translators_see_it_first(desk) -> None:
    editor = client_for(desk, "elif")
    page = editor.get("/dashboard/documents/faq").get_data(as_text=True)
    response = editor.post(
        "/dashboard/documents/faq/urgency",
        data={"csrf_token": csrf(page), "urgent": "1", "deadline": "2022-11-01"},
    )
    assert response.status_code == 303
    board = editor.get("/dashboard").get_data(as_text=True)
    first_row = re.search(r'<tr class="urgent">\s*<th scope="row"><a href="([^"]+)"', board)
    assert first_row.group(1) == "/dashboard/documents/faq"  # the earliest deadline
    assert "overdue by" in board
    worklist = client_for(desk, "sahar").get("/translate/fa").get_data(as_text=True)
    assert worklist.index("/translate/fa/faq") < worklist.index("/translate/fa/emergency-appeal")
    bad = editor.post(
        "/dashboard/documents/faq/urgency",
        data={"csrf_token": csrf(page), "urgent": "1", "deadline": "soon"},
    )
    assert bad.status_code == 400


def test_language_and_document_pages_draw_activity_and_feed(desk) -> None:
    approve_german_appeal(desk)
    client = client_for(desk, "elif")
    page = client.get("/dashboard/languages/de").get_data(as_text=True)
    assert "<svg" in page and "Activity in German" in page
    assert "<strong>reza</strong> approve" in page
    document = client.get("/dashboard/documents/emergency-appeal").get_data(as_text=True)
    assert "<svg" in document and "Save urgency" in document
    assert client.get("/dashboard/languages/xx").status_code == 404


def test_dashboard_pages_name_people_only_in_the_viewer_s_languages(desk) -> None:
    approve_german_appeal(desk)  # reza, a German reviewer
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        reza = accounts.by_username(s, "reza")
        appeal = s.scalars(select(Document).where(Document.slug == "emergency-appeal")).one()
        unit, _ = editing.rows(s, appeal.id, "de")[0]
        review.comment(s, reza, unit.id, "de", "Welches Datum ist gemeint?", question=True)
    editor = client_for(desk, "elif")
    page = editor.get("/dashboard/documents/emergency-appeal/de").get_data(as_text=True)
    published = editor.post(
        "/dashboard/documents/emergency-appeal/de/publish", data={"csrf_token": csrf(page)}
    )
    snapshot = re.search(
        r'href="(/publications/\d+)"',
        editor.get(published.headers["Location"]).get_data(as_text=True),
    ).group(1)
    pages = [
        "/dashboard",
        "/dashboard/languages/de",
        "/dashboard/documents/emergency-appeal",
        "/dashboard/documents/emergency-appeal/de",
        snapshot,
    ]
    farsi = client_for(desk, "sahar")
    for path in pages:
        seen = farsi.get(path).get_data(as_text=True)
        assert "reza" not in seen and "elif" not in seen, path
        assert "Welches Datum" in seen or path != "/dashboard"  # the question, without who
    german = farsi.get("/dashboard/languages/de").get_data(as_text=True)
    assert "<strong>reviewer</strong> approve" in german
    assert "by editor," in farsi.get("/dashboard/documents/emergency-appeal").get_data(as_text=True)
    assert "published by editor on" in farsi.get(snapshot).get_data(as_text=True)
    for name in ("reza", "elif"):  # the German reviewer, and the editor, see every name
        client = client_for(desk, name)
        board = client.get("/dashboard").get_data(as_text=True)
        assert "reza, <time" in board
        document = client.get("/dashboard/documents/emergency-appeal").get_data(as_text=True)
        assert "<strong>reza</strong> approve" in document and "by elif," in document


def test_badges_are_public_svg(client) -> None:  # type: ignore[no-untyped-def]
    badge = client.get("/badges/de.svg")
    assert badge.status_code == 200 and badge.mimetype == "image/svg+xml"
    assert ET.fromstring(badge.data).get("aria-label") == "Deutsch: 0%"
    one = client.get("/badges/emergency-appeal/fa.svg")
    assert ET.fromstring(one.data).get("aria-label") == "فارسی: 0%"
    assert client.get("/badges/nothing/fa.svg").status_code == 404
    assert "default-src 'self'" in badge.headers["Content-Security-Policy"]


def test_dashboard_needs_signing_in(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/dashboard").status_code == 302


def test_status_fails_under_a_share_for_ci(run) -> None:  # type: ignore[no-untyped-def]
    run("init")
    assert run("status", "--document", "emergency-appeal", "--fail-under", "100").exit_code == 0
    below = run("status", "--document", "faq", "--fail-under", "100", check=False)
    assert below.exit_code == 1 and "below 100% translated: faq" in below.output
    approved = run(
        "status",
        "--document",
        "emergency-appeal",
        "--share",
        "approved",
        "--fail-under",
        "1",
        check=False,
    )
    assert approved.exit_code == 1
    rows = json.loads(run("status", "--json", "--lang", "de", "--document", "faq").output)
    assert rows[0]["publishable"] is False and rows[0]["blockers"]
