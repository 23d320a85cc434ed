"""Review around a unit: its history and reverting, suggestions, comments, translation memory."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import Change, Comment, State, Suggestion, User
from translator.services import accounts, editing
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
    session: Session, user: User, unit_id: int, language: str, change_id: int, version: int
) -> editing.SaveResult:
    """Bring back the text a change produced: itself a new change, with the same rules."""
    change = session.get(Change, change_id)
    if change is None or change.unit_id != unit_id or change.language != language:
        raise editing.NotFound(f"no change {change_id} of this unit")
    state = State(change.new_state)
    if state == State.APPROVED:
        state = State.TRANSLATED  # a revert is reviewed again
    return editing.save(session, user, unit_id, language, change.new_text, version, state)


def suggest(session: Session, user: User, unit_id: int, language: str, text: str) -> Suggestion:
    editing.find(session, unit_id, language)
    if not accounts.can_translate(user, language):
        raise editing.Forbidden(f"{user.username} does not translate into {language}")
    suggestion = Suggestion(unit_id=unit_id, language=language, text=text, user_id=user.id)
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
    session: Session, user: User, suggestion_id: int, accept: bool, version: int
) -> editing.SaveResult | None:
    """A reviewer accepts (saved as translated) or rejects a suggestion."""
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.status != "open":
        raise editing.NotFound(f"no open suggestion {suggestion_id}")
    if not accounts.can_review(user, suggestion.language):
        raise editing.Forbidden("accepting or rejecting suggestions takes a reviewer")
    result = None
    if accept:
        result = editing.save(
            session,
            user,
            suggestion.unit_id,
            suggestion.language,
            suggestion.text,
            version,
            State.TRANSLATED,
        )
        if result.conflict:
            return result
    suggestion.status = "accepted" if accept else "rejected"
    return result


def comment(
    session: Session, user: User, unit_id: int, language: str, text: str, question: bool = False
) -> Comment:
    editing.find(session, unit_id, language)
    if not text.strip():
        raise editing.Invalid("a comment needs some text")
    note = Comment(
        unit_id=unit_id, language=language, user_id=user.id, text=text.strip(), question=question
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
    session: Session, source: str, language: str, limit: int = 5, exclude_unit: int | None = None
) -> list[MemoryMatch]:
    """The closest translated English units of every document: exact matches first, then by
    similarity (at least 60%, msgmerge's threshold)."""
    return translation_memory.suggest(session, source, language, limit, exclude_unit)


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
