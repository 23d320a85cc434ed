"""A second factor for signing in: TOTP (RFC 6238) codes from an authenticator app, and ten
one-time recovery codes.

Required for editors and admins before they approve, publish or administer; optional for
translators and reviewers; API tokens are not concerned. A code is accepted once: the last used
time step is kept and moved forward by one atomic update, so a code seen over a shoulder (or
sent twice at once) opens nothing the second time. Recovery codes are stored as SHA-256 hashes
(they are random, 48 bits each, behind the rate limit, so a fast hash is enough) and each works
once. The QR code is drawn by the desk itself (segno, SVG): nothing is fetched from another
origin.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from translator.messages import N_, message
from translator.models import RecoveryCode, Role, SecondFactor, User
from translator.services import DeskError, audit

ISSUER = "Translation desk"
RECOVERY_CODES = 10
WINDOW_STEPS = 1  # a code of the step before or after is accepted too (clocks drift)


def enrolled(session: Session, user: User) -> bool:
    factor = session.get(SecondFactor, user.id)
    return factor is not None and factor.confirmed


def enrolled_ids(session: Session) -> set[int]:
    """The ids of the accounts with a confirmed second factor."""
    return set(session.scalars(select(SecondFactor.user_id).where(SecondFactor.confirmed)))


def required(user: User) -> bool:
    """Editors and admins need one before they approve, publish or administer."""
    return user.role in (Role.EDITOR, Role.ADMIN)


def begin(session: Session, user: User) -> str:
    """A new, unconfirmed secret for the user (replacing an unconfirmed one); returns it."""
    factor = session.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed:
        raise DeskError(
            message(
                N_("a second factor is already set up; an admin can reset it"),
                "second-factor.set-up",
            )
        )
    secret = pyotp.random_base32()
    if factor is None:
        session.add(SecondFactor(user_id=user.id, secret=secret, confirmed=False, last_step=0))
    else:
        factor.secret = secret
    session.flush()
    return secret


def pending_secret(session: Session, user: User) -> str | None:
    factor = session.get(SecondFactor, user.id)
    return factor.secret if factor is not None and not factor.confirmed else None


def uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG markup."""
    out = io.BytesIO()
    segno.make(text, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, scale=4, title="QR", svgclass="qr"
    )
    return out.getvalue().decode()


def confirm(session: Session, user: User, code: str) -> list[str]:
    """Finish enrolment with a first code from the app; returns the recovery codes (shown once)."""
    factor = session.get(SecondFactor, user.id)
    if factor is None or factor.confirmed:
        raise DeskError(
            message(N_("start setting up the second factor first"), "second-factor.not-begun")
        )
    if not _use_totp(session, factor, code):
        raise DeskError(
            message(
                N_("that code does not match: check the app's clock and try the next one"),
                "second-factor.wrong-code",
            )
        )
    factor.confirmed = True
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(RecoveryCode(user_id=user.id, code_sha256=_digest(c)) for c in codes)
    session.flush()
    audit.record(session, "second-factor-enrolled", actor=user, subject=user)
    return codes


def check(session: Session, user: User, code: str) -> bool:
    """Whether `code` (from the app, or a recovery code) opens the second step; each once."""
    factor = session.get(SecondFactor, user.id)
    if factor is None or not factor.confirmed:
        return False
    cleaned = "".join(code.split())
    if cleaned.isdigit():
        return _use_totp(session, factor, cleaned)
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_sha256 == _digest(cleaned.lower()),
            RecoveryCode.used.is_(False),
        )
        .values(used=True)
    )
    if spent.rowcount == 1:  # type: ignore[attr-defined]
        audit.record(session, "recovery-code-used", actor=user, subject=user)
        return True
    return False


def reset(session: Session, by: User | None, user: User) -> None:
    """Remove someone's second factor (a lost phone): they set up a new one at next sign-in.
    Every session of theirs ends too: whoever holds the lost phone may hold a session."""
    from translator.services import (
        policy,
        sessions,  # sessions imports this module
    )

    actor = policy.by_whom(session, by)
    policy.require(session, actor, policy.Action.RESET_SECOND_FACTOR, audited=False)
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(session, user.id)
    audit.record(session, "second-factor-reset", actor=by, subject=user)


def _use_totp(session: Session, factor: SecondFactor, code: str) -> bool:
    totp = pyotp.TOTP(factor.secret)
    now = int(time.time()) // totp.interval
    for step in range(now - WINDOW_STEPS, now + WINDOW_STEPS + 1):
        if not hmac.compare_digest(totp.generate_otp(step), code):
            continue
        moved = session.execute(  # only forward: a code is used once, even by two at once
            update(SecondFactor)
            .where(SecondFactor.user_id == factor.user_id, SecondFactor.last_step < step)
            .values(last_step=step)
        )
        return moved.rowcount == 1  # type: ignore[attr-defined]
    return False


def _recovery_code() -> str:
    raw = secrets.token_hex(6)
    return f"{raw[:6]}-{raw[6:]}"


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").encode()).hexdigest()


def recovery_left(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used.is_(False)
            )
        ).all()
    )
