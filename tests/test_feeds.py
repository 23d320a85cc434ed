"""Notifications, first channel: events recorded where things happen, each person's share of them,
and the personal Atom feed (/feeds/<secret>.atom) in the reader's interface language, naming no
other volunteer, revocable."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import approve_edition, done_second_step, sign_in_fully
from translator import db
from translator.formats import atom
from translator.models import Role, State, User
from translator.services import accounts, documents, editing, events, feeds, publications, review

A = "{http://www.w3.org/2005/Atom}"
NEW_ALERT = """---
slug: alert-new-test
kind: alert
title: "Stop the Execution of the Striking Teachers"
date: 2022-12-01
priority: high
deadline: 2022-12-05
---

The teachers who went on strike have been sentenced to death.

## What you can do

Write to your representatives today.
"""


def people(app: Any) -> dict[str, str]:
    """tara translates Farsi (her desk in Farsi), dieter German; reza reviews Farsi; elif edits.
    Their passwords, by name."""
    made = {}
    with db.transaction(app.extensions["translator.sessions"]) as s:
        for name, role, langs in (
            ("tara", Role.TRANSLATOR, "fa"),
            ("dieter", Role.TRANSLATOR, "de"),
            ("reza", Role.REVIEWER, "fa"),
            ("elif", Role.EDITOR, ""),
        ):
            made[name] = accounts.create_user(s, name, role, langs)
        accounts.by_username(s, "tara").interface_language = "fa"
    return made


def kinds(app: Any, name: str, **given: Any) -> list[tuple[str, str, str | None]]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        user = accounts.by_username(s, name)
        return [(n.kind, n.slug, n.language) for n in events.for_reader(s, user, **given)]


def user(s: Any, name: str) -> User:
    return s.scalars(select(User).where(User.username == name)).one()


def saved_then_sent_back(
    app: Any, slug: str = "palm-card", translator: str = "tara", reviewer: str = "reza"
) -> int:
    """`translator` saves the third Farsi unit of `slug`, `reviewer` sends it back; its id."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        unit, translation = editing.rows(s, documents.by_slug(s, slug).id, "fa")[2]
        saved = editing.save(
            s,
            user(s, translator),
            unit.id,
            "fa",
            translation.text + " ",
            version=translation.version,
            state=State.TRANSLATED,
        )
        review.send_back(
            s,
            done_second_step(user(s, reviewer)),
            unit.id,
            "fa",
            reason="the figure is wrong",
            version=saved.translation.version,
            note="Sent back: the figure is wrong",
        )
        return unit.id


def publish_fa(app: Any, root: Path, slug: str = "palm-card") -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, user(s, "reza"), slug, "fa")
        publications.publish_edition(
            s, done_second_step(user(s, "elif")), documents.by_slug(s, slug), "fa", root
        )


def test_a_new_alert_reaches_every_language_and_a_sent_back_unit_only_its_translator(
    app, run, root
) -> None:
    people(app)
    (root / "source_texts" / "alert-new-test.md").write_text(NEW_ALERT)
    run("extract")
    for name in ("tara", "dieter", "elif"):
        assert ("alert.added", "alert-new-test", None) in kinds(app, name)

    saved_then_sent_back(app)
    assert ("unit.sent_back", "palm-card", "fa") in kinds(app, "tara")
    for name in ("dieter", "reza", "elif"):  # personal: not even fa's reviewer or an editor
        assert "unit.sent_back" not in [kind for kind, _, _ in kinds(app, name)]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        (added,) = [n for n in events.for_reader(s, user(s, "tara")) if n.kind == "alert.added"]
        assert added.data["priority"] == "high" and added.data["deadline"] == "2022-12-05"


def test_publishing_and_a_corrected_english_reach_the_languages_people(app, run, root) -> None:
    people(app)
    publish_fa(app, root)
    assert ("edition.published", "palm-card", "fa") in kinds(app, "tara")
    assert ("edition.published", "palm-card", "fa") in kinds(app, "elif")
    assert "edition.published" not in [kind for kind, _, _ in kinds(app, "dieter")]

    path = root / "source_texts" / "palm-card.md"
    path.write_text(path.read_text().replace("Thousands have been jailed.", "At least 15,000."))
    run("extract")
    assert kinds(app, "tara")[0] == ("correction.due", "palm-card", "fa")
    assert "correction.due" not in [kind for kind, _, _ in kinds(app, "dieter")]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        due = events.for_reader(s, user(s, "tara"))[0]
        assert due.data["changed"] == 1 and due.data["number"] == 1


def test_a_near_deadline_shows_for_languages_not_ready(app) -> None:
    people(app)
    near = dt.datetime(2022, 12, 9, 12)  # alert-baluchistan-kurdistan is due 2022-12-09
    assert ("deadline.near", "alert-baluchistan-kurdistan", "fa") in kinds(app, "tara", now=near)
    assert ("deadline.near", "alert-baluchistan-kurdistan", "de") in kinds(app, "dieter", now=near)
    assert "deadline.near" not in [k for k, _, _ in kinds(app, "tara", now=near.replace(day=7))]


def test_the_feed_is_atom_in_the_readers_language_and_names_nobody_else(
    app, client, run, root
) -> None:
    people(app)
    publish_fa(app, root)
    saved_then_sent_back(app, "press-release")
    printed = run("users", "feed", "tara").output
    path = re.search(r"/feeds/[\w-]+\.atom", printed)
    assert path, printed

    answer = client.get(path.group(0))
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    assert answer.headers["Cache-Control"] == "private, max-age=300"
    assert "Set-Cookie" not in answer.headers
    body = answer.get_data()
    feed = ET.fromstring(body)
    assert feed.tag == f"{A}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa"
    for required in ("id", "title", "updated"):
        assert (feed.findtext(f"{A}{required}") or "").strip()
    assert feed.find(f"{A}link[@rel='self']") is not None
    entries = feed.findall(f"{A}entry")
    assert len(entries) >= 2
    for entry in entries:
        assert (entry.findtext(f"{A}id") or "").startswith("urn:uuid:")
        assert entry.findtext(f"{A}title") and entry.findtext(f"{A}updated")
        assert (entry.find(f"{A}link") is not None) and entry.find(f"{A}content") is not None
        assert entry.find(f"{A}content").get("type") == "text"  # type: ignore[union-attr]
    text = body.decode()
    assert "منتشر شد: نسخهٔ ثابت \u2068" not in text  # a figure is a figure, not isolated text
    assert "منتشر شد: نسخهٔ ثابت ۱." in text  # Persian words and digits
    assert "بازگردانده شد" in text and "فارسی" in text  # the language by its Farsi name
    for other in ("reza", "elif", "dieter"):
        assert other not in text
    assert "/translate/fa/press-release/" in text and "/publications/" in text

    again = client.get(path.group(0), headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304
    same = client.get(path.group(0))
    assert [e.findtext(f"{A}id") for e in ET.fromstring(same.get_data()).findall(f"{A}entry")] == [
        e.findtext(f"{A}id") for e in entries
    ]

    run("users", "feed", "tara", "--revoke")
    revoked = client.get(path.group(0))
    unknown = client.get("/feeds/nothing-here.atom")
    assert revoked.status_code == unknown.status_code == 404
    # the same answer, but for the address asked (the page's language switcher comes back to it)
    said = revoked.get_data(as_text=True).replace(path.group(0), "/feeds/nothing-here.atom")
    assert said == unknown.get_data(as_text=True)


def test_the_account_page_makes_and_renews_the_feed_address(app, client) -> None:
    passwords = people(app)
    sign_in_fully(client, "dieter", passwords["dieter"])
    page = client.get("/account/feed").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token and "feed-address" not in page
    made = client.post("/account/feed", data={"csrf_token": token.group(1), "action": "renew"})
    first = re.search(r"/feeds/[\w-]+\.atom", made.get_data(as_text=True))
    assert made.status_code == 200 and first
    client.post("/logout", data={"csrf_token": token.group(1)})
    assert client.get(first.group(0)).status_code == 200

    sign_in_fully(client, "dieter", passwords["dieter"])
    page = client.get("/account/feed").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token and "feed-address" not in page  # shown once only
    renewed = client.post("/account/feed", data={"csrf_token": token.group(1), "action": "renew"})
    second = re.search(r"/feeds/[\w-]+\.atom", renewed.get_data(as_text=True))
    assert second and second.group(0) != first.group(0)
    assert client.post("/account/feed", data={"action": "renew"}).status_code in (400, 403)
    assert client.get(first.group(0)).status_code == 404
    assert client.get(second.group(0)).status_code == 200
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert feeds.reader(s, second.group(0)[len("/feeds/") : -len(".atom")]) is not None


def test_atom_escapes_every_text_and_keeps_its_bytes() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    meta = atom.FeedMeta("urn:uuid:1", "A <desk> & co", "https://desk.example/feeds/x.atom", when)
    hostile = atom.Entry(
        "urn:uuid:2", "</title><script>&amp;\x01", when, "https://x/?a=1&b=2", "«می‌خواهیم» ]]>"
    )
    body = atom.atom(meta, [hostile])
    assert body == atom.atom(meta, [hostile])
    feed = ET.fromstring(body)
    assert feed.findtext(f"{A}title") == "A <desk> & co"
    assert feed.findtext(f"{A}updated") == "2026-01-02T03:04:05Z"
    entry = feed.find(f"{A}entry")
    assert entry is not None
    assert entry.findtext(f"{A}title") == "</title><script>&amp;"
    assert entry.findtext(f"{A}content") == "«می‌خواهیم» ]]>"
    assert entry.find(f"{A}link").get("href") == "https://x/?a=1&b=2"  # type: ignore[union-attr]
