"""The editors' dashboard: each edition's figures and urgency (its activity chart and feed are
in activity.py, its open questions in questions.py), and who published what, named only where
the viewer works (`activity.shows_names`, as the feed and the questions).

Every figure is an aggregate made by the database: the edition counts (kept by triggers, see
migrations/baseline.py), failing error checks, open questions and publications, grouped by
document and language. Each document's row is then kept per process under the versions the
store's triggers raise (public_versions, dashboard_versions: migrations 0007 and 0012) and its
English file's signature (dashboard_versions.py): a view reads one small query of versions and
makes again only the rows whose versions moved, so a save shows on the next view in every
process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from translator import languages
from translator.checks import Severity
from translator.models import (
    CheckFailure,
    Comment,
    Document,
    EditionCount,
    Publication,
    State,
    Translation,
    Unit,
    User,
)
from translator.services import dashboard_versions, publications, sources, stats
from translator.services.activity import shows_names

if TYPE_CHECKING:
    from translator.services.publications import Published

SORTS = ("urgency", "title", "kind", "date", "progress")
_STATE_KEYS = {int(state): state.name.lower() for state in State}
_Query = TypeVar("_Query", bound=Select)
_COUNTED = (*_STATE_KEYS.values(), "units", "words", "words_translated", "words_approved")


@dataclass(frozen=True)
class Cell:
    """One edition's figures: units and words by state, failing error checks, questions."""

    units: int = 0
    untranslated: int = 0
    needs_editing: int = 0
    translated: int = 0  # translated, not yet approved
    approved: int = 0
    words: int = 0
    words_translated: int = 0  # translated or approved
    words_approved: int = 0
    errors: int = 0
    questions: int = 0
    changed_since_approval: int = 0  # approved units whose English changed since
    source_changed: bool = False
    correction_due: bool = False  # its latest publication went out with English changed since
    published_at: datetime | None = None  # the latest publication
    first_published_at: datetime | None = None

    @property
    def publishable(self) -> bool:
        return stats.publishable(
            units=self.units,
            approved=self.approved,
            errors=self.errors,
            changed_since_approval=self.changed_since_approval,
            changed_file=self.source_changed,
        )

    @property
    def percent_translated(self) -> float:
        return stats.percent(self.translated + self.approved, self.units)

    @property
    def percent_approved(self) -> float:
        return stats.percent(self.approved, self.units)

    @property
    def words_percent_translated(self) -> float:
        return stats.percent(self.words_translated, self.words)

    @property
    def words_percent_approved(self) -> float:
        return stats.percent(self.words_approved, self.words)

    @property
    def left(self) -> int:
        """Units still to translate or to fix."""
        return self.untranslated + self.needs_editing


@dataclass
class Row:
    """A document and its editions."""

    id: int
    slug: str
    title: str
    kind: str
    date: dt.date | None
    priority: str | None
    deadline: dt.date | None
    created_at: datetime
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def urgent(self) -> bool:
        return self.priority == "urgent"

    def time_left(self, now: datetime) -> timedelta | None:
        """Until the end of the deadline's day (UTC); negative once past."""
        if self.deadline is None:
            return None
        return datetime.combine(self.deadline + timedelta(days=1), dt.time()) - now

    @property
    def blocked(self) -> bool:
        return any(not cell.publishable for cell in self.cells.values())


def matrix(session: Session, root: Path | None = None, document_id: int | None = None) -> list[Row]:
    """Every document (or the one asked for) with a cell per target language, urgent alerts
    first (by deadline). Each document's row is kept per process under the versions it was made
    from (dashboard_versions.py): only the documents whose versions moved are read again."""
    signs = dashboard_versions.signs(session, root, document_id)
    shelf = dashboard_versions.shelf(session, root)
    rows: dict[int, Row] = {}
    for owner, sign in signs.items():
        found = shelf.get(owner)
        if found is not None and found.sign == sign:
            rows[owner] = found.row
    stale = [owner for owner in signs if owner not in rows]
    if stale:
        every = document_id is None and len(stale) == len(signs)
        rows.update(_made_again(session, root, {o: signs[o] for o in stale}, every=every))
    if document_id is None and len(shelf) > len(signs):
        dashboard_versions.forget_gone(shelf, set(signs))
    return sort([_copy(row) for row in rows.values()], "urgency")


def _made_again(
    session: Session, root: Path | None, signs: dict[int, dashboard_versions.Sign], *, every: bool
) -> dict[int, Row]:
    """The rows of these documents made from the store, kept under their signs unless the
    transaction has written (its data may yet be rolled back, and the versions with it)."""
    made = _rows(session, root, None if every else list(signs))
    if dashboard_versions.only_read(session):
        shelf = dashboard_versions.shelf(session, root)
        for owner, row in made.items():
            if owner in signs:
                shelf[owner] = dashboard_versions.Kept(signs[owner], row)
    return made


def row(session: Session, document: Document, root: Path | None = None) -> Row:
    """One document's row, its figures aggregated over that document only."""
    return matrix(session, root, document.id)[0]


def _copy(row: Row) -> Row:
    """A kept row for one caller, with its own dict of cells (the cells are frozen). Made by
    the constructor: `dataclasses.replace` and `copy.copy` cost six times as much."""
    return Row(
        row.id, row.slug, row.title, row.kind, row.date, row.priority, row.deadline,
        row.created_at, dict(row.cells),
    )  # fmt: skip


def _rows(session: Session, root: Path | None, owners: list[int] | None) -> dict[int, Row]:
    """The rows of these documents (None: every one), made from the store."""
    documents = list(session.scalars(_only(select(Document), Document.id, owners)))
    changed = (
        {d.id for d in documents if sources.source_changed(root, d)} if root is not None else set()
    )
    rows = {document.id: _row_of(document) for document in documents}
    for (owner, language), values in _figures(session, owners).items():
        if owner in rows and language in languages.TARGET_LANGUAGES:
            rows[owner].cells[language] = Cell(source_changed=owner in changed, **values)
    return rows


def _row_of(document: Document) -> Row:
    return Row(
        document.id,
        document.slug,
        document.title,
        document.kind,
        document.date,
        document.priority,
        document.deadline,
        document.created_at,
    )


def _figures(session: Session, owners: list[int] | None) -> dict[tuple[int, str], dict[str, Any]]:
    """Each edition's figures by name, as a Cell takes them."""
    figures = _counts(session, owners)
    for key, count in _errors(session, owners).items():
        figures.setdefault(key, {})["errors"] = count
    for key, count in _questions(session, owners).items():
        figures.setdefault(key, {})["questions"] = count
    for key, count in _changed_since_approval(session, owners).items():
        figures.setdefault(key, {})["changed_since_approval"] = count
    for key, (first, latest) in _published(session, owners).items():
        cell = figures.setdefault(key, {})
        cell["first_published_at"], cell["published_at"] = first, latest
    for key in _corrections_due(session, owners):
        figures.setdefault(key, {})["correction_due"] = True
    return figures


def _counts(session: Session, owners: list[int] | None) -> dict[tuple[int, str], dict[str, Any]]:
    """Units and words by state, from the counts the triggers keep."""
    figures: dict[tuple[int, str], dict[str, Any]] = {}
    counts = select(
        EditionCount.document_id,
        EditionCount.language,
        EditionCount.state,
        EditionCount.units,
        EditionCount.words,
    ).where(EditionCount.units != 0)
    for owner, language, state, units, words in session.execute(
        _only(counts, EditionCount.document_id, owners)
    ):
        cell = figures.get((owner, language))
        if cell is None:
            cell = figures[(owner, language)] = dict.fromkeys(_COUNTED, 0)
        cell[_STATE_KEYS[state]] += units
        cell["units"] += units
        cell["words"] += words
        if state >= State.TRANSLATED:
            cell["words_translated"] += words
        if state == State.APPROVED:
            cell["words_approved"] += words
    return figures


def _published(
    session: Session, owners: list[int] | None
) -> dict[tuple[int, str], tuple[datetime, datetime]]:
    """The first and the latest publication of each edition."""
    published = select(
        Publication.document_id,
        Publication.language,
        func.min(Publication.published_at),
        func.max(Publication.published_at),
    ).group_by(Publication.document_id, Publication.language)
    return {
        (owner, language): (first, latest)
        for owner, language, first, latest in session.execute(
            _only(published, Publication.document_id, owners)
        )
    }


def _corrections_due(session: Session, owners: list[int] | None) -> set[tuple[int, str]]:
    if owners is not None and len(owners) == 1:
        return publications.corrections_due(session, owners[0])
    due = publications.corrections_due(session)
    return due if owners is None else {key for key in due if key[0] in set(owners)}


def _only(query: _Query, column: Any, owners: list[int] | None) -> _Query:
    """The query narrowed to the documents asked for, if any."""
    return query if owners is None else query.where(column.in_(owners))


def _errors(session: Session, owners: list[int] | None) -> dict[tuple[int, str], int]:
    """Failing error-level checks per edition (current units only)."""
    query = (
        select(Unit.document_id, Translation.language, func.count())
        .select_from(CheckFailure)
        .join(Translation, Translation.id == CheckFailure.translation_id)
        .join(Unit, Unit.id == Translation.unit_id)
        .where(CheckFailure.severity == Severity.ERROR, Unit.obsolete.is_(False))
        .group_by(Unit.document_id, Translation.language)
    )
    return {
        (d, lang): int(n) for d, lang, n in session.execute(_only(query, Unit.document_id, owners))
    }


def _changed_since_approval(
    session: Session, owners: list[int] | None
) -> dict[tuple[int, str], int]:
    query = (
        select(Unit.document_id, Translation.language, func.count())
        .join(Unit, Unit.id == Translation.unit_id)
        .where(
            Unit.obsolete.is_(False),
            Translation.state == State.APPROVED,
            Translation.previous_source.is_not(None),
            Translation.previous_source != Unit.source,
        )
        .group_by(Unit.document_id, Translation.language)
    )
    return {
        (d, lang): int(n) for d, lang, n in session.execute(_only(query, Unit.document_id, owners))
    }


def _questions(session: Session, owners: list[int] | None) -> dict[tuple[int, str], int]:
    query = (
        select(Unit.document_id, Comment.language, func.count())
        .join(Unit, Unit.id == Comment.unit_id)
        .where(Comment.question.is_(True), Comment.resolved.is_(False))
        .group_by(Unit.document_id, Comment.language)
    )
    return {
        (d, lang): int(n) for d, lang, n in session.execute(_only(query, Unit.document_id, owners))
    }


def sort(rows: list[Row], key: str, language: str | None = None) -> list[Row]:
    """Rows by a column of SORTS; `progress` is the approved share in one language (least first)
    or, without one, the lowest share of any language."""
    if key == "title":
        return sorted(rows, key=lambda r: (r.title.casefold(), r.slug))
    if key == "kind":
        return sorted(rows, key=lambda r: (r.kind, r.title.casefold()))
    if key == "date":
        return sorted(rows, key=lambda r: (r.date or dt.date.min, r.slug), reverse=True)
    if key == "progress":
        return sorted(rows, key=lambda r: (_progress(r, language), r.slug))
    return sorted(
        rows,
        key=lambda r: (
            not r.urgent,
            r.deadline is None,
            r.deadline or dt.date.max,
            r.kind,
            r.title.casefold(),
        ),
    )


def _progress(row: Row, language: str | None) -> float:
    cells = [row.cells.get(language, Cell())] if language else list(row.cells.values())
    return min((cell.percent_approved for cell in cells), default=0.0)


def select_rows(
    rows: Iterable[Row],
    kind: str | None = None,
    query: str | None = None,
    blocked_in: str | None = None,
    urgent: bool = False,
) -> list[Row]:
    """The rows of one kind, matching a text, blocked in a language ("any" for any), urgent."""
    found = []
    folded = (query or "").casefold()
    for row in rows:
        if kind and row.kind != kind:
            continue
        if folded and folded not in row.title.casefold() and folded not in row.slug:
            continue
        if urgent and not row.urgent:
            continue
        if blocked_in == "any" and not row.blocked:
            continue
        if blocked_in and blocked_in != "any" and row.cells.get(blocked_in, Cell()).publishable:
            continue
        found.append(row)
    return found


def totals(rows: Iterable[Row], language: str) -> Cell:
    """One language's figures summed over documents."""
    cells = [row.cells[language] for row in rows if language in row.cells]
    return Cell(
        units=sum(c.units for c in cells),
        untranslated=sum(c.untranslated for c in cells),
        needs_editing=sum(c.needs_editing for c in cells),
        translated=sum(c.translated for c in cells),
        approved=sum(c.approved for c in cells),
        words=sum(c.words for c in cells),
        words_translated=sum(c.words_translated for c in cells),
        words_approved=sum(c.words_approved for c in cells),
        errors=sum(c.errors for c in cells),
        questions=sum(c.questions for c in cells),
    )


def english_of(session: Session, unit_ids: Iterable[int | None]) -> dict[int, str]:
    """The English of the units named (a blocker names its unit and location; the gate page
    also says what the unit reads). One query, whatever the number of blockers."""
    wanted = {unit_id for unit_id in unit_ids if unit_id is not None}
    if not wanted:
        return {}
    query = select(Unit.id, Unit.source).where(Unit.id.in_(wanted))
    return {unit_id: source for unit_id, source in session.execute(query)}


def publications_seen_by(viewer: User, found: Iterable[Published]) -> list[Published]:
    """Publications as `viewer` may see them: the publisher's name where the viewer works, else
    none (`publisher` empty: publishers are editors, and the page says so)."""
    return [
        p if shows_names(viewer, p.publication.language) else replace(p, publisher="")
        for p in found
    ]
