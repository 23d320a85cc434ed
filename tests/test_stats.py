"""Status figures: units and words by state, counted in the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.models import State, Translation, Unit
from translator.services import stats, sync

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
        sync.extract(session, empty_root)
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
        sync.extract(session, empty_root)
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
