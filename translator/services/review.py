"""Review around a unit: its history and reverting, suggestions, comments, translation memory;
and review in bulk: every clean translated unit of an edition (or of a selection) approved in one
action, each approval a change of its own, the others skipped with their reason."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.checks import Context, Severity, run_unit
from translator.messages import N_, message
from translator.models import Change, Comment, State, Suggestion, Unit, User
from translator.services import checking, editing, events, policy, publications
from translator.services import memory as translation_memory
from translator.services.memory import MemoryMatch


@dataclass(frozen=True)
class HistoryRow:
    id: int
    when: datetime
    who: str | None  # None: the desk itself (loading, extract), named by the interface
    action: str
    old_text: str
    new_text: str
    old_state: str
    new_state: str


def history(session: Session, unit_id: int, language: str) -> list[HistoryRow]:
    """Every change of a unit's translation, newest first (pseudonyms only)."""
    query = (
        select(Change, User.username)
        .outerjoin(User, User.id == Change.user_id)
        .where(Change.unit_id == unit_id, Change.language == language)
        .order_by(Change.id.desc())
    )
    return [
        HistoryRow(
            c.id,
            c.created_at,
            name,
            c.action,
            c.old_text,
            c.new_text,
            State(c.old_state).label,
            State(c.new_state).label,
        )
        for c, name in session.execute(query)
    ]


def revert(
    session: Session,
    who: policy.Actor | User,
    unit_id: int,
    language: str,
    *,
    change_id: int,
    version: int,
) -> editing.SaveResult:
    """Bring back the text a change produced: itself a new change, with the same rules."""
    actor = policy.actor_of(session, who)
    policy.require(session, actor, policy.Action.REVERT, language=language)
    change = session.get(Change, change_id)
    if change is None or change.unit_id != unit_id or change.language != language:
        raise editing.NotFound(f"no change {change_id} of this unit")
    state = State(change.new_state)
    if state == State.APPROVED:
        state = State.TRANSLATED  # a revert is reviewed again
    return editing.save(
        session, actor, unit_id, language, change.new_text, version=version, state=state
    )


def suggest(
    session: Session, who: policy.Actor | User, unit_id: int, language: str, text: str
) -> Suggestion:
    actor = policy.actor_of(session, who)
    policy.require(session, actor, policy.Action.SUGGEST, language=language)
    unit, _ = editing.find(session, unit_id, language)
    policy.limit_translation(unit, text)
    if not text.strip():
        raise editing.Invalid(message(N_("a suggestion needs some text"), "suggestion.empty"))
    suggestion = Suggestion(unit_id=unit_id, language=language, text=text, user_id=actor.user_id)
    session.add(suggestion)
    session.flush()
    return suggestion


def open_suggestions(
    session: Session, unit_id: int, language: str
) -> list[tuple[Suggestion, str | None]]:
    """Open suggestions with who made them: a user, an imported file, or None."""
    query = (
        select(Suggestion, User.username)
        .outerjoin(User, User.id == Suggestion.user_id)
        .where(
            Suggestion.unit_id == unit_id,
            Suggestion.language == language,
            Suggestion.status == "open",
        )
        .order_by(Suggestion.id)
    )
    return [(s, name or s.origin or None) for s, name in session.execute(query)]


def decide(
    session: Session,
    who: policy.Actor | User,
    suggestion_id: int,
    *,
    accept: bool,
    version: int,
) -> editing.SaveResult | None:
    """A reviewer accepts (saved as translated) or rejects a suggestion."""
    actor = policy.actor_of(session, who)
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.status != "open":
        raise editing.NotFound(f"no open suggestion {suggestion_id}")
    result = None
    with policy.acting(
        session,
        actor,
        policy.Action.DECIDE_SUGGESTION,
        language=suggestion.language,
        unit=suggestion.unit_id,
        accepted=accept,
    ) as act:
        if accept:
            unit, translation = editing.find(session, suggestion.unit_id, suggestion.language)
            result = editing.store(
                session,
                actor,
                unit,
                translation,
                suggestion.text,
                version=version,
                state=State.TRANSLATED,
            )
            act.done = not result.conflict  # someone saved in between: nothing decided
        if result is None or not result.conflict:
            suggestion.status = "accepted" if accept else "rejected"
    return result


def comment(
    session: Session,
    who: policy.Actor | User,
    unit_id: int,
    language: str,
    text: str,
    *,
    question: bool = False,
) -> Comment:
    actor = policy.actor_of(session, who)
    policy.require(session, actor, policy.Action.COMMENT, language=language)
    editing.find(session, unit_id, language)
    policy.limit_text(text)
    if not text.strip():
        raise editing.Invalid(message(N_("a comment needs some text"), "comment.empty"))
    note = Comment(
        unit_id=unit_id,
        language=language,
        user_id=actor.user_id,
        text=text.strip(),
        question=question,
    )
    session.add(note)
    session.flush()
    return note


def comments(session: Session, unit_id: int, language: str) -> list[tuple[Comment, str | None]]:
    query = (
        select(Comment, User.username)
        .outerjoin(User, User.id == Comment.user_id)
        .where(Comment.unit_id == unit_id, Comment.language == language)
        .order_by(Comment.id)
    )
    return [(c, name) for c, name in session.execute(query)]


def memory(
    session: Session,
    source: str,
    language: str,
    *,
    limit: int = 5,
    exclude_unit: int | None = None,
) -> list[MemoryMatch]:
    """The closest translated English units of every document: exact matches first, then by
    similarity (at least 60%, msgmerge's threshold)."""
    return translation_memory.suggest(
        session, source, language, limit=limit, exclude_unit=exclude_unit
    )


def memory_of_unit(
    session: Session, unit_id: int, language: str, *, limit: int = 5
) -> list[MemoryMatch]:
    """What the memory offers a unit being translated: never its own text; nothing for a
    plural unit (plural forms are not offered or looked up)."""
    unit, _ = editing.find(session, unit_id, language)
    if unit.plural:
        return []
    return memory(session, unit.source, language, limit=limit, exclude_unit=unit.id)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The previous and current English, word by word: (kind, text) with kind one of
    'same', 'removed', 'added'."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                parts.append(("removed", "".join(a[i1:i2])))
            if j2 > j1:
                parts.append(("added", "".join(b[j1:j2])))
    return parts


@dataclass(frozen=True)
class Skipped:
    """A unit a bulk approval left alone, and why (`reason` is a stable code)."""

    unit_id: int
    location: str
    reason: str  # untranslated, needs-editing, failing-checks, two-person-rule, conflict
    message: str


@dataclass(frozen=True)
class BulkApproval:
    approved: list[int]
    skipped: list[Skipped]


def plan_approval(
    session: Session,
    who: policy.Actor | User,
    document_id: int,
    language: str,
    *,
    unit_ids: list[int] | None = None,
) -> BulkApproval:
    """What approving the edition (or only `unit_ids` of it) would do, writing nothing: the
    reviewer's confirmation shows it."""
    actor = policy.actor_of(session, who)
    # asked, not done: refused as the approval would be, with nothing to audit
    policy.require(session, actor, policy.Action.BULK_APPROVE, language=language, audited=False)
    user_id = actor.user_id
    wanted = set(unit_ids) if unit_ids is not None else None
    context = checking.contexts(session)(language)
    two_person = publications.two_person_rule(session)
    authors = _last_authors(session, document_id, language) if two_person else {}
    approved: list[int] = []
    skipped: list[Skipped] = []
    for unit, translation in editing.rows(session, document_id, language):
        if (wanted is not None and unit.id not in wanted) or translation.state == State.APPROVED:
            continue
        reason = _not_approvable(unit, translation.state, translation.text, context)
        if reason is None and user_id is not None and authors.get(unit.id) == user_id:
            reason = ("two-person-rule", "two-person rule: you wrote this translation")
        if reason is None:
            approved.append(unit.id)
        else:
            skipped.append(Skipped(unit.id, unit.locations.split(" ")[0], *reason))
    return BulkApproval(approved, skipped)


def approve_all(
    session: Session,
    who: policy.Actor | User,
    document_id: int,
    language: str,
    *,
    unit_ids: list[int] | None = None,
) -> BulkApproval:
    """Approve every clean translated unit of the edition (or of `unit_ids`): each approval is
    a change in the history, as if made one by one; the rest is skipped with its reason. The
    audit log has one row for the whole, with its figures."""
    actor = policy.actor_of(session, who)
    plan = plan_approval(session, actor, document_id, language, unit_ids=unit_ids)
    approved: list[int] = []
    skipped = list(plan.skipped)
    with policy.acting(
        session, actor, policy.Action.BULK_APPROVE, language=language, document=document_id
    ) as act:
        for unit_id in plan.approved:
            unit, translation = editing.find(session, unit_id, language)
            result = editing.store(
                session,
                actor,
                unit,
                translation,
                translation.text,
                version=translation.version,
                state=State.APPROVED,
            )
            if result.translation.state == State.APPROVED and not result.conflict:
                approved.append(unit_id)
            else:  # changed under us between the plan and the save: never approved blindly
                where = unit.locations.split(" ")[0]
                skipped.append(Skipped(unit_id, where, "conflict", "changed while approving"))
        act.details.update(approved=len(approved), skipped=len(skipped))
    return BulkApproval(approved, skipped)


def send_back(
    session: Session,
    who: policy.Actor | User,
    unit_id: int,
    language: str,
    *,
    reason: str,
    version: int,
    note: str,
) -> editing.SaveResult:
    """A reviewer returns a translation to needs-editing; `note` (the reason, as the reader's
    language words it) becomes a comment on the unit."""
    actor = policy.actor_of(session, who)
    policy.limit_text(reason)
    unit, translation = editing.find(session, unit_id, language)
    translator = events.last_translator(session, unit_id, language)  # before the send-back's
    with policy.acting(
        session, actor, policy.Action.SEND_BACK, language=language, unit=unit_id
    ) as act:
        result = editing.store(
            session,
            actor,
            unit,
            translation,
            translation.text,
            version=version,
            state=State.NEEDS_EDITING,
        )
        act.done = not result.conflict  # someone saved in between: nothing sent back
        if not result.conflict:
            comment = Comment(unit_id=unit_id, language=language, user_id=actor.user_id, text=note)
            session.add(comment)
            session.flush()
            events.sent_back(
                session, unit, language, translator=translator, by=actor.user_id, reason=reason
            )
    return result


def _not_approvable(unit: Unit, state: int, text: str, context: Context) -> tuple[str, str] | None:
    """(reason, message) when a unit may not be approved as it stands, else None."""
    if state == State.UNTRANSLATED or not text:
        return ("untranslated", "not translated yet")
    if state == State.NEEDS_EDITING:
        return ("needs-editing", "needs editing")
    errors = [
        f
        for f in run_unit(unit.source, unit.source_plural, text, context)
        if f.severity == Severity.ERROR
    ]
    if errors:
        return ("failing-checks", "; ".join(f"{f.check}: {f.message}" for f in errors))
    return None


def _last_authors(session: Session, document_id: int, language: str) -> dict[int, int | None]:
    """unit id -> who made the last change of its translation in `language`."""
    query = (
        select(Change.unit_id, Change.user_id)
        .join(Unit, Unit.id == Change.unit_id)
        .where(Unit.document_id == document_id, Change.language == language)
        .order_by(Change.id)
    )
    return {unit_id: user_id for unit_id, user_id in session.execute(query)}


@dataclass(frozen=True)
class EventGroup:
    """Consecutive events of one person, action, language and document (a bulk approval is one
    line in the feed, not fifty): the first event, how many events (`count`: seven saves of
    two units are seven), and the distinct units concerned, in the order met (`units`)."""

    first: Any
    count: int
    units: tuple[int, ...]

    @property
    def other_units(self) -> int:
        """The units concerned besides the first event's: "#45 and 2 more units"."""
        return len(self.units) - 1


def grouped(events: list[Any]) -> list[EventGroup]:
    """The activity feed's events with runs of alike ones together, newest first as given; a
    unit saved again in a run counts once among its units."""
    groups: list[EventGroup] = []
    for event in events:
        last = groups[-1].first if groups else None
        if last is not None and _alike(last, event):
            previous = groups[-1]
            units = previous.units
            if event.unit not in units:
                units = (*units, event.unit)
            groups[-1] = EventGroup(previous.first, previous.count + 1, units)
        else:
            groups.append(EventGroup(event, 1, (event.unit,)))
    return groups


def _alike(one: Any, other: Any) -> bool:
    keys = ("who", "action", "language", "document", "state")
    return all(getattr(one, key) == getattr(other, key) for key in keys)
