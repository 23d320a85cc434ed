"""Invitations waiting to be used: listed with their role and languages, and revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import Invitation, Role, User, utcnow
from translator.services import DeskError, accounts


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    role: str
    languages: str
    made_by: str | None
    expires_at: datetime


def pending(session: Session) -> list[PendingInvitation]:
    """Invitations neither used nor expired, the newest first, with who made each."""
    query = (
        select(Invitation, User.username)
        .outerjoin(User, User.id == Invitation.created_by)
        .where(Invitation.used.is_(False), Invitation.expires_at >= utcnow())
        .order_by(Invitation.id.desc())
    )
    return [
        PendingInvitation(i.id, i.role, i.languages, name, i.expires_at)
        for i, name in session.execute(query)
    ]


def revoke(session: Session, by: User, invitation_id: int) -> None:
    """Take back an unused invitation: whoever may invite its role may revoke it."""
    invitation = session.get(Invitation, invitation_id) if 0 < invitation_id < 2**31 else None
    if invitation is None or invitation.used:
        raise DeskError(f"no unused invitation {invitation_id}")
    if not accounts.can_manage(by, Role(invitation.role)):
        raise DeskError(f"{by.username} may not revoke an invitation for a {invitation.role}")
    invitation.used = True  # spent: the link no longer opens an account
