"""Importing offline work: three modes, conflicts listed, and nothing changed by a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.models import Change, State, Suggestion, Translation, Unit
from translator.services import DeskError, importing
from translator.services import extract as extraction
from translator.services.policy import OPERATOR

APPEAL = """---
slug: appeal
kind: appeal
title: "Free Them Now"
---

Free all political prisoners.

End torture.

End executions.
"""
HEADER = (
    'msgid ""\nmsgstr ""\n"Language: fa\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)
FILE = HEADER + (
    'msgid "Free all political prisoners."\nmsgstr "همه زندانیان سیاسی را آزاد کنید."\n\n'
    'msgid "End torture."\nmsgstr "شکنجه را متوقف کنید."\n\n'
    '#, fuzzy\nmsgid "End executions."\nmsgstr "اعدام‌ها را متوقف کنید."\n\n'
    'msgid "A paragraph the desk never had."\nmsgstr "بندی ناشناخته."\n'
)


@pytest.fixture
def store(empty_root: Path, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    (empty_root / "source_texts" / "appeal.md").write_text(APPEAL)
    with db.transaction(sessions) as session:
        extraction.extract(session, empty_root)
        torture = session.scalars(
            select(Translation)
            .join(Unit)
            .where(Unit.source == "End torture.", Translation.language == "fa")
        ).one()
        torture.text, torture.state = "به شکنجه پایان دهید.", State.APPROVED
    return sessions


def run_import(
    sessions: sessionmaker[Session],
    data: str | bytes,
    mode: str = "untranslated-only",
    language: str = "fa",
) -> importing.ImportReport:
    raw = data.encode() if isinstance(data, str) else data
    with db.transaction(sessions) as session:
        return importing.import_file(
            session, raw, "fa.po", "appeal", language, mode=mode, who=OPERATOR
        )


def translations(sessions: sessionmaker[Session]) -> dict[str, tuple[str, int]]:
    with db.transaction(sessions) as session:
        rows = session.execute(
            select(Unit.source, Translation.text, Translation.state)
            .join(Translation)
            .where(Translation.language == "fa")
        )
        return {source: (text, state) for source, text, state in rows}


def test_default_mode_fills_untranslated_units_and_lists_conflicts(store) -> None:
    report = run_import(store, FILE)
    assert (report.filled, report.overwritten, len(report.conflicts)) == (2, 0, 1)
    conflict = report.conflicts[0]
    assert (conflict.source, conflict.line) == ("End torture.", 10)
    assert (
        conflict.current == "به شکنجه پایان دهید." and conflict.incoming == "شکنجه را متوقف کنید."
    )
    assert [u.source for u in report.unknown] == ["A paragraph the desk never had."]
    now = translations(store)
    assert now["Free all political prisoners."] == (
        "همه زندانیان سیاسی را آزاد کنید.",
        State.TRANSLATED,
    )
    assert now["End executions."] == ("اعدام‌ها را متوقف کنید.", State.NEEDS_EDITING)
    assert now["End torture."] == ("به شکنجه پایان دهید.", State.APPROVED)


def test_suggest_mode_changes_no_translation_and_adds_suggestions(store) -> None:
    before = translations(store)
    report = run_import(store, FILE, mode="suggest")
    assert report.suggested == 3 and translations(store) == before
    with db.transaction(store) as session:
        texts = set(session.scalars(select(Suggestion.text)))
    assert "شکنجه را متوقف کنید." in texts


def test_overwrite_mode_replaces_and_keeps_history(store) -> None:
    report = run_import(store, FILE, mode="overwrite")
    assert (report.filled, report.overwritten) == (2, 1)
    assert translations(store)["End torture."] == ("شکنجه را متوقف کنید.", State.TRANSLATED)
    with db.transaction(store) as session:
        change = session.scalars(
            select(Change)
            .join(Unit)
            .where(Unit.source == "End torture.", Change.action == "import")
        ).one()
    assert change.old_text == "به شکنجه پایان دهید." and change.old_state == State.APPROVED


def test_import_never_approves(store) -> None:
    run_import(store, FILE.replace('msgid "Free all', '#, approved\nmsgid "Free all'))
    assert translations(store)["Free all political prisoners."][1] == State.TRANSLATED


def test_importing_the_same_file_twice_changes_nothing_more(store) -> None:
    run_import(store, FILE)
    report = run_import(store, FILE)
    assert report.filled == 0 and report.unchanged == 2


BAD_FILES = [
    (
        "broken quote",
        FILE.replace('msgstr "شکنجه را متوقف کنید."', 'msgstr "شکنجه را متوقف'),
        "fa.po:11: unterminated string",
    ),
    ("duplicate entry", FILE + '\nmsgid "End torture."\nmsgstr "x"\n', "fa.po:20: duplicate"),
    ("msgid without msgstr", FILE + '\nmsgid "Lonely"\n', "fa.po:20: entry has a msgid but no"),
    (
        "wrong plural count",
        FILE + '\nmsgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\n',
        "fa.po:20: 1 plural forms, but the file's Plural-Forms says nplurals=2",
    ),
    (
        "wrong language",
        FILE.replace("Language: fa", "Language: de"),
        "fa.po:1: the file says Language: de, not fa",
    ),
    (
        "bad encoding",
        FILE.encode().replace("آزاد".encode(), b"\xff\xfe"),
        "fa.po:8: not valid UTF-8",
    ),
]


@pytest.mark.parametrize(
    ("data", "message"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES]
)
def test_malformed_file_is_refused_and_nothing_changes(
    store, data: str | bytes, message: str
) -> None:
    before = translations(store)
    with pytest.raises(DeskError, match=message):
        run_import(store, data, mode="overwrite")
    assert translations(store) == before
    with db.transaction(store) as session:
        assert session.scalar(select(func.count()).select_from(Suggestion)) == 0
        assert session.scalar(select(func.count()).where(Change.action == "import")) == 0


def test_oversized_file_is_refused(store) -> None:
    with db.transaction(store) as session, pytest.raises(DeskError, match="over the limit"):
        importing.import_file(
            session, b"#" * 2000, "fa.po", "appeal", "fa", max_bytes=1000, who=OPERATOR
        )


def test_unknown_document_and_mode_are_refused(store) -> None:
    with pytest.raises(DeskError, match="no document 'nope'"), db.transaction(store) as session:
        importing.import_file(session, FILE.encode(), "fa.po", "nope", "fa", who=OPERATOR)
    with pytest.raises(DeskError, match="unknown import mode"):
        run_import(store, FILE, mode="merge")
