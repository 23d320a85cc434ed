"""The dashboard kept per process: a document's row is made again only when the versions the
store's triggers raise (migrations 0007 and 0012), the store's newest translation or its English
file moved. So whatever changes a figure, through any door and in any process, shows on the next
view; and rows made inside a transaction that may still roll back are not kept."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import approve_edition, sign_in_fully
from tests.test_dashboard_web import cell_of
from translator import create_app, db
from translator.models import Document, Publication, Role, State, User
from translator.services import accounts, dashboard, editing, questions, review

Cells = dict[tuple[str, str], dashboard.Cell]


@pytest.fixture
def elsewhere(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions of another process on the same store: an engine, and so kept rows, of its own."""
    engine = db.make_engine(database_url)
    yield db.session_factory(engine)
    engine.dispose()


def viewed(sessions: sessionmaker[Session], root: Path | None = None) -> Cells:
    """The dashboard's cells as a view sees them: a session that only reads."""
    with sessions() as s:
        return {
            (row.slug, code): cell
            for row in dashboard.matrix(s, root)
            for code, cell in row.cells.items()
        }


def made_afresh(database_url: str, root: Path | None = None) -> Cells:
    """The cells as a process that has kept nothing makes them."""
    engine = db.make_engine(database_url)
    try:
        return viewed(db.session_factory(engine), root)
    finally:
        engine.dispose()


def person(session: Session, name: str, role: Role, langs: str = "") -> User:
    accounts.create_user(session, name, role, langs)
    return accounts.by_username(session, name)


def document_id(session: Session, slug: str) -> int:
    return session.scalars(select(Document.id).where(Document.slug == slug)).one()


def test_a_save_in_another_process_changes_the_figures_of_the_next_view(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path, database_url: str
) -> None:
    before = viewed(loaded, root)[("palm-card", "de")]
    with db.transaction(elsewhere) as s:
        reviewer = person(s, "reza", Role.REVIEWER, "de")
        unit, translation = editing.rows(s, document_id(s, "palm-card"), "de")[0]
        assert translation.state != State.APPROVED
        editing.save(
            s, reviewer, unit.id, "de", translation.text, version=translation.version,
            state=State.APPROVED,
        )  # fmt: skip
    after = viewed(loaded, root)[("palm-card", "de")]
    assert after.approved == before.approved + 1
    assert after == made_afresh(database_url, root)[("palm-card", "de")]


def test_a_question_asked_and_answered_elsewhere_changes_the_count(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path
) -> None:
    assert viewed(loaded, root)[("faq", "fa")].questions == 0
    with db.transaction(elsewhere) as s:
        translator = person(s, "sahar", Role.TRANSLATOR, "fa")
        unit, _ = editing.rows(s, document_id(s, "faq"), "fa")[2]
        asked = review.comment(s, translator, unit.id, "fa", "Which name?", question=True).id
        review.comment(s, translator, unit.id, "fa", "Only a note.")
    assert viewed(loaded, root)[("faq", "fa")].questions == 1
    with db.transaction(elsewhere) as s:
        questions.resolve(s, person(s, "elif", Role.EDITOR), asked)
    assert viewed(loaded, root)[("faq", "fa")].questions == 0


def test_a_check_failing_elsewhere_blocks_on_the_next_view(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(elsewhere) as s:
        reviewer = person(s, "reza", Role.REVIEWER, "de")
        approve_edition(s, reviewer, "emergency-appeal", "de")
    assert viewed(loaded, root)[("emergency-appeal", "de")].publishable
    with db.transaction(elsewhere) as s:
        unit, translation = next(
            (u, t)
            for u, t in editing.rows(s, document_id(s, "emergency-appeal"), "de")
            if "1988" in u.source and "1988" in t.text
        )
        editing.save(
            s, accounts.by_username(s, "reza"), unit.id, "de",
            translation.text.replace("1988", "1998"), version=translation.version,
            state=State.APPROVED,
        )  # fmt: skip
    cell = viewed(loaded, root)[("emergency-appeal", "de")]
    assert cell.errors >= 1 and not cell.publishable


def test_the_english_file_changed_on_disk_shows_on_the_next_view(
    loaded: sessionmaker[Session], root: Path
) -> None:
    assert not viewed(loaded, root)[("palm-card", "fr")].source_changed
    card = root / "source_texts" / "palm-card.md"
    card.write_text(card.read_text() + "\nOne more line on the card.\n")
    assert viewed(loaded, root)[("palm-card", "fr")].source_changed
    assert not viewed(loaded)[("palm-card", "fr")].source_changed  # without a root: not looked at


# Every kind of change a dashboard figure follows, in raw SQL as any path may make it, one
# transaction each, in this order (later ones use what earlier ones made).
RAW_CHANGES = [
    "UPDATE translations SET state = 30 WHERE language = 'de' AND unit_id IN"
    " (SELECT id FROM units WHERE document_id = :palm)",
    'INSERT INTO check_failures (translation_id, "check", severity, message)'
    " SELECT min(id), 'figures', 'error', 'a figure is missing' FROM translations"
    " WHERE language = 'de' AND unit_id IN (SELECT id FROM units WHERE document_id = :palm)",
    "UPDATE check_failures SET severity = 'warning' WHERE message = 'a figure is missing'",
    "UPDATE check_failures SET severity = 'error' WHERE message = 'a figure is missing'",
    "DELETE FROM check_failures WHERE message = 'a figure is missing'",
    "UPDATE translations SET previous_source = 'Older English.' WHERE id = (SELECT min(id) FROM"
    " translations WHERE language = 'de' AND unit_id IN"
    " (SELECT id FROM units WHERE document_id = :palm))",
    "INSERT INTO comments (unit_id, language, text, question, resolved, created_at)"
    " SELECT min(id), 'tr', 'Why?', true, false, '2026-12-01 10:00:00' FROM units"
    " WHERE document_id = :palm",
    "UPDATE comments SET resolved = true WHERE text = 'Why?'",
    "UPDATE comments SET resolved = false WHERE text = 'Why?'",
    "DELETE FROM comments WHERE text = 'Why?'",
    "DELETE FROM translations WHERE id = (SELECT max(id) FROM translations WHERE language = 'pt'"
    " AND unit_id IN (SELECT id FROM units WHERE document_id = :palm))",
    # a translation inserted alone raises no version: the store's newest translation moves
    "INSERT INTO translations (unit_id, language, text, state, version, comments, updated_at)"
    " SELECT u.id, 'pt', 'Texto.', 20, 1, '', '2026-12-01 10:00:00' FROM units u"
    " WHERE u.document_id = :palm AND NOT EXISTS (SELECT 1 FROM translations t"
    " WHERE t.unit_id = u.id AND t.language = 'pt')",
    "UPDATE units SET obsolete = true WHERE id = (SELECT max(id) FROM units"
    " WHERE document_id = :palm)",
    "UPDATE documents SET priority = 'urgent', title = 'The card' WHERE id = :palm",
]


def test_every_kind_of_change_in_raw_sql_shows_on_the_next_kept_view(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path, database_url: str
) -> None:
    with elsewhere() as s:
        palm = document_id(s, "palm-card")
    viewed(loaded, root)
    for statement in RAW_CHANGES:
        with db.transaction(elsewhere) as s:
            assert s.execute(text(statement), {"palm": palm}).rowcount >= 1, statement  # type: ignore[attr-defined]
        assert viewed(loaded, root) == made_afresh(database_url, root), statement


def test_a_publication_changed_in_place_shows_on_the_next_view(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path
) -> None:
    then = dt.datetime(2026, 12, 1, 10, 0)
    with db.transaction(elsewhere) as s:
        s.add(
            Publication(
                document_id=document_id(s, "palm-card"), language="es", number=1,
                source_sha256="", published_at=then, title="", markdown="", units=[],
            )
        )  # fmt: skip
    assert viewed(loaded, root)[("palm-card", "es")].published_at == then
    with db.transaction(elsewhere) as s:
        publication = s.scalars(select(Publication)).one()
        publication.published_at = then + dt.timedelta(hours=2)
    assert viewed(loaded, root)[("palm-card", "es")].published_at == then + dt.timedelta(hours=2)


def test_rows_made_by_a_transaction_that_rolls_back_are_not_kept(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path, database_url: str
) -> None:
    """The rolled-back change raised the version of (palm-card, fa) by one; the one committed
    after it raises (palm-card, de) by one: the same count and sum of versions. A row kept from
    inside the rolled-back transaction would now be taken for current."""
    approved = viewed(loaded, root)[("palm-card", "fa")].approved
    with loaded() as s:
        palm = document_id(s, "palm-card")
        s.execute(
            text(
                "UPDATE translations SET state = 30 WHERE id = (SELECT min(id) FROM translations"
                " WHERE language = 'fa' AND state <> 30"
                " AND unit_id IN (SELECT id FROM units WHERE document_id = :palm))"
            ),
            {"palm": palm},
        )
        assert viewed_in(s, root)[("palm-card", "fa")].approved > approved  # its own writes
        s.rollback()
    with db.transaction(elsewhere) as s:
        s.execute(
            text(
                "UPDATE translations SET text = text || '.' WHERE id = (SELECT min(id)"
                " FROM translations WHERE language = 'de' AND unit_id IN"
                " (SELECT id FROM units WHERE document_id = :palm))"
            ),
            {"palm": palm},
        )
    assert viewed(loaded, root)[("palm-card", "fa")].approved == approved
    assert viewed(loaded, root) == made_afresh(database_url, root)


def viewed_in(session: Session, root: Path | None) -> Cells:
    return {
        (row.slug, code): cell
        for row in dashboard.matrix(session, root)
        for code, cell in row.cells.items()
    }


def test_a_view_with_nothing_changed_reads_only_the_versions(
    loaded: sessionmaker[Session], elsewhere: sessionmaker[Session], root: Path
) -> None:
    engine = loaded.kw["bind"]
    viewed(loaded, root)
    with counting(engine) as statements:
        viewed(loaded, root)
    assert len(statements) == 1 and "public_versions" in statements[0]
    with db.transaction(elsewhere) as s:
        translator = person(s, "sahar", Role.TRANSLATOR, "fa")
        unit, _ = editing.rows(s, document_id(s, "faq"), "fa")[0]
        review.comment(s, translator, unit.id, "fa", "Which name?", question=True)
    with counting(engine) as statements:
        viewed(loaded, root)
    assert len(statements) > 1  # the faq's figures, read again (and only the faq's)
    assert all(":document" not in s and "IN (" in s for s in statements[1:] if "units" in s)


@contextmanager
def counting(engine: Any) -> Iterator[list[str]]:
    """The statements the engine sends meanwhile."""
    sent: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_kept_row_is_the_callers_own_and_whole(
    loaded: sessionmaker[Session], root: Path, database_url: str
) -> None:
    with loaded() as s:
        dashboard.matrix(s, root)  # kept
        first = dashboard.matrix(s, root)  # from the shelf
        first[0].cells.clear()
        first[0].title = "changed by a caller"
        again = dashboard.matrix(s, root)
    assert again[0].cells and again[0].title != "changed by a caller"
    engine = db.make_engine(database_url)
    with db.session_factory(engine)() as s:
        assert dashboard.matrix(s, root) == again  # every field of a row, as made afresh
    engine.dispose()


# the page, through two app processes


@pytest.fixture
def second_app(database_url: str, root: Path, tmp_path: Path) -> Iterator[Any]:
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance-2"),
            "SECRET_KEY": "test",
        }
    )
    yield application
    application.extensions["translator.sessions"].kw["bind"].dispose()


def test_a_save_through_another_app_shows_on_the_next_dashboard_page(
    app: Any, second_app: Any
) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "elif", Role.EDITOR)
        reviewer_password = accounts.create_user(s, "reza", Role.REVIEWER, "de")
    viewer = app.test_client()
    assert sign_in_fully(viewer, "elif", password).status_code == 302
    before = cell_of(viewer.get("/dashboard").get_data(as_text=True), "palm-card", "de")
    kept = len(app.extensions["translator.dashboard_cells"])
    assert viewer.get("/dashboard").get_data(as_text=True).count(before) == 1
    assert len(app.extensions["translator.dashboard_cells"]) == kept  # no row rendered again

    other = second_app.test_client()
    assert sign_in_fully(other, "reza", reviewer_password).status_code == 302
    with second_app.extensions["translator.sessions"]() as s:
        unit, translation = editing.rows(s, document_id(s, "palm-card"), "de")[0]
    editor = other.get(f"/translate/de/palm-card/{unit.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', editor)
    assert token
    saved = other.post(
        f"/translate/de/palm-card/{unit.id}",
        data={
            "csrf_token": token.group(1),
            "text": translation.text + " Jetzt.",
            "version": str(translation.version),
            "state": "needs-editing",
        },
    )
    assert saved.status_code in (200, 302, 303), saved.status_code
    after = cell_of(viewer.get("/dashboard").get_data(as_text=True), "palm-card", "de")
    assert len(app.extensions["translator.dashboard_cells"]) == kept + 1  # its row only
    assert after != before
    assert re.search(r"(\d+) to edit", after) and not re.search(r"(\d+) to edit", before)


def test_kept_cells_are_said_in_each_reader_s_language(app: Any) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "elif", Role.EDITOR)
    client = app.test_client()
    assert sign_in_fully(client, "elif", password).status_code == 302
    english = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    farsi = client.get("/dashboard", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    again = client.get("/dashboard", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "53 to review" in cell_of(english, "emergency-appeal", "de")
    assert "۵۳" in cell_of(farsi, "emergency-appeal", "de")
    assert "53 to review" not in farsi
    assert cell_of(again, "emergency-appeal", "de") == cell_of(english, "emergency-appeal", "de")
