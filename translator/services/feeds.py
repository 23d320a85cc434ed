"""Personal feed secrets: a person's Atom feed lives at /feeds/<secret>.atom, so any feed reader
can follow it without an account or an address. The secret is shown when it is made and stored
only as its SHA-256, like API tokens; making a new one revokes the old."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from translator.models import FeedToken, User


def path_of(secret: str) -> str:
    """Where the feed of `secret` is read, on the desk's host."""
    return f"/feeds/{secret}.atom"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def has_feed(session: Session, user: User) -> bool:
    return (
        session.scalar(
            select(FeedToken.id).where(FeedToken.user_id == user.id, FeedToken.revoked.is_(False))
        )
        is not None
    )


def renew(session: Session, user: User) -> str:
    """A new secret for `user`'s feed (the old address stops working): returned, the only time
    it is seen."""
    revoke(session, user)
    raw = secrets.token_urlsafe(32)
    session.add(FeedToken(user_id=user.id, token_sha256=_digest(raw)))
    session.flush()
    return raw


def revoke(session: Session, user: User) -> None:
    """No feed for `user` until a new address is made."""
    session.execute(
        update(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked.is_(False))
        .values(revoked=True)
    )


def reader(session: Session, raw: str) -> User | None:
    """The active person whose unrevoked feed secret this is; None for anything else (unknown,
    revoked and retired alike)."""
    token = session.scalar(select(FeedToken).where(FeedToken.token_sha256 == _digest(raw)))
    if token is None or token.revoked:
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.active else None
