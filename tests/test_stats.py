"""Status figures: units and words by state, counted in the database."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import approve_edition
from translator import db
from translator.models import Document, Role, State, Translation, Unit, User
from translator.services import accounts, dashboard, stats, tokens
from translator.services import extract as extraction

DOC = """---
slug: alert
kind: alert
title: "Urgent"
---

One two three.

Four five.

Six [seven](https://example.org/long/path/words).

Gone soon.
"""


def test_status_counts_units_and_words_by_state(
    empty_root: Path, sessions: sessionmaker[Session]
) -> None:
    (empty_root / "source_texts" / "alert.md").write_text(DOC)
    with db.transaction(sessions) as session:
        extraction.extract(session, empty_root)
        states = {
            "Urgent": State.APPROVED,
            "One two three.": State.TRANSLATED,
            "Four five.": State.NEEDS_EDITING,
        }
        for source, state in states.items():
            translation = session.scalars(
                select(Translation)
                .join(Unit)
                .where(Unit.source == source, Translation.language == "de")
            ).one()
            translation.text, translation.state = "x", state
    (empty_root / "source_texts" / "alert.md").write_text(DOC.replace("Gone soon.\n", ""))
    with db.transaction(sessions) as session:
        extraction.extract(session, empty_root)
        rows = stats.status(session, language="de")
        everything = stats.status(session)
    assert rows == [
        stats.StatusRow(
            document="alert",
            language="de",
            total=4,
            untranslated=1,
            needs_editing=1,
            translated=1,
            approved=1,
            words_total=1 + 3 + 2 + 2,
            words_translated=1 + 3,
            percent_translated=50.0,
            percent_approved=25.0,
        )
    ]
    assert len(everything) == 6
    assert {row.language for row in everything} == {"fa", "tr", "fr", "es", "de", "pt"}


def test_status_of_shipped_corpus_has_the_appeal_fully_translated(loaded) -> None:
    with db.transaction(loaded) as session:
        rows = stats.status(session, slug="emergency-appeal")
    assert [row.language for row in rows] == ["de", "es", "fa", "fr", "pt", "tr"]
    assert all(row.percent_translated == 100.0 and row.untranslated == 0 for row in rows)
    assert all(row.words_translated == row.words_total > 800 for row in rows)


def test_every_campaign_edition_ships_at_least_98_percent_translated(loaded) -> None:
    """The campaign's own texts, complete in six languages: translated, not approved (approval
    is the reviewers' act)."""
    with db.transaction(loaded) as session:
        rows = [row for row in stats.status(session) if row.document != "desk-interface"]
    documents = {row.document for row in rows}
    assert len(documents) >= 10 and len(rows) == 6 * len(documents)
    short = [(r.document, r.language) for r in rows if r.percent_translated < 98]
    assert short == []
    assert all(row.approved == 0 for row in rows)


def test_cli_api_and_dashboard_agree_on_every_edition(app, run, root: Path) -> None:  # type: ignore[no-untyped-def]
    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s:
        accounts.create_user(s, "reza", Role.REVIEWER, "de")
        reviewer = s.scalars(select(User).where(User.username == "reza")).one()
        approve_edition(s, reviewer, "palm-card", "de")  # publishable
        faq = s.scalars(select(Document).where(Document.slug == "faq")).one()
        s.execute(update(Unit).where(Unit.document_id == faq.id).values(obsolete=True))  # empty
        accounts.create_user(s, "bot", Role.TRANSLATOR, "de")
        token = tokens.create(s, "bot", ["read"])

    from_cli = json.loads(run("status", "--json").output)
    response = app.test_client().get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json == from_cli
    with db.transaction(factory) as s:
        cells = {
            (row.slug, code): row.cells.get(code, dashboard.Cell())
            for row in dashboard.matrix(s, root)
            for code in ("fa", "tr", "fr", "es", "de", "pt")
        }
    for row in from_cli:
        cell = cells[(row["document"], row["language"])]
        assert cell.publishable == row["publishable"], row
        assert cell.percent_approved == row["percent_approved"], row
        assert cell.percent_translated == row["percent_translated"], row

    by_edition = {(row["document"], row["language"]): row for row in from_cli}
    assert by_edition[("palm-card", "de")]["publishable"] is True
    assert by_edition[("palm-card", "de")]["blockers"] == []
    blocked = by_edition[("emergency-appeal", "fa")]
    assert blocked["publishable"] is False and blocked["blockers"][0]["state"] == "translated"
    empty = by_edition[("faq", "de")]
    assert empty["total"] == 0 and empty["percent_approved"] == 0.0
    assert empty["publishable"] is False
    assert [b["state"] for b in empty["blockers"]] == ["empty"]
