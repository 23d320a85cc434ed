"""What the desk's people did: changes per day for the charts, and the latest changes as a feed
(by user name only, and only where the viewer works: `shows_names`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from translator.models import Change, Document, State, Unit, User, utcnow
from translator.services import accounts


def shows_names(viewer: User, language: str) -> bool:
    """Whether people's names show to `viewer` on what was done in `language`: only where the
    viewer works (editors and admins work everywhere). A volunteer of one language never learns
    the pseudonyms of another's: each account seized or shown to the wrong person exposes its own
    languages' people at most. Elsewhere a person is shown by role only (feed, questions,
    publications: the dashboard's pages and its all-language lists alike)."""
    return viewer.active and language in accounts.languages_of(viewer)


@dataclass(frozen=True)
class Day:
    day: dt.date
    edits: int  # translations saved, imported, reverted
    approvals: int


def per_day(
    session: Session,
    language: str | None = None,
    document_id: int | None = None,
    days: int = 60,
    today: dt.date | None = None,
) -> list[Day]:
    """Changes per day over the last `days` days, oldest first, every day present. Loading the
    catalogues and extract's own changes are not activity."""
    today = today or utcnow().date()
    start = today - timedelta(days=days - 1)
    day = func.date(Change.created_at)  # a string in SQLite, a date in PostgreSQL
    approve = func.sum(case((Change.action == "approve", 1), else_=0))
    query = (
        select(day, func.count(), approve)
        .where(
            Change.created_at >= datetime.combine(start, dt.time()),
            Change.action.not_in(("load", "source-changed", "fuzzy-match")),
        )
        .group_by(day)
    )
    if language:
        query = query.where(Change.language == language)
    if document_id is not None:
        query = query.join(Unit, Unit.id == Change.unit_id).where(Unit.document_id == document_id)
    counted = {_as_date(d): (int(n), int(a or 0)) for d, n, a in session.execute(query)}
    result = []
    for offset in range(days):
        when = start + timedelta(days=offset)
        total, approvals = counted.get(when, (0, 0))
        result.append(Day(when, total - approvals, approvals))
    return result


def _as_date(value: object) -> dt.date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


@dataclass(frozen=True)
class Event:
    at: datetime
    # a pseudonym; None for the desk itself (extract, command-line imports) and for a person the
    # viewer may not see by name (`role` then says who it was: a translator, a reviewer...)
    who: str | None
    action: str
    language: str
    document: str
    unit: int
    state: str
    role: str | None = None  # set only when the name is withheld from the viewer


def feed(
    session: Session,
    viewer: User,
    language: str | None = None,
    document_id: int | None = None,
    limit: int = 30,
) -> list[Event]:
    """The latest changes, newest first, by user name only; names only where `viewer` works
    (`shows_names`), elsewhere the person's role."""
    query = (
        select(Change, User.username, User.role, Document.slug)
        .join(Unit, Unit.id == Change.unit_id)
        .join(Document, Document.id == Unit.document_id)
        .outerjoin(User, User.id == Change.user_id)
        .where(Change.action != "load")
        .order_by(Change.id.desc())
        .limit(limit)
    )
    if language:
        query = query.where(Change.language == language)
    if document_id is not None:
        query = query.where(Unit.document_id == document_id)
    events = []
    for change, username, role, slug in session.execute(query):
        hidden = username is not None and not shows_names(viewer, change.language)
        events.append(
            Event(
                change.created_at,
                None if hidden else username,
                change.action,
                change.language,
                slug,
                change.unit_id,
                State(change.new_state).label,
                role if hidden else None,
            )
        )
    return events
