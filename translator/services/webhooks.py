"""Webhooks: the addresses where the campaign's bots and site builds hear of events, and the
outbox channel (services/outbox.py) that posts each event to them, signed per Standard Webhooks
(https://www.standardwebhooks.com/, version 1.0.0).

An admin registers an endpoint (a URL and the event types it wants) and is shown its signing
secret once, `whsec_` and the base64 of 24 random bytes; the desk keeps it to sign with. For
each event of a type an active endpoint subscribed to, the outbox makes one delivery and the
workers post it: a JSON body `{"type", "timestamp", "data"}` and the headers `webhook-id` (the
same on every attempt of a delivery, so a receiver can drop a repeat), `webhook-timestamp` (the
attempt's, in integer seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`. A 2xx answer is sent; anything else (a redirect too: none is followed)
or no answer within TIMEOUT is kept as the delivery's last error and tried again with the
outbox's backoff, given up after ATTEMPTS; `410 Gone` removes the endpoint, as the
specification asks. Removing an endpoint stops its deliveries not sent yet.

Webhooks carry what concerns the whole campaign only: an event addressed to one volunteer
(`unit.sent_back`, `question.answered`) is never sent, and a payload holds the document's own
words, ids and figures, never a person's name (DATA, a list of what may go out).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import http.client
import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from translator.messages import N_, Message, message
from translator.models import Delivery, Event, WebhookEndpoint, utcnow
from translator.services import Invalid, events, policy
from translator.services.editing import NotFound
from translator.services.outbox import FAILED, PENDING, Channel, Planned, Sending

NAME = "webhook"  # the outbox's channel, and `Delivery.channel`
# what each event type tells, for the people who choose them; the personal ones are not here
KINDS: dict[str, Message] = {
    events.ALERT_ADDED: message(N_("a new alert to translate, with its priority and deadline")),
    events.EDITION_PUBLISHED: message(N_("an edition published, with its snapshot's number")),
    events.CORRECTION_DUE: message(
        N_("the English of a published edition changed: a correction is due")
    ),
    events.DEADLINE_NEAR: message(N_("an alert due within a day whose edition is not ready")),
}
# the values of an event that may go out: the document's own words, ids and figures
DATA = ("slug", "title", "language", "priority", "deadline", "number", "changed", "publication")
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24  # the specification's least
TIMEOUT = 10.0  # seconds for the connection and for each read of the answer
# 30 s, 1 min, 2 min … 6 h, 6 h: about a day and a half before a delivery is given up
ATTEMPTS = 16
ANSWER_BYTES = 64 * 1024  # read of an answer, and dropped: only its status counts
USER_AGENT = "translation-desk-webhooks/1"
_STATUS = re.compile(r"\bHTTP (\d{3})\b")


@dataclass(frozen=True)
class Endpoint:
    """A webhook as the admin pages and the command line show it (never its secret)."""

    id: int
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "events": list(self.events),
            "active": self.active,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class Made:
    """A new webhook and its signing secret, which is shown this once."""

    endpoint: Endpoint
    secret: str


@dataclass(frozen=True)
class Logged:
    """One delivery in the log: `status` is the HTTP status of its last failed attempt (a sent
    one answered 2xx), `next_at` when a pending one is tried again."""

    id: int
    webhook: int
    event: int
    kind: str
    state: str
    attempts: int
    last_error: str
    status: int | None
    next_at: dt.datetime | None
    created_at: dt.datetime
    sent_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook": self.webhook,
            "event": self.event,
            "type": self.kind,
            "state": self.state,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "status": self.status,
            "next_at": _iso(self.next_at) if self.next_at else None,
            "created_at": _iso(self.created_at),
            "sent_at": _iso(self.sent_at) if self.sent_at else None,
        }


# ---------------------------------------------------------------------------------------------
# Registering endpoints


def add(session: Session, who: policy.Actor, url: str, kinds: Iterable[str]) -> Made:
    """Register an endpoint for `kinds` of events (admins, second factor, audited); its
    signing secret is returned, the only time anyone sees it."""
    with policy.acting(session, who, policy.Action.MANAGE_WEBHOOKS) as act:
        address, chosen = checked_url(url), checked_kinds(kinds)
        secret = new_secret()
        endpoint = WebhookEndpoint(
            url=address, events=list(chosen), secret=secret, active=True, created_at=utcnow()
        )
        session.add(endpoint)
        session.flush()
        # the host only: a receiver's path may hold a token of its own
        act.details.update(
            webhook=endpoint.id, change="added", host=_host(address), events=list(chosen)
        )
    return Made(_shown(endpoint), secret)


def listing(session: Session, who: policy.Actor, *, removed: bool = False) -> list[Endpoint]:
    """The active endpoints (and the removed ones, if asked), oldest first."""
    policy.require(session, who, policy.Action.MANAGE_WEBHOOKS, audited=False)
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if not removed:
        query = query.where(WebhookEndpoint.active.is_(True))
    return [_shown(endpoint) for endpoint in session.scalars(query)]


def remove(session: Session, who: policy.Actor, webhook_id: int) -> int:
    """Remove an endpoint (admins, second factor, audited): it gets no new event, and its
    deliveries not sent yet are given up; how many. Its log stays."""
    with policy.acting(session, who, policy.Action.MANAGE_WEBHOOKS) as act:
        endpoint = session.get(WebhookEndpoint, webhook_id)
        if endpoint is None or not endpoint.active:
            raise NotFound(message(N_("no webhook %(id)d"), "webhook.unknown", id=webhook_id))
        stopped = _deactivate(session, endpoint, "removed")
        act.details.update(webhook=webhook_id, change="removed", stopped=stopped)
    return stopped


def deliveries(
    session: Session, who: policy.Actor, webhook_id: int | None = None, *, limit: int = 100
) -> list[Logged]:
    """The log: the latest deliveries of every webhook (or of one), newest first."""
    policy.require(session, who, policy.Action.MANAGE_WEBHOOKS, audited=False)
    query = (
        select(Delivery, Event.kind)
        .join(Event, Event.id == Delivery.event_id)
        .where(Delivery.channel == NAME)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if webhook_id is not None:
        query = query.where(Delivery.target == webhook_id)
    return [_logged(delivery, kind) for delivery, kind in session.execute(query)]


def checked_url(url: str) -> str:
    """`url` if it is an http or https address with a host and no user name or password; else
    Invalid, saying why."""
    address = url.strip()
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018  # a port out of range raises here
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or len(address) > 2000:
        raise Invalid(
            message(
                N_("the address must start with http:// or https:// and name a host"),
                "webhook.url",
            )
        )
    if parts.username is not None or parts.password is not None:
        raise Invalid(
            message(
                N_("put no user name or password in the address: the signature shows who sent it"),
                "webhook.url-credentials",
            )
        )
    return address


def checked_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """The event types asked for, in the desk's order; Invalid for none, or for one that is
    not sent to webhooks (unknown, or addressed to one volunteer)."""
    asked = {kind.strip() for kind in kinds if kind.strip()}
    if not asked:
        raise Invalid(message(N_("choose at least one event type"), "webhook.no-events"))
    unknown = sorted(asked - set(KINDS))
    if unknown:
        raise Invalid(
            message(
                N_("%(kind)s is not an event type webhooks receive; they receive %(kinds)s"),
                "webhook.event-type",
                kind=unknown[0],
                kinds=", ".join(KINDS),
            )
        )
    return tuple(kind for kind in KINDS if kind in asked)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _shown(endpoint: WebhookEndpoint) -> Endpoint:
    return Endpoint(
        endpoint.id, endpoint.url, tuple(endpoint.events), endpoint.active, endpoint.created_at
    )


def _logged(delivery: Delivery, kind: str) -> Logged:
    return Logged(
        id=delivery.id,
        webhook=delivery.target,
        event=delivery.event_id,
        kind=kind,
        state=delivery.state,
        attempts=delivery.attempts,
        last_error=delivery.last_error,
        status=status_of(delivery.last_error),
        next_at=delivery.next_at if delivery.state == PENDING else None,
        created_at=delivery.created_at,
        sent_at=delivery.sent_at,
    )


def status_of(last_error: str) -> int | None:
    """The HTTP status a failed attempt was answered with (as `NotAccepted` words it)."""
    found = _STATUS.search(last_error)
    return int(found.group(1)) if found else None


def _deactivate(session: Session, endpoint: WebhookEndpoint, why: str) -> int:
    """No new events for `endpoint`; its deliveries not sent yet given up; how many."""
    endpoint.active = False
    stopped = session.execute(
        update(Delivery)
        .where(
            Delivery.channel == NAME,
            Delivery.target == endpoint.id,
            Delivery.state == PENDING,
        )
        .values(state=FAILED, last_error=f"EndpointRemoved: webhook {endpoint.id} {why}")
    )
    return int(getattr(stopped, "rowcount", 0) or 0)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _iso(at: dt.datetime) -> str:
    """A stored (naive UTC) time in ISO 8601 with its zone, as the payloads carry it."""
    return at.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------------------------------------
# The payload and its signature: pure functions


def payload(event: Event, *, base_url: str | None = None) -> dict[str, Any]:
    """What a webhook receives of `event`: its type, when it happened, and its values (those
    in DATA), with the desk's pages as absolute URLs when its address (BASE_URL) is known."""
    values = {**event.data, "language": event.language}
    data = {key: values[key] for key in DATA if values.get(key) not in (None, "")}
    if base_url and data.get("slug"):
        data.update(links(event.kind, data, base_url))
    return {"type": event.kind, "timestamp": _iso(event.created_at), "data": data}


def links(kind: str, data: dict[str, Any], base_url: str) -> dict[str, str]:
    """The desk's pages of an event: the document and the edition on the dashboard, and for a
    publication its snapshot and the published edition's files. (The paths are the web's
    routes, held to them by tests/test_webhooks.py.)"""
    base, slug = base_url.rstrip("/"), quote(str(data["slug"]), safe="")
    found = {"document_url": f"{base}/dashboard/documents/{slug}"}
    language = data.get("language")
    if language:
        found["edition_url"] = f"{base}/dashboard/documents/{slug}/{quote(str(language))}"
    if kind == events.EDITION_PUBLISHED and language:
        found["html_url"] = f"{base}/documents/{slug}/{quote(str(language))}/edition.html"
        found["pdf_url"] = f"{base}/documents/{slug}/{quote(str(language))}/edition.pdf"
    if kind == events.EDITION_PUBLISHED and data.get("publication"):
        found["publication_url"] = f"{base}/publications/{int(data['publication'])}"
    return found


def body_of(sent: dict[str, Any]) -> bytes:
    """The JSON sent, compact and in UTF-8: the bytes that are signed are the bytes sent."""
    return json.dumps(sent, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signing_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_` secret: its base64 part, decoded."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def message_id(secret: str, delivery_id: int) -> str:
    """The delivery's `webhook-id`: the same on every attempt, and not guessable without the
    endpoint's secret (no `.` in it, as the signed text's separator)."""
    tag = hmac.new(signing_key(secret), b"webhook-id:%d" % delivery_id, hashlib.sha256).digest()
    return f"msg_{delivery_id}_{base64.urlsafe_b64encode(tag[:12]).decode()}"


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt: the Standard Webhooks three, and the body's type."""
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
    }


# ---------------------------------------------------------------------------------------------
# The channel


class NotAccepted(Exception):
    """The receiver answered, but not 2xx (a redirect is not followed): `HTTP <status>` is the
    delivery's last error, read back by `status_of`."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status


class EndpointRemoved(Exception):
    """The delivery's endpoint was removed while it waited: it is given up."""


def plan(session: Session, config: dict[str, Any], event: Event) -> list[Planned]:
    """The active endpoints subscribed to the event's type; none for an event addressed to one
    volunteer."""
    if event.user_id is not None or event.kind not in KINDS:
        return []
    active = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id)
    )
    return [Planned(target=endpoint.id) for endpoint in active if event.kind in endpoint.events]


def send(sending: Sending) -> None:
    """Post one delivery, signed now; raise unless the receiver answered 2xx."""
    delivery = sending.delivery
    with sending.session() as session:
        endpoint = session.get(WebhookEndpoint, delivery.target)
        if endpoint is None or not endpoint.active:
            _give_up(session, delivery.id)
            raise EndpointRemoved(f"webhook {delivery.target} was removed")
        url, secret = endpoint.url, endpoint.secret
    body = body_of(payload(sending.event, base_url=sending.config.get("BASE_URL")))
    sent = headers(secret, message_id(secret, delivery.id), int(time.time()), body)
    status, reason = post(url, body, sent)
    if 200 <= status < 300:
        return
    if status == 410:  # the receiver wants no more: the specification says to stop sending
        with sending.session() as session:
            gone = session.get(WebhookEndpoint, delivery.target)
            if gone is not None and gone.active:
                _deactivate(session, gone, "answered 410 Gone")
    raise NotAccepted(status, reason)


def _give_up(session: Session, delivery_id: int) -> None:
    """A delivery whose endpoint is gone is not tried again (the outbox's settling keeps a
    failed state: it only counts the attempt and keeps the error)."""
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(state=FAILED))


def post(url: str, body: bytes, sent: dict[str, str]) -> tuple[int, str]:
    """POST `body` to `url`: the answer's status and reason (its body read, up to a limit, and
    dropped). Redirects are not followed; a connection that fails or stays silent TIMEOUT
    seconds raises."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=TIMEOUT)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=sent)
        answer = connection.getresponse()
        answer.read(ANSWER_BYTES)
        return answer.status, answer.reason
    finally:
        connection.close()


CHANNEL = Channel(NAME, plan, send, attempts=ATTEMPTS)
