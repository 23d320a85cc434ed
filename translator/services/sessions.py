"""Signing in and out of the browser: server-side sessions, rate-limited logins.

The cookie carries a random session id; the store keeps only its SHA-256, the user and a CSRF
token, so signing out ends the session for good.

Rate limits count attempts per account and per salted hash of the client address, separately, in
five-minute windows: an account takes five failures, an address (perhaps a whole office behind
one router) fifty. Each attempt is counted *before* its password is checked, by one atomic
`UPDATE ... RETURNING` on the key's row (the row lock orders concurrent attempts, in SQLite and
PostgreSQL alike), so thirty simultaneous guesses get five checks, not thirty. A success resets
the account's count and takes its own attempt off the address's.

With a second factor, the right password gives a *pending* session only: the second step (a code,
counted like a password under the key `second:<account>`) replaces it with a signed-in one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from translator.messages import N_, message
from translator.models import LoginCounter, User, WebSession, utcnow
from translator.services import DeskError, accounts, audit, second_factor

WINDOW = timedelta(minutes=5)
MAX_FAILURES = 5  # per account
MAX_ADDRESS_FAILURES = 50  # per address: higher, since many may share one
LIFETIME = timedelta(days=14)
# a password checked, the code still to come: long enough to open an authenticator app, short
# enough that a session left at the second step on a shared computer is soon worth nothing
PENDING_LIFETIME = timedelta(minutes=10)


class TooManyAttempts(DeskError):
    pass


@dataclass(frozen=True)
class SignedIn:
    session_id: str  # for the cookie; shown once
    csrf_token: str
    user: User
    pending: bool = False  # the second step is still to come


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def client_key(address: str, secret: str) -> str:
    """The client address as a salted hash: enough to count attempts, not to know who."""
    return "ip:" + hashlib.sha256(f"{secret}|{address}".encode()).hexdigest()[:32]


def account_key(username: str) -> str:
    return "user:" + username.lower()[:80]


def count_attempt(session: Session, key: str, now: datetime | None = None) -> int:
    """Count one attempt of `key` atomically; the count in the current window, this one included."""
    now = now or utcnow()
    expired = LoginCounter.started < now - WINDOW
    bump = (
        update(LoginCounter)
        .where(LoginCounter.key == key)
        .values(
            count=case((expired, 1), else_=LoginCounter.count + 1),
            started=case((expired, now), else_=LoginCounter.started),
        )
        .returning(LoginCounter.count)
    )
    count = session.execute(bump).scalar()
    if count is None:  # the key's first attempt: make its row, then count as above
        _insert_if_missing(session, key, now)
        count = session.execute(bump).scalar_one()
    return int(count)


def _insert_if_missing(session: Session, key: str, now: datetime) -> None:
    values = {"key": key, "count": 0, "started": now}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(LoginCounter).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(LoginCounter).values(values).on_conflict_do_nothing())


def forget_attempts(session: Session, key: str) -> None:
    session.execute(delete(LoginCounter).where(LoginCounter.key == key))


def sign_in(session: Session, username: str, password: str, client: str) -> SignedIn | None:
    """A new session for good credentials; None for bad ones; TooManyAttempts when limited."""
    now = utcnow()
    session.execute(delete(LoginCounter).where(LoginCounter.started < now - 2 * WINDOW))
    account = account_key(username)
    if (
        count_attempt(session, account, now) > MAX_FAILURES
        or count_attempt(session, client, now) > MAX_ADDRESS_FAILURES
    ):
        audit.record(session, "sign-in-refused", reason="rate limit")
        raise TooManyAttempts(
            message(N_("too many failed sign-ins; wait five minutes"), "sign-in.limited")
        )
    # a name is unique whatever its case (an index on lower(username)), so `Sahar` typed on a
    # phone that capitalises is `sahar`; both sides folded by the database, as its index is
    user = session.scalar(select(User).where(func.lower(User.username) == func.lower(username)))
    verified = accounts.verify_password(user, password)  # as slow for unknown names
    if user is None or not user.active or not verified:
        # by account, never by address; a name that is no account is not kept (it may be a
        # password typed in the wrong field)
        audit.record(session, "sign-in-failed", subject=user, known=user is not None)
        return None
    audit.record(session, "sign-in", actor=user, subject=user)
    forget_attempts(session, account)
    session.execute(
        update(LoginCounter)
        .where(LoginCounter.key == client, LoginCounter.count > 0)
        .values(count=LoginCounter.count - 1)
    )
    return start_session(session, user, pending=second_factor.enrolled(session, user))


def second_step(session: Session, raw: str | None, code: str) -> SignedIn | None:
    """The signed-in session for a pending one and a good code; None for a bad code (or no
    pending session); TooManyAttempts when limited, like the password."""
    found = current(session, raw, pending=True)
    if found is None:
        return None
    user = found.user
    key = f"second:{user.id}"
    if count_attempt(session, key) > MAX_FAILURES:
        audit.record(session, "second-step-refused", subject=user, reason="rate limit")
        raise TooManyAttempts(
            message(N_("too many wrong codes; wait five minutes"), "second-step.limited")
        )
    if not second_factor.check(session, user, code):
        audit.record(session, "second-step-failed", subject=user)
        return None
    forget_attempts(session, key)
    sign_out(session, raw)  # a new id once fully signed in
    audit.record(session, "second-step", actor=user, subject=user)
    return start_session(session, user)


def start_session(session: Session, user: User, *, pending: bool = False) -> SignedIn:
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    session.add(
        WebSession(id_sha256=_digest(raw), user_id=user.id, csrf_token=csrf, pending=pending)
    )
    session.flush()
    return SignedIn(raw, csrf, user, pending)


def current(session: Session, raw: str | None, *, pending: bool = False) -> WebSession | None:
    """The signed-in session of a cookie (pending=True: one waiting for its second step)."""
    if not raw:
        return None
    found = session.get(WebSession, _digest(raw))
    if found is None or bool(found.pending) != pending or not found.user.active:
        return None
    lifetime = PENDING_LIFETIME if found.pending else LIFETIME
    return found if found.created_at >= utcnow() - lifetime else None


def sign_out(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(delete(WebSession).where(WebSession.id_sha256 == _digest(raw)))


def end_all(session: Session, user_id: int) -> None:
    """End every browser session of an account (retired, second factor reset)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))
