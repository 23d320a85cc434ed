"""A volunteer's e-mail address for notifications: given on the desk, confirmed by a link mailed
to it, stopped at any time (by the person, by the link in every mail, by retiring them).

Mail goes only to a confirmed address (`User.email`); a given one waits as `email_pending`
until its link is followed, so a typing error mails nobody twice. The links carry no address:
each is signed with the desk's key and names the account and a hash of the address, so it
stops working once another address is given. An address is never shown back, not even to its
owner (a shared or stolen session must not reveal who a volunteer is); the page says only
whether mail is on.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm import Session

from translator.messages import N_, counted, message
from translator.models import Delivery, User, utcnow
from translator.services import Invalid

CONFIRM_DAYS = 2  # a confirmation link works this long
ASK_EVERY = dt.timedelta(minutes=5)  # at most one confirmation link mailed per account
MAX_LENGTH = 254  # RFC 5321's path limit, less the brackets
# one @, no spaces or controls, a dot in the domain; what a mail server takes is its own word
_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f\"<>(),;:\\\[\]]+@[a-z0-9-]+(\.[a-z0-9-]+)+")


class Standing(enum.StrEnum):
    OFF = "off"
    WAITING = "waiting"  # an address given, its link not followed yet
    ON = "on"


def standing(user: User) -> Standing:
    if user.email:
        return Standing.ON
    return Standing.WAITING if user.email_pending else Standing.OFF


def normalised(address: str) -> str:
    """The address as mail is sent to it (the domain in lower case and, if need be, in
    IDNA's ASCII), or Invalid."""
    local, _, domain = address.strip().rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower() if domain else ""
    except UnicodeError:
        ascii_domain = ""
    found = f"{local}@{ascii_domain}"
    if len(found) > MAX_LENGTH or not local.isascii() or not _ADDRESS.fullmatch(found):
        raise Invalid(message(N_("That is not an e-mail address."), "mail.not-an-address"))
    return found


def give(
    session: Session,
    user: User,
    address: str,
    *,
    language: str,
    now: dt.datetime | None = None,
) -> str:
    """Keep `address` as `user`'s, waiting for its confirmation, and the interface language it
    was given in; the address as it will be mailed. At most one link every ASK_EVERY."""
    found = normalised(address)
    now = now or utcnow()
    if user.email_asked_at is not None and now - user.email_asked_at < ASK_EVERY:
        left = ASK_EVERY - (now - user.email_asked_at)
        raise Invalid(
            counted(
                "A link was mailed a moment ago: ask again in %(num)d minute.",
                "A link was mailed a moment ago: ask again in %(num)d minutes.",
                max(1, -(-int(left.total_seconds()) // 60)),
                "mail.too-soon",
            )
        )
    user.email_pending, user.email_asked_at, user.email_language = found, now, language
    return found


def not_mailed(session: Session, user_id: int) -> None:
    """The confirmation link could not be mailed: the person may ask again at once."""
    user = session.get(User, user_id)
    if user is not None:
        user.email_asked_at = None


def confirm_token(key: str, user: User) -> str:
    """The link's token that confirms `user`'s waiting address."""
    assert user.email_pending is not None
    return _signer(key, "confirm").dumps([user.id, _digest(key, user.email_pending)])


def confirm(session: Session, key: str, token: str, *, now: dt.datetime | None = None) -> bool:
    """Follow a confirmation link: the waiting address it names becomes the account's; False
    when the link is not valid (unknown, expired, or another address given since)."""
    user = _holder(session, key, "confirm", token, now=now)
    if user is None or user.email_pending is None:
        return False
    user.email, user.email_pending = user.email_pending, None
    return True


def stop_token(key: str, user: User) -> str:
    """The token of the one-click link in each mail that stops mail to this address."""
    assert user.email is not None
    return _signer(key, "stop").dumps([user.id, _digest(key, user.email)])


def stop_by_link(session: Session, key: str, token: str) -> bool:
    """Follow a mail's stop link: no more mail to the address it was sent to; False when the
    link stops nothing now (mail already off, or another address confirmed since)."""
    user = _holder(session, key, "stop", token)
    if user is None:
        return False
    stop(session, user)
    return True


def stop(session: Session, user: User) -> None:
    """No more mail to `user`: the address (confirmed or waiting) forgotten, and what was
    still to be mailed to it given up."""
    user.email = user.email_pending = None
    user.email_asked_at = None
    session.execute(
        update(Delivery)
        .where(Delivery.channel == "mail", Delivery.target == user.id, Delivery.state == "pending")
        .values(state="failed", last_error="its addressee stopped mail")
    )


def _signer(key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=f"desk-mail-{purpose}")


def _digest(key: str, address: str) -> str:
    """The address, keyed: a link's payload can be read, and must not let anyone holding a
    list of addresses tell whose this one is."""
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _holder(
    session: Session, key: str, purpose: str, token: str, *, now: dt.datetime | None = None
) -> User | None:
    """The active account whose address (waiting, for a confirmation; confirmed, to stop) a
    valid link was made for; None for any other link."""
    try:
        value, signed = _signer(key, purpose).loads(token, return_timestamp=True)
    except BadSignature:
        return None
    age = (now or utcnow()) - signed.replace(tzinfo=None)
    if purpose == "confirm" and age > dt.timedelta(days=CONFIRM_DAYS):
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    user = session.get(User, value[0])
    if user is None or not user.active:
        return None
    address = user.email_pending if purpose == "confirm" else user.email
    return user if address is not None and value[1] == _digest(key, address) else None
