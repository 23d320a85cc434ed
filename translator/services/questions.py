"""Questions translators ask the editors about a unit: listed until an editor, or a reviewer of
the language, marks them answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import Comment, Document, Unit, User
from translator.services import accounts, editing


@dataclass(frozen=True)
class Question:
    comment_id: int
    unit: int
    document: str
    language: str
    who: str
    text: str
    at: datetime


def unanswered(
    session: Session, language: str | None = None, document_id: int | None = None
) -> list[Question]:
    """Questions for the editors not yet resolved, oldest first."""
    query = (
        select(Comment, Document.slug, User.username)
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
    return [
        Question(c.id, c.unit_id, slug, c.language, who or "?", c.text, c.created_at)
        for c, slug, who in session.execute(query)
    ]


def resolve(session: Session, user: User, comment_id: int) -> None:
    """An editor, or a reviewer of its language, marks a question answered."""
    comment = session.get(Comment, comment_id)
    if comment is None or not comment.question:
        raise editing.NotFound(f"no question {comment_id}")
    if not (accounts.is_editor(user) or accounts.can_review(user, comment.language)):
        raise editing.Forbidden("questions are resolved by editors and reviewers")
    comment.resolved = True
