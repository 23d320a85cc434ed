"""What happened that volunteers may want to hear of, recorded once where it happens and read
by each person as their share: the first channel is the personal Atom feed (web/feeds.py).

Events: `alert.added` (a new alert loaded by `translator extract`), `edition.published`,
`correction.due` (extract changed the English of a published edition: `publications.standing`),
`unit.sent_back` (to the unit's last translator in that language), `question.answered` (to the
asker), and `deadline.near`: an alert due within a day whose edition in a language is not
publishable yet (the dashboard's verdict). A feed finds those when it is read; the outbox stores
each once (`record_deadlines_near`, at its round), so mail and webhooks hear of it too.

A person reads the events of their languages (editors and admins: every language), the ones
about every language (a new alert), and the personal ones addressed to them, never another's.
An event's values are ids and the document's own words, never a person's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from translator.messages import N_, Message, counted, message
from translator.models import Change, Comment, Document, Event, Publication, Unit, User, utcnow

ALERT_ADDED = "alert.added"
EDITION_PUBLISHED = "edition.published"
CORRECTION_DUE = "correction.due"
UNIT_SENT_BACK = "unit.sent_back"
QUESTION_ANSWERED = "question.answered"
DEADLINE_NEAR = "deadline.near"
NEAR = dt.timedelta(hours=24)


def record(
    session: Session,
    kind: str,
    document: Document | None = None,
    *,
    language: str | None = None,
    unit_id: int | None = None,
    user_id: int | None = None,
    **data: Any,
) -> Event:
    """An event, in the caller's transaction: it is kept if, and only if, what it tells is."""
    if document is not None:
        data = {"slug": document.slug, "title": document.title, **data}
    event = Event(
        kind=kind,
        document_id=document.id if document is not None else None,
        language=language,
        unit_id=unit_id,
        user_id=user_id,
        data=data,
        created_at=utcnow(),
    )
    session.add(event)
    return event


def alert_added(session: Session, document: Document) -> None:
    deadline = document.deadline.isoformat() if document.deadline else ""
    record(session, ALERT_ADDED, document, priority=document.priority or "", deadline=deadline)


def edition_published(session: Session, document: Document, publication: Publication) -> None:
    record(
        session,
        EDITION_PUBLISHED,
        document,
        language=publication.language,
        publication=publication.id,
        number=publication.number,
    )


def corrections_due(session: Session, document: Document) -> None:
    """A correction due for each edition of `document` whose latest publication the English has
    now outdated (`publications.standing`, the one definition)."""
    from translator.services import publications  # publications records through this module

    for document_id, language in sorted(publications.corrections_due(session, document.id)):
        latest = session.scalars(
            select(Publication)
            .where(Publication.document_id == document_id, Publication.language == language)
            .order_by(Publication.id.desc())
            .limit(1)
        ).one()
        changed = publications.standing(session, latest).changed
        record(
            session,
            CORRECTION_DUE,
            document,
            language=language,
            number=latest.number,
            changed=len(changed),
        )


def last_translator(session: Session, unit_id: int, language: str) -> int | None:
    """Who made the last change of the unit's translation in `language` (the desk's own changes,
    loading and extract, name nobody)."""
    return session.scalar(
        select(Change.user_id)
        .where(Change.unit_id == unit_id, Change.language == language, Change.user_id.is_not(None))
        .order_by(Change.id.desc())
        .limit(1)
    )


def sent_back(
    session: Session,
    unit: Unit,
    language: str,
    *,
    translator: int | None,
    by: int | None,
    reason: str,
) -> None:
    """To the unit's last translator, unless nobody or the sender themselves."""
    if translator is None or translator == by:
        return
    document = session.get(Document, unit.document_id)
    record(
        session,
        UNIT_SENT_BACK,
        document,
        language=language,
        unit_id=unit.id,
        user_id=translator,
        reason=reason,
    )


def question_answered(session: Session, comment: Comment, *, by: int | None) -> None:
    if comment.user_id is None or comment.user_id == by:
        return
    unit = session.get(Unit, comment.unit_id)
    assert unit is not None  # comments cascade with their unit
    record(
        session,
        QUESTION_ANSWERED,
        session.get(Document, unit.document_id),
        language=comment.language,
        unit_id=unit.id,
        user_id=comment.user_id,
    )


@dataclass(frozen=True)
class Notice:
    """An event as a reader reads it: `key` names it for good (stored ones by their id)."""

    key: str
    kind: str
    at: dt.datetime
    slug: str
    language: str | None
    unit_id: int | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> Message:
        return _said(self)[0]

    @property
    def content(self) -> Message:
        return _said(self)[1]


def notice(event: Event) -> Notice:
    """A stored event as its readers read it (the feed, mail)."""
    return Notice(
        f"event/{event.id}",
        event.kind,
        event.created_at,
        str(event.data.get("slug", "")),
        event.language,
        event.unit_id,
        dict(event.data),
    )


def concerns(user: User, language: str | None, addressee: int | None) -> bool:
    """Whether an event is `user`'s: addressed to them, or of no one in particular and about
    every language or one of theirs."""
    if addressee is not None:
        return addressee == user.id
    from translator.services import accounts  # the feed's reader only: not for extract

    return language is None or language in accounts.languages_of(user)


def for_reader(
    session: Session,
    user: User,
    *,
    limit: int = 50,
    root: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Notice]:
    """The events that concern `user`, newest first, deadlines near among them."""
    from translator.services import accounts  # the feed's reader only: not for extract

    mine = accounts.languages_of(user)
    query = (
        select(Event)
        .where(
            or_(
                Event.user_id == user.id,
                Event.user_id.is_(None)
                & or_(Event.language.is_(None), Event.language.in_(sorted(mine))),
            ),
            Event.kind != DEADLINE_NEAR,  # found afresh below, stored or not
        )
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(limit)
    )
    found = [notice(e) for e in session.scalars(query)]
    found += deadlines_near(session, mine, root=root, now=now or utcnow())
    found.sort(key=lambda said: said.at, reverse=True)
    return found[:limit]


def deadlines_near(
    session: Session, languages: set[str], *, root: Path | None, now: dt.datetime
) -> list[Notice]:
    """Alerts due within a day (a deadline is the end of its day, UTC) whose edition in one of
    `languages` the dashboard does not find publishable."""
    from translator.services import dashboard  # the dashboard reads publications, which record

    today = now.date()
    alerts = session.scalars(
        select(Document).where(
            Document.kind == "alert",
            Document.deadline.is_not(None),
            Document.deadline >= today - dt.timedelta(days=1),
            Document.deadline <= today + dt.timedelta(days=1),
        )
    )
    found = []
    for document in alerts:
        assert document.deadline is not None
        due = dt.datetime.combine(document.deadline + dt.timedelta(days=1), dt.time())
        if not due - NEAR <= now < due:
            continue
        cells = dashboard.row(session, document, root).cells
        for language in sorted(languages):
            cell = cells.get(language)
            if cell is not None and not cell.publishable:
                found.append(
                    Notice(
                        f"deadline/{document.id}/{language}/{document.deadline.isoformat()}",
                        DEADLINE_NEAR,
                        due - NEAR,
                        document.slug,
                        language,
                        None,
                        {"title": document.title, "deadline": document.deadline.isoformat()},
                    )
                )
    return found


def record_deadlines_near(
    session: Session, *, root: Path | None, now: dt.datetime | None = None
) -> int:
    """Store a `deadline.near` event, once, for each alert edition due within a day and not
    publishable yet (in every target language); how many were new. The outbox's round calls
    it, so the channels that send events out hear of deadlines as of the rest."""
    from translator.languages import TARGET_LANGUAGES

    now = now or utcnow()
    due = deadlines_near(session, set(TARGET_LANGUAGES), root=root, now=now)
    if not due:
        return 0
    stored = {
        (e.document_id, e.language, e.data.get("deadline"))
        for e in session.scalars(
            select(Event).where(Event.kind == DEADLINE_NEAR, Event.created_at >= now - 3 * NEAR)
        )
    }
    new = 0
    for notice in due:
        document = session.scalar(select(Document).where(Document.slug == notice.slug))
        if document is None or (document.id, notice.language, notice.data["deadline"]) in stored:
            continue
        record(
            session,
            DEADLINE_NEAR,
            document,
            language=notice.language,
            deadline=notice.data["deadline"],
        )
        new += 1
    return new


def _said(notice: Notice) -> tuple[Message, Message]:
    """A notice's title and text, as message ids and values (the edge says them)."""
    data = notice.data
    title = str(data.get("title", notice.slug))
    language = notice.language or ""
    if notice.kind == ALERT_ADDED:
        text = (
            message(N_("Priority %(priority)s; deadline %(deadline)s."), **_given(data))
            if data.get("deadline")
            else message(N_("A new alert is waiting for its translations."))
        )
        return message(N_("New alert to translate: %(title)s"), title=title), text
    if notice.kind == EDITION_PUBLISHED:
        return (
            message(N_("Published: %(title)s (%(language)s)"), title=title, language=language),
            message(N_("Published: snapshot %(number)d."), number=int(data.get("number", 0))),
        )
    if notice.kind == CORRECTION_DUE:
        return (
            message(N_("Correction due: %(title)s (%(language)s)"), title=title, language=language),
            counted(
                "The English of %(num)d unit changed since this edition was published.",
                "The English of %(num)d units changed since this edition was published.",
                int(data.get("changed", 0)),
            ),
        )
    if notice.kind == UNIT_SENT_BACK:
        return (
            message(
                N_("Sent back to you: a unit of %(title)s (%(language)s)"),
                title=title,
                language=language,
            ),
            message(N_("Sent back: %(reason)s"), reason=str(data.get("reason") or "—")),
        )
    if notice.kind == QUESTION_ANSWERED:
        return (
            message(
                N_("Your question was answered: %(title)s (%(language)s)"),
                title=title,
                language=language,
            ),
            message(N_("Your question on this unit is marked answered; see its comments.")),
        )
    return (
        message(N_("Deadline near: %(title)s (%(language)s)"), title=title, language=language),
        message(
            N_("Due by the end of %(deadline)s, and this edition is not ready to publish yet."),
            deadline=str(data.get("deadline", "")),
        ),
    )


def _given(data: dict[str, Any]) -> dict[str, str]:
    return {"priority": str(data.get("priority") or "—"), "deadline": str(data["deadline"])}
