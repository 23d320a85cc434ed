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


PRESS = """---
slug: press-release
kind: press-release
title: "Hunger strike enters day 40"
---

The strike began in March.

Forty prisoners refuse food.

Their families ask for visits.
"""
PRESS_FILE = HEADER + (
    'msgid "The strike began in March."\nmsgstr "اعتصاب در اسفند آغاز شد."\n\n'
    'msgid "Forty prisoners refuse food."\nmsgstr "چهل زندانی غذا نمی‌خورند."\n\n'
    'msgid "Their families ask for visits."\nmsgstr "خانواده‌هایشان ملاقات می‌خواهند."\n'
)


@pytest.fixture
def two(store: sessionmaker[Session], empty_root: Path) -> sessionmaker[Session]:
    (empty_root / "source_texts" / "press-release.md").write_text(PRESS)
    with db.transaction(store) as session:
        extraction.extract(session, empty_root)
    return store


def test_another_documents_file_is_refused_naming_the_document_it_matches(two) -> None:
    before = translations(two)
    with pytest.raises(importing.NotThisDocument) as refused:
        run_import(two, PRESS_FILE)
    said = refused.value.said
    assert said.code == "another-document" and refused.value.suggested == "press-release"
    assert said.values == {"file": "fa.po", "document": "appeal", "suggested": "press-release"}
    assert said.english == (
        "Nothing in fa.po matches the document appeal: did you mean press-release?"
    )
    assert translations(two) == before  # nothing imported


def test_a_file_matching_no_document_is_refused_without_a_guess(two) -> None:
    stray = HEADER + 'msgid "Nobody wrote this."\nmsgstr "کسی این را ننوشت."\n'
    with pytest.raises(importing.NotThisDocument) as refused:
        run_import(two, stray)
    assert refused.value.said.code == "no-match" and refused.value.suggested is None
    assert str(refused.value) == "Nothing in fa.po matches the document appeal."


def test_a_file_sharing_one_entry_with_the_document_is_imported_not_refused(two) -> None:
    mixed = PRESS_FILE + '\nmsgid "End executions."\nmsgstr "اعدام‌ها را متوقف کنید."\n'
    report = run_import(two, mixed)
    assert report.filled == 1 and len(report.unknown) == 3


def test_the_report_is_messages_with_counted_plural_forms(store) -> None:
    report = run_import(store, FILE)
    figures = {m.code: m for m in report.figures()}
    assert figures["import-mode"].text == "Imported into untranslated units only."
    assert figures["filled"].values["num"] == 2 and figures["filled"].english == "2 filled"
    conflicts = figures["conflicts"]
    assert (conflicts.text, conflicts.plural) == ("%(num)d conflict", "%(num)d conflicts")
    assert conflicts.english == "1 conflict"  # the English singular, for one
    assert figures["unknown"].english == "1 not in the document"
    codes = [m["code"] for m in report.as_json()["messages"]]  # type: ignore[union-attr]
    assert codes[:3] == ["import-mode", "filled", "overwritten"]


COMMENTED = HEADER + (
    '# Note: "free" as in released, not "without cost".\n# Checked with Sahar.\n'
    'msgid "Free all political prisoners."\nmsgstr "همه زندانیان سیاسی را آزاد کنید."\n\n'
    '# I prefer this wording.\nmsgid "End torture."\nmsgstr "شکنجه را متوقف کنید."\n\n'
    '# Unsure: execution or death penalty?\nmsgid "End executions."\nmsgstr ""\n'
)


def test_translator_comments_come_in_with_the_translation_and_go_out_in_the_catalogue(
    store,
) -> None:
    import subprocess

    from translator.formats import po
    from translator.models import Document
    from translator.services import writing

    report = run_import(store, COMMENTED)
    # the first entry was filled: its two comment lines are kept; the third has no
    # translation in the file, but its comment is kept all the same
    assert report.comments_kept == 2
    # the second differs from an approved translation: not taken, and said so by its line
    assert report.comments_not_kept == [13]
    notes = [m.english for m in report.notes()]
    assert notes == ["line 13: translator comment not kept: the translation was not taken"]
    assert "2 translator comments kept" in report.summary()
    with db.transaction(store) as session:
        document = session.scalars(select(Document).where(Document.slug == "appeal")).one()
        written = po.write(writing.catalogue_for(session, document, "fa"))
    # translator comments first, before the extracted ones (#.), as gettext writes them
    assert (
        '# Note: "free" as in released, not "without cost".\n# Checked with Sahar.\n'
        "#. type: paragraph\n#: appeal.md"
    ) in written
    assert "# Unsure: execution or death penalty?\n#. type: paragraph\n" in written
    assert "I prefer this wording" not in written
    # what GNU writes for the same catalogue, byte for byte (but for the desk's own
    # `approved` flag, which msgcat does not know)
    plain = written.replace("#, approved\n", "")
    gnu = subprocess.run(
        ["msgcat", "-", "-o", "-"], input=plain.encode(), capture_output=True, check=True
    )
    assert gnu.stdout.decode() == plain
    # the same file again: nothing new to keep
    assert run_import(store, COMMENTED).comments_kept == 0


def test_the_report_lists_imported_units_failing_an_error_level_check(store) -> None:
    english = FILE.replace(
        'msgstr "همه زندانیان سیاسی را آزاد کنید."', 'msgstr "Free all political prisoners."'
    )
    report = run_import(store, english)
    assert [(f.line, f.location, f.check) for f in report.failing] == [
        (7, report.failing[0].location, "unchanged")
    ]
    assert report.failing[0].location.startswith("appeal.md:")
    assert report.as_json()["failing"][0]["check"] == "unchanged"  # type: ignore[index]
    figures = {m.code: m.english for m in report.figures()}
    assert figures["failing"] == "1 imported translation fails an error-level check"
