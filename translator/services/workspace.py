"""What a translator works through: the editions of a language, the units a filter selects
(with what each is flagged for), and everything the editor shows about one unit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.checks import Severity, Term
from translator.models import (
    CheckFailure,
    Comment,
    Document,
    State,
    Suggestion,
    Translation,
    Unit,
)
from translator.services import documents, editing, glossary, review, stats
from translator.services.memory import MemoryMatch

Row = tuple[Unit, Translation]
STATES = {state.label: state for state in State}


@dataclass(frozen=True)
class LanguageWork:
    """A language's work list: its documents, urgent alerts first, with each edition's figures."""

    documents: list[Document]
    rows: dict[str, stats.StatusRow]


def language_work(session: Session, language: str) -> LanguageWork:
    rows = {row.document: row for row in stats.status(session, language=language)}
    return LanguageWork(documents.by_urgency(session), rows)


@dataclass(frozen=True)
class Filter:
    """What a unit list shows: a state ("unapproved": everything before publication), a
    search (folded as the language folds) and a flag."""

    state: str = ""
    query: str = ""
    only: str = ""


@dataclass(frozen=True)
class Selection:
    document: Document
    rows: list[Row]
    flags: dict[int, set[str]]  # by translation id


def selection(
    session: Session, slug: str, language: str, wanted: Filter, *, sort: str = "order"
) -> Selection:
    """The units of an edition a filter selects, in the chosen order, with their flags: what the
    unit list shows and what a bulk approval approves."""
    document = documents.by_slug(session, slug)
    found = editing.rows(session, document.id, language, STATES.get(wanted.state))
    if wanted.state == "unapproved":
        found = [(u, t) for u, t in found if t.state < State.APPROVED]
    if wanted.query:
        found = [
            (u, t) for u, t in found if editing.matches(wanted.query, u.source, t.text, language)
        ]
    marked = flags(session, found, language)
    if wanted.only:
        found = [(u, t) for u, t in found if wanted.only in marked.get(t.id, set())]
    return Selection(document, editing.sorted_rows(found, sort), marked)


def flags(session: Session, found: Collection[Row], language: str) -> dict[int, set[str]]:
    """What each translation is flagged for, by translation id: failing checks ("errors",
    "warnings"), open "suggestions", "comments"."""
    marked: dict[int, set[str]] = {}
    translation_of = {unit.id: translation.id for unit, translation in found}
    for translation_id, severity in session.execute(
        select(CheckFailure.translation_id, CheckFailure.severity).where(
            CheckFailure.translation_id.in_(translation_of.values())
        )
    ):
        marked.setdefault(translation_id, set()).add(
            "errors" if severity == Severity.ERROR else "warnings"
        )
    for flag, model, extra in (
        ("suggestions", Suggestion, [Suggestion.status == "open"]),
        ("comments", Comment, []),
    ):
        for unit_id in session.scalars(
            select(model.unit_id).where(
                model.unit_id.in_(translation_of), model.language == language, *extra
            )
        ):
            marked.setdefault(translation_of[unit_id], set()).add(flag)
    return marked


def next_to_do(
    order: list[tuple[int, int]], after: int | None = None, below: State = State.TRANSLATED
) -> int | None:
    """The next unit not yet translated (or, for a reviewer, not yet approved: `below`), after
    the given one and wrapping round; `order` is the edition's (unit id, state) in order."""
    ids = [unit_id for unit_id, _ in order]
    todo = [unit_id for unit_id, state in order if state < below and unit_id != after]
    if not todo:
        return None
    start = ids.index(after) if after in ids else -1
    return next((unit_id for unit_id in todo if ids.index(unit_id) > start), todo[0])


def order_of(rows: list[Row]) -> list[tuple[int, int]]:
    """An edition's rows as `next_to_do` takes them."""
    return [(unit.id, translation.state) for unit, translation in rows]


@dataclass
class EditorView:
    """Everything the editor shows about one unit of an edition."""

    document: Document
    unit: Unit
    translation: Translation
    neighbours: list[Row]
    next_id: int | None  # the next unit to translate
    next_unapproved: int | None  # the next unit to review
    previous_unit: int | None
    next_unit: int | None
    failures: list[CheckFailure]  # as stored at the last save
    history: list[review.HistoryRow]
    suggestions: list[Any]
    comments: list[Any]
    memory: list[MemoryMatch]
    terms: list[Term]
    # the English's changes since the translation was made, word by word (needs editing)
    diff: list[tuple[str, str]] = field(default_factory=list)


def editor(session: Session, slug: str, language: str, unit_id: int) -> EditorView:
    """The editor's view of a unit; `NotFound` when the unit is not in the edition. Of the
    other units it reads only their ids and states, and the neighbours shown."""
    document = documents.by_slug(session, slug)
    order = editing.order(session, document.id, language)
    position = next((n for n, (u, _) in enumerate(order) if u == unit_id), None)
    if position is None:
        raise editing.NotFound(f"no unit {unit_id} in {slug}")
    around = [u for u, _ in order[max(0, position - 2) : position + 3]]
    neighbours = editing.rows(session, document.id, language, units=around)
    unit, translation = next(row for row in neighbours if row[0].id == unit_id)
    previous = translation.previous_source if translation.state == State.NEEDS_EDITING else None
    return EditorView(
        document=document,
        unit=unit,
        translation=translation,
        neighbours=neighbours,
        next_id=next_to_do(order, unit.id),
        next_unapproved=next_to_do(order, unit.id, below=State.APPROVED),
        previous_unit=order[position - 1][0] if position > 0 else None,
        next_unit=order[position + 1][0] if position + 1 < len(order) else None,
        failures=list(
            session.scalars(
                select(CheckFailure).where(CheckFailure.translation_id == translation.id)
            )
        ),
        history=review.history(session, unit.id, language),
        suggestions=review.open_suggestions(session, unit.id, language),
        comments=review.comments(session, unit.id, language),
        memory=review.memory_of_unit(session, unit.id, language, limit=3),
        terms=glossary.matching(glossary.terms(session), unit.source),
        diff=review.word_diff(previous, unit.source) if previous else [],
    )
