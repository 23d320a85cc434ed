"""The outbox: events leave the desk by mail, webhooks and a git mirror, each delivery kept until
it is sent.

An event is recorded once, in the transaction of what it tells (services/events.py). The job
workers (`translator worker`, and the embedded one `translator serve` starts) run `run_once`
every OUTBOX_SECONDS: it first fans new events out (`dispatch`: each channel says which targets
want the event and when it is due; one `Delivery` row each, made once whatever the number of
workers), then sends the deliveries that are due (`send_due`). A delivery is claimed by moving
its next try past a lease, so two workers never send it at the same time; it is sent outside
any transaction; a failure is kept as its `last_error` and tried again after a backoff that
doubles (30 s, 1 min, 2 min … at most 6 h), and given up after the channel's `attempts`. The
deliveries table is the truth, not a broker: a worker killed mid-send leaves the delivery to
be tried again when its lease ends.

Channels are small modules, each a `Channel`: mail (services/mail.py), webhooks
(services/webhooks.py) and the git mirror (services/git_mirror.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.models import Delivery, Document, Event, User, utcnow
from translator.services import events, policy

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
LEASE = dt.timedelta(minutes=5)  # a claimed delivery is tried again after this, if not settled
FIRST_BACKOFF = dt.timedelta(seconds=30)
LONGEST_BACKOFF = dt.timedelta(hours=6)
BATCH = 200  # events fanned out, or deliveries sent, in one round


@dataclass(frozen=True)
class Planned:
    """A delivery a channel wants: to `target`, due at `at` (None: now)."""

    target: int = 0
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Sending:
    """What a channel's `send` gets: the delivery (detached: read it, do not change it), its
    event, the configuration and a way to open sessions."""

    delivery: Delivery
    event: Event
    config: dict[str, Any]
    factory: sessionmaker[Session]

    def session(self) -> Any:
        return db.transaction(self.factory)


@dataclass(frozen=True)
class Channel:
    """A way out: `plan` says who gets an event (empty: nobody, or the channel is not
    configured); `send` sends one delivery and raises on failure (its message is kept as the
    delivery's last error, so it must not carry a secret); after `attempts` failures it is
    given up."""

    name: str
    plan: Callable[[Session, dict[str, Any], Event], list[Planned]]
    send: Callable[[Sending], None]
    attempts: int = 8


def channels() -> dict[str, Channel]:
    """Every channel, by name."""
    from translator.services import git_mirror, mail, webhooks  # they read this module's types

    return {c.name: c for c in (mail.CHANNEL, webhooks.CHANNEL, git_mirror.CHANNEL)}


def backoff(attempts: int) -> dt.timedelta:
    """How long after its `attempts`-th failure a delivery is tried again."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), LONGEST_BACKOFF)


def dispatch(session: Session, config: dict[str, Any], *, now: dt.datetime | None = None) -> int:
    """Fan the events not dispatched yet out to their channels' deliveries; how many events.
    The events are taken with their rows locked (PostgreSQL: SKIP LOCKED, so two workers share
    them; SQLite: the first write takes the one write lock)."""
    now = now or utcnow()
    root = Path(config["ROOT"]) if config.get("ROOT") else None
    events.record_deadlines_near(session, root=root, now=now)
    session.flush()
    query = select(Event).where(Event.dispatched.is_(False)).order_by(Event.id).limit(BATCH)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        session.execute(update(Event).where(Event.id < 0).values(dispatched=True))  # the lock
    found = list(session.scalars(query))
    every = channels().values()
    for event in found:
        for channel in every:
            for planned in channel.plan(session, config, event):
                session.add(
                    Delivery(
                        channel=channel.name,
                        target=planned.target,
                        event_id=event.id,
                        next_at=planned.at or now,
                        created_at=now,
                    )
                )
        event.dispatched = True
    session.flush()
    return len(found)


def claim_due(session: Session, *, now: dt.datetime | None = None, limit: int = BATCH) -> list[int]:
    """The ids of pending deliveries due by `now`, each claimed for LEASE (their next try moved
    past it and an attempt counted), so no other worker takes them meanwhile."""
    now = now or utcnow()
    query = (
        select(Delivery.id)
        .where(Delivery.state == PENDING, Delivery.next_at <= now)
        .order_by(Delivery.next_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        session.execute(update(Delivery).where(Delivery.id < 0).values(attempts=0))  # the lock
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(next_at=now + LEASE, attempts=Delivery.attempts + 1)
        )
    return ids


def settle(
    session: Session, delivery_id: int, error: str | None, *, now: dt.datetime | None = None
) -> None:
    """Record a try's outcome: sent, or its error and the next try (or given up)."""
    now = now or utcnow()
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        return
    if error is None:
        delivery.state, delivery.sent_at, delivery.last_error = SENT, now, ""
        return
    delivery.last_error = error[:2000]
    attempts = channels()[delivery.channel].attempts if delivery.channel in channels() else 1
    if delivery.attempts >= attempts:
        delivery.state = FAILED
    else:
        delivery.next_at = now + backoff(delivery.attempts)


def send_due(
    config: dict[str, Any], factory: sessionmaker[Session], *, now: dt.datetime | None = None
) -> int:
    """Send every delivery due by `now`; how many were tried."""
    with db.transaction(factory) as session:
        ids = claim_due(session, now=now)
    every = channels()
    for delivery_id in ids:
        with factory() as session:
            delivery = session.get(Delivery, delivery_id)
            event = session.get(Event, delivery.event_id) if delivery is not None else None
            if delivery is None or event is None:
                continue
            session.expunge(delivery)
            session.expunge(event)
        channel = every.get(delivery.channel)
        error: str | None
        try:
            if channel is None:
                raise LookupError(f"no channel {delivery.channel!r}")
            channel.send(Sending(delivery, event, config, factory))
            error = None
        except Exception as exc:  # kept as the delivery's last error, tried again later
            error = db_line(exc)
            log.warning("delivery %d (%s) failed: %s", delivery_id, delivery.channel, error)
        with db.transaction(factory) as session:
            settle(session, delivery_id, error, now=now)
    return len(ids)


@dataclass(frozen=True)
class Logged:
    """One delivery as the log shows it: `to` says whom by its channel: a person's user name
    (mail: never the address), "webhook <id>", or "mirror"; `next_at` when a pending one is
    tried next."""

    id: int
    channel: str
    to: str
    kind: str
    document: str | None
    language: str | None
    state: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    next_at: dt.datetime | None
    sent_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        moments = {"created_at": self.created_at, "next_at": self.next_at, "sent_at": self.sent_at}
        return {
            **{k: v for k, v in self.__dict__.items() if k not in moments},
            **{k: v.isoformat(timespec="seconds") if v else None for k, v in moments.items()},
        }


def delivery_log(
    session: Session,
    who: policy.Actor | User | None,
    *,
    channel: str | None = None,
    state: str | None = None,
    limit: int = 100,
) -> list[Logged]:
    """The delivery log of every channel (or one), newest first: for those who read the audit
    log (the command line's operator, admins)."""
    policy.require(session, policy.by_whom(session, who), policy.Action.READ_AUDIT, audited=False)
    query = (
        select(Delivery, Event.kind, Event.language, Document.slug, User.username)
        .join(Event, Event.id == Delivery.event_id)
        .outerjoin(Document, Document.id == Event.document_id)
        .outerjoin(User, (Delivery.channel == "mail") & (User.id == Delivery.target))
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if state is not None:
        query = query.where(Delivery.state == state)
    return [
        Logged(
            id=delivery.id,
            channel=delivery.channel,
            to=_recipient(delivery, username),
            kind=kind,
            document=slug,
            language=language,
            state=delivery.state,
            attempts=delivery.attempts,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            next_at=delivery.next_at if delivery.state == PENDING else None,
            sent_at=delivery.sent_at,
        )
        for delivery, kind, language, slug, username in session.execute(query)
    ]


def _recipient(delivery: Delivery, username: str | None) -> str:
    if delivery.channel == "mail":
        return username or f"account {delivery.target} (gone)"
    if delivery.channel == "webhook":
        return f"webhook {delivery.target}"
    return "mirror"


def db_line(exc: BaseException) -> str:
    """An error in one line, as a delivery log shows it."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def run_once(
    config: dict[str, Any], factory: sessionmaker[Session], *, now: dt.datetime | None = None
) -> int:
    """One round: fan new events out, then send what is due; how many deliveries were tried."""
    while True:
        with db.transaction(factory) as session:
            if dispatch(session, config, now=now) < BATCH:
                break
    return send_due(config, factory, now=now)


def watch(config: dict[str, Any]) -> threading.Event:
    """In a worker's main process: a round every OUTBOX_SECONDS until the event returned is
    set. A store that does not answer is logged in one line and tried at the next round."""
    every = float(config.get("OUTBOX_SECONDS", 5))
    stop = threading.Event()
    factory = db.session_factory(db.make_engine(config["DATABASE_URL"]))

    def loop() -> None:
        while not stop.wait(every):
            try:
                run_once(config, factory)
            except Exception as exc:  # the store away: the next round tries again
                log.warning("could not send the outbox: %s", db_line(exc))

    threading.Thread(target=loop, name="outbox", daemon=True).start()
    return stop
