"""Signing in and out of the browser: server-side sessions, rate-limited logins.

The cookie carries a random session id; the store keeps only its SHA-256, the user and a CSRF
token, so signing out ends the session for good. Failed logins are counted per user name and per
(salted hash of the) client address, and forgotten after five minutes: the sixth in that time is
refused without even checking the password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from translator.models import LoginAttempt, User, WebSession, utcnow
from translator.services import DeskError, accounts

WINDOW = timedelta(minutes=5)
MAX_FAILURES = 5
LIFETIME = timedelta(days=14)


class TooManyAttempts(DeskError):
    pass


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # for the cookie; shown once
    csrf_token: str
    user: User


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def client_key(address: str, secret: str) -> str:
    """The client address as a salted hash: enough to count attempts, not to know who."""
    return "ip:" + hashlib.sha256(f"{secret}|{address}".encode()).hexdigest()[:32]


def sign_in(session: Session, username: str, password: str, client: str) -> SignedIn | None:
    """A new session for good credentials; None for bad ones; TooManyAttempts when limited."""
    now = utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - WINDOW))
    keys = ["user:" + username.lower()[:80], client]
    counts = session.execute(
        select(LoginAttempt.key, func.count())
        .where(LoginAttempt.key.in_(keys))
        .group_by(LoginAttempt.key)
    ).all()
    if max((count for _, count in counts), default=0) >= MAX_FAILURES:
        raise TooManyAttempts("too many failed sign-ins; wait five minutes")
    user = session.scalar(select(User).where(User.username == username))
    verified = accounts.verify_password(user, password)  # as slow for unknown names
    if user is None or not user.active or not verified:
        session.add_all([LoginAttempt(key=key, at=now) for key in keys])
        return None
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(WebSession(id_sha256=_digest(raw), user_id=user.id, csrf_token=csrf))
    session.flush()
    return SignedIn(raw, csrf, user)


def current(session: Session, raw: str | None) -> WebSession | None:
    if not raw:
        return None
    found = session.get(WebSession, _digest(raw))
    if found is None or found.created_at < utcnow() - LIFETIME or not found.user.active:
        return None
    return found


def sign_out(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(delete(WebSession).where(WebSession.id_sha256 == _digest(raw)))
