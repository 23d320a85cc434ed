"""API tokens for build scripts: shown once, stored as a hash, scoped, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator.models import ApiToken, User
from translator.services import DeskError, audit, policy

SCOPES = ("read", "translate", "review", "publish", "admin")
PREFIX = "tdk_"


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked: bool


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(session: Session, username: str, scopes: list[str], *, by: User | None = None) -> str:
    """A new token for a user; returns it (the only time it is seen)."""
    policy.require(session, policy.by_whom(session, by), policy.Action.MANAGE_TOKENS, audited=False)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise DeskError(f"no user {username!r}")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise DeskError(f"scopes must be some of {', '.join(SCOPES)}; got {','.join(scopes)!r}")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_sha256=_digest(raw),
        scopes=",".join(s for s in SCOPES if s in scopes),
    )
    session.add(token)
    session.flush()
    audit.record(
        session, "token-created", actor=by, subject=user, token=token.id, scopes=token.scopes
    )
    return raw


def authenticate(session: Session, raw: str) -> tuple[User, frozenset[str]] | None:
    """The user and scopes of a valid, unrevoked token of an active user; else None."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(raw)))
    if token is None or token.revoked or not token.user.active:
        return None
    return token.user, frozenset(token.scopes.split(","))


def listing(
    session: Session, username: str | None = None, *, who: User | None = None
) -> list[TokenInfo]:
    """The tokens (never their secrets), for admins (`who=None` is the command line)."""
    policy.require(
        session, policy.by_whom(session, who), policy.Action.MANAGE_TOKENS, audited=False
    )
    query = select(ApiToken, User.username).join(User).order_by(ApiToken.id)
    if username:
        query = query.where(User.username == username)
    return [
        TokenInfo(token.id, name, tuple(token.scopes.split(",")), token.created_at, token.revoked)
        for token, name in session.execute(query)
    ]


def revoke(session: Session, token_id: int, *, by: User | None = None) -> None:
    policy.require(session, policy.by_whom(session, by), policy.Action.MANAGE_TOKENS, audited=False)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise DeskError(f"no token {token_id}")
    if not token.revoked:
        token.revoked = True
        audit.record(session, "token-revoked", actor=by, subject=token.user_id, token=token.id)
