"""The mail channel of the outbox (services/outbox.py): opt-in e-mail over SMTP to the
volunteers who gave, and confirmed, an address (services/mail_addresses.py).

Who: each active person with a confirmed address whom an event concerns, as the feed decides it
(`events.concerns`: their languages, new alerts, what is addressed to them alone). When: at once
for what is urgent (a deadline near, or anything about an alert marked urgent), else in the daily
digest at DIGEST_HOUR (UTC). A person's deliveries the outbox claims in one round leave as one
mail; if it fails, each of them keeps the error and is tried again after its backoff.

This module is mail's edge, as web/ is the pages': a mail says each event as the feed does, in
its reader's interface language (speaking.Voice; the account's language, else the one the
address was given in), links to the desk at BASE_URL, and names nobody: no volunteer, no other
address. The address is never logged nor kept in a delivery's error. With no SMTP_URL, nothing
is planned: the desk sends no mail.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import logging
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from translator import languages, secret_key, speaking
from translator.formats.mail import Item, Letter, domain_of, write
from translator.messages import N_, counted
from translator.models import Delivery, Document, Event, User, utcnow
from translator.services import events, interface, mail_addresses
from translator.services.outbox import PENDING, SENT, Channel, Planned, Sending

log = logging.getLogger(__name__)
TIMEOUT = 20.0  # seconds a mail server may take to answer
UNREACHABLE_FOR = 60.0  # seconds: a server that could not be reached is not asked again sooner
STOP_PATH = "/mail/stop/"  # web/mail.py's route

WHY = N_(
    "You get this mail because you asked the translation desk for it. It never names another "
    "volunteer, and nobody else sees your address."
)
STOP_BY_LINK = N_("To stop these mails, open this link:")
STOP_ON_DESK = N_("To stop these mails, sign in to the desk: Your feed, then E-mail.")
CONFIRM_SUBJECT = N_("Confirm your address for the translation desk")
CONFIRM_TEXT = N_(
    "Someone, probably you, gave this address for the translation desk's notifications. Open "
    "the link below to confirm it; until then, no mail is sent to it."
)


class MailError(Exception):
    """A mail that did not leave: the mail server's answer or why it was not reached, never
    the address it was for (the text is kept in the delivery log)."""

    def __init__(self, text: str, *, unreachable: bool = False) -> None:
        super().__init__(text)
        self.unreachable = unreachable


# ----------------------------------------------------------------------------- who and when


def plan(session: Session, config: dict[str, Any], event: Event) -> list[Planned]:
    """A delivery for each person with a confirmed address whom `event` concerns: now when
    it is urgent, else at the next digest."""
    if not config.get("SMTP_URL"):
        return []
    at = None if urgent(session, event) else digest_after(event.created_at, config)
    return [Planned(user.id, at) for user in _addressees(session, event)]


def urgent(session: Session, event: Event) -> bool:
    """A deadline near, or anything about an alert marked urgent (the dashboard's urgency)."""
    if event.kind == events.DEADLINE_NEAR:
        return True
    document = session.get(Document, event.document_id) if event.document_id else None
    return document is not None and document.priority == "urgent"


def digest_after(at: dt.datetime, config: dict[str, Any]) -> dt.datetime:
    """The first daily digest (DIGEST_HOUR o'clock, UTC) at or after `at`."""
    hour = int(config.get("DIGEST_HOUR", 6)) % 24
    digest = dt.datetime.combine(at.date(), dt.time(hour))
    return digest if digest >= at else digest + dt.timedelta(days=1)


def _addressees(session: Session, event: Event) -> list[User]:
    query = select(User).where(User.active.is_(True), User.email.is_not(None))
    if event.user_id is not None:
        query = query.where(User.id == event.user_id)
    people = session.scalars(query.order_by(User.id))
    return [p for p in people if events.concerns(p, event.language, event.user_id)]


def language_of(user: User) -> str:
    """The language a person's mail is written in: their interface language, else the one
    they gave their address in, else English."""
    for code in (user.interface_language, user.email_language):
        if code and interface.known(code):
            return code
    return languages.SOURCE_LANGUAGE


# ------------------------------------------------------------------------------ the letters

# deliveries whose letter failed, by id: the rest of that letter's deliveries, sent later in
# the same round by this same process, fail with it rather than ask the server again
_failed_with_letter: dict[int, MailError] = {}


def send(sending: Sending) -> None:
    """Mail the person of this delivery every event of theirs claimed in the same round (one
    mail); those sent with it are marked sent, so their own turn sends nothing."""
    error = _failed_with_letter.pop(sending.delivery.id, None)
    if error is not None:
        raise error
    with sending.session() as session:
        found = _gathered(session, sending.delivery)
        if found is None:
            return  # sent in the letter of another delivery of the round
        person, notices, ids = found
        mail = letter(person, notices, sending.config)
    try:
        deliver(sending.config, mail)
    except MailError as failed:
        _failed_with_letter.update(dict.fromkeys(ids - {sending.delivery.id}, failed))
        raise
    with sending.session() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.state == PENDING)
            .values(state=SENT, sent_at=utcnow(), last_error="")
        )


class Unwanted(MailError):
    """The addressee no longer takes mail (stopped it, retired or deactivated)."""

    def __init__(self) -> None:
        super().__init__("its addressee takes no mail any more")


def _gathered(
    session: Session, delivery: Delivery
) -> tuple[User, list[events.Notice], set[int]] | None:
    """The addressee, the events of the letter (the deliveries to them claimed with this one,
    which share its next try), newest first, and those deliveries' ids; None when this one was
    sent already."""
    current = session.get(Delivery, delivery.id)
    if current is None or current.state != PENDING:
        return None
    person = session.get(User, delivery.target)
    if person is None or not person.active or not person.email:
        raise Unwanted()
    rows = session.execute(
        select(Delivery.id, Event)
        .join(Event, Event.id == Delivery.event_id)
        .where(
            Delivery.channel == CHANNEL.name,
            Delivery.target == delivery.target,
            Delivery.state == PENDING,
            Delivery.next_at == current.next_at,
        )
        .order_by(Event.created_at.desc(), Event.id.desc())
    ).all()
    session.expunge(person)
    return person, [events.notice(e) for _, e in rows], {i for i, _ in rows}


def letter(person: User, notices: list[events.Notice], config: dict[str, Any]) -> EmailMessage:
    """The mail telling `person` of `notices`, in their language."""
    code = language_of(person)
    voice = speaking.voice(code)
    base = str(config.get("BASE_URL") or "").rstrip("/")
    items = tuple(
        Item(
            voice.say(voice.language_named(notice.title)),
            voice.say(voice.language_named(notice.content)),
            base + path_of(notice) if base else "",
        )
        for notice in notices
    )
    if len(items) == 1:
        subject = items[0].title
    else:
        subject = voice.say(
            counted(
                "Translation desk: %(num)d update", "Translation desk: %(num)d updates", len(items)
            )
        )
    assert person.email is not None
    stop = base + STOP_PATH + mail_addresses.stop_token(secret_key(config), person) if base else ""
    footer = (voice.gettext(WHY), voice.gettext(STOP_BY_LINK if stop else STOP_ON_DESK))
    return _written(config, voice, person.email, subject, items, footer, stop)


def confirmation(config: dict[str, Any], address: str, code: str, link: str) -> EmailMessage:
    """The mail with the link that confirms `address`, in the language `code`."""
    voice = speaking.voice(code)
    subject = voice.gettext(CONFIRM_SUBJECT)
    days = mail_addresses.CONFIRM_DAYS
    footer = voice.say(
        counted(
            "The link works for %(num)d day. If it was not you, ignore this mail.",
            "The link works for %(num)d days. If it was not you, ignore this mail.",
            days,
        )
    )
    items = (Item(subject, voice.gettext(CONFIRM_TEXT), link),)
    return _written(config, voice, address, subject, items, (footer,), "")


def _written(
    config: dict[str, Any],
    voice: speaking.Voice,
    to: str,
    subject: str,
    items: tuple[Item, ...],
    footer: tuple[str, ...],
    stop: str,
) -> EmailMessage:
    sender = str(config.get("MAIL_FROM") or "desk@localhost")
    said = Letter(
        sender=sender,
        sender_name=voice.gettext(N_("Translation desk")),
        to=to,
        subject=subject,
        language=voice.code,
        direction=languages.get(voice.code).direction,
        items=items,
        footer=footer,
        stop_link=stop,
    )
    return write(said, date=utcnow(), message_id=make_msgid(domain=domain_of(sender)))


def path_of(notice: events.Notice) -> str:
    """Where on the desk a notice is seen: the page the feed links (web/feeds.py)."""
    language, slug = notice.language, notice.slug
    if notice.kind == events.EDITION_PUBLISHED and "publication" in notice.data:
        return f"/publications/{int(notice.data['publication'])}"
    if notice.unit_id is not None and language:
        return f"/translate/{language}/{slug}/{notice.unit_id}"
    if language:
        return f"/dashboard/documents/{slug}/{language}"
    return f"/dashboard/documents/{slug}"


# ------------------------------------------------------------------------------------- SMTP

_unreachable: dict[str, tuple[float, MailError]] = {}  # SMTP_URL -> (until, why), this process


def deliver(config: dict[str, Any], mail: EmailMessage) -> None:
    """Hand `mail` to the mail server of SMTP_URL: `smtp://host:port` (STARTTLS when the
    server offers it) or `smtps://host:465` (TLS from the start), with `user:password@` to
    sign in (never in clear but on the machine itself). Raises MailError."""
    configured = str(config.get("SMTP_URL") or "")
    known = _unreachable.get(configured)
    if known is not None and time.monotonic() < known[0]:
        raise known[1]
    url = urlsplit(configured)
    if url.scheme not in ("smtp", "smtps"):
        raise MailError("SMTP_URL must start with smtp:// or smtps://")
    host, port = url.hostname or "localhost", url.port or (465 if url.scheme == "smtps" else 25)
    try:
        _handed(url, host, port, mail, helo=domain_of(str(config.get("MAIL_FROM") or "")))
    except smtplib.SMTPRecipientsRefused as exc:
        code, answer = next(iter(exc.recipients.values()))
        raise MailError(
            f"the mail server refused the recipient: {code} {_scrubbed(answer)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(
            f"the mail server answered {exc.smtp_code} {_scrubbed(exc.smtp_error)}"
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        failed = MailError(
            f"the mail server {host}:{port} was not reached: {type(exc).__name__}",
            unreachable=True,
        )
        _unreachable[configured] = (time.monotonic() + UNREACHABLE_FOR, failed)
        raise failed from None
    _unreachable.pop(configured, None)


def _handed(url: SplitResult, host: str, port: int, mail: EmailMessage, *, helo: str) -> None:
    """One SMTP session. It greets with the sender's domain: smtplib's default, the machine's
    name, would tell the mail server which worker sent it (and costs a DNS lookup)."""
    client: smtplib.SMTP
    if url.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port, local_hostname=helo, timeout=TIMEOUT, context=_tls())
    else:
        client = smtplib.SMTP(host, port, local_hostname=helo, timeout=TIMEOUT)
    with client:
        client.ehlo()
        secure = url.scheme == "smtps"
        if not secure and client.has_extn("starttls"):
            client.starttls(context=_tls())
            client.ehlo()
            secure = True
        if url.username:
            if not secure and not _loopback(host):
                raise MailError("the mail server offers no TLS: the password is not sent in clear")
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(mail)


@functools.cache
def _tls() -> ssl.SSLContext:
    """The system's certificate authorities, read once per process (reading them costs more
    than handing a mail over)."""
    return ssl.create_default_context()


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _scrubbed(answer: bytes | str) -> str:
    """A server's answer for the log: one line, any address in it replaced."""
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
    line = text.strip().splitlines()[0] if text.strip() else ""
    return " ".join("<address>" if "@" in word else word for word in line.split())[:300]


CHANNEL = Channel("mail", plan, send, attempts=12)  # about 14 hours of tries
