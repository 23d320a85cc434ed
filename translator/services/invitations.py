"""Invitations waiting to be used: listed with their role and languages, and revocable; and
the bound on what one link may ask about other accounts.

An invitation link answers "this user name is taken" at most `MAX_REFUSALS` times: the answer
tells whether a pseudonym exists, so unbounded it would let whoever holds a link (the invitee,
or anyone who saw the link) test names one after another. Each such refusal is a row of the
audit log (`invitation-refused`, with the invitation's id and never the name tried), appended in
a transaction of its own, so that it stays when the acceptance's own transaction is rolled
back; the refusals of an invitation are counted from those rows, and the fifth spends the
invitation (`invitation-spent`). Appends to the log line up behind its head row, so
simultaneous probes are counted one after another and no more than five get an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from translator.models import AuditEntry, Invitation, Role, User, utcnow
from translator.services import DeskError, accounts, audit, policy

MAX_REFUSALS = 5  # "name taken" answers a link gives; the last one spends it


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
    policy.require(session, policy.by_whom(session, by), policy.Action.INVITE, audited=False)
    if not accounts.can_manage(by, Role(invitation.role)):
        raise DeskError(f"{by.username} may not revoke an invitation for a {invitation.role}")
    invitation.used = True  # spent: the link no longer opens an account


def refuse_taken_name(session: Session, invitation_id: int) -> int:
    """Count one "name taken" answer of a live invitation, in a transaction of its own (the
    caller's is rolled back with the refusal): the answers it has given, this one included.
    The `MAX_REFUSALS`th spends the invitation; a count above it means the invitation was spent
    meanwhile (simultaneous probes), and the caller must not say whether the name is taken."""
    # the same database, and the same settings (the audit key the app put in `info`)
    with Session(session.get_bind(), info=dict(session.info)) as own, own.begin():
        audit.record(own, "invitation-refused", invitation=invitation_id, reason="name-taken")
        count = refusals(own, invitation_id)
        if count == MAX_REFUSALS:
            own.execute(update(Invitation).where(Invitation.id == invitation_id).values(used=True))
            audit.record(own, "invitation-spent", invitation=invitation_id, refusals=count)
    return count


def refusals(session: Session, invitation_id: int) -> int:
    """The "name taken" answers an invitation has given (rows of the audit log since it was
    made: at most a few per invitation of the last week)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        return 0
    made = invitation.expires_at - timedelta(days=accounts.INVITATION_LIFETIME_DAYS)
    details = session.scalars(
        select(AuditEntry.details).where(
            AuditEntry.action == "invitation-refused", AuditEntry.at >= made
        )
    )
    return sum(1 for found in details if found.get("invitation") == invitation_id)
