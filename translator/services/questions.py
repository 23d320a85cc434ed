"""Questions translators ask the editors about a unit: listed until an editor, or a reviewer of
the language, marks them answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import Comment, Document, Unit, User
from translator.services import editing, events, policy
from translator.services.activity import shows_names


@dataclass(frozen=True)
class Question:
    comment_id: int
    unit: int
    document: str
    language: str
    who: str  # "" when the name is withheld from the viewer (`role` then says who asked)
    text: str
    at: datetime
    role: str | None = None  # set only when the name is withheld


def unanswered(
    session: Session,
    viewer: User,
    language: str | None = None,
    document_id: int | None = None,
) -> list[Question]:
    """Questions for the editors not yet resolved, oldest first; who asked by name only where
    `viewer` works (`activity.shows_names`), elsewhere by role."""
    query = (
        select(Comment, Document.slug, User.username, User.role)
        .join(Unit, Unit.id == Comment.unit_id)
        .join(Document, Document.id == Unit.document_id)
        .outerjoin(User, User.id == Comment.user_id)
        .where(Comment.question.is_(True), Comment.resolved.is_(False))
        .order_by(Comment.id)
    )
    if language:
        query = query.where(Comment.language == language)
    if document_id is not None:
        query = query.where(Unit.document_id == document_id)
    found = []
    for c, slug, who, role in session.execute(query):
        hidden = who is not None and not shows_names(viewer, c.language)
        shown = "" if hidden else who or "?"
        found.append(
            Question(
                c.id,
                c.unit_id,
                slug,
                c.language,
                shown,
                c.text,
                c.created_at,
                role if hidden else None,
            )
        )
    return found


def resolve(session: Session, who: policy.Actor | User, comment_id: int) -> None:
    """An editor, or a reviewer of its language, marks a question answered."""
    comment = session.get(Comment, comment_id)
    if comment is None or not comment.question:
        raise editing.NotFound(f"no question {comment_id}")
    actor = policy.actor_of(session, who)
    policy.require(session, actor, policy.Action.RESOLVE_QUESTION, language=comment.language)
    if not comment.resolved:
        events.question_answered(session, comment, by=actor.user_id)
    comment.resolved = True
