"""The outbox: each event is fanned out once to the channels that want it, each delivery is sent
by one worker at a time, a failure is kept and tried again after a backoff that doubles, and
given up after the channel's attempts; deadlines near are stored once, so channels hear of them."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.models import Delivery, Document, Event
from translator.services import events, outbox

NOW = dt.datetime(2026, 12, 7, 8, 0)


class Recorder:
    """A channel for the tests: wants every event not addressed to one person, and fails the
    first `failing` sends."""

    def __init__(self, failing: int = 0, attempts: int = 3) -> None:
        self.sent: list[tuple[int, int]] = []
        self.failing = failing
        self.channel = outbox.Channel("recorder", self.plan, self.send, attempts)

    def plan(self, session: Session, config: dict[str, Any], event: Event) -> list[outbox.Planned]:
        return [] if event.user_id is not None else [outbox.Planned(1), outbox.Planned(2)]

    def send(self, sending: outbox.Sending) -> None:
        if self.failing:
            self.failing -= 1
            raise ConnectionRefusedError("the receiver at 127.0.0.1:9 refused")
        self.sent.append((sending.event.id, sending.delivery.target))


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    made = Recorder()
    monkeypatch.setattr(outbox, "channels", lambda: {"recorder": made.channel})
    return made


def config(database_url: str, root: Path | None = None) -> dict[str, Any]:
    return {"DATABASE_URL": database_url, "ROOT": str(root) if root else ""}


def an_event(factory: sessionmaker[Session], **given: Any) -> int:
    with db.transaction(factory) as session:
        document = session.scalars(select(Document).order_by(Document.id)).first()
        event = events.record(session, events.EDITION_PUBLISHED, document, language="fa", **given)
        session.flush()
        return event.id


def deliveries(factory: sessionmaker[Session]) -> list[Delivery]:
    with factory() as session:
        found = list(session.scalars(select(Delivery).order_by(Delivery.id)))
        session.expunge_all()
        return found


def test_an_event_is_fanned_out_once_to_each_target_and_sent(
    loaded: sessionmaker[Session], database_url: str, recorder: Recorder
) -> None:
    event = an_event(loaded, number=1)
    with db.transaction(loaded) as session:
        events.record(session, events.UNIT_SENT_BACK, None, user_id=None, language="fa")
    tried = outbox.run_once(config(database_url), loaded, now=NOW)
    assert tried == 4  # two events, two targets each
    assert (event, 1) in recorder.sent and (event, 2) in recorder.sent
    assert outbox.run_once(config(database_url), loaded, now=NOW) == 0  # nothing twice
    assert {d.state for d in deliveries(loaded)} == {outbox.SENT}


def test_a_personal_event_a_channel_does_not_want_makes_no_delivery(
    loaded: sessionmaker[Session], database_url: str, recorder: Recorder
) -> None:
    from translator.models import Role
    from translator.services import accounts

    with db.transaction(loaded) as session:
        accounts.create_user(session, "tara", Role.TRANSLATOR, "fa")
        tara = accounts.by_username(session, "tara")
        events.record(session, events.QUESTION_ANSWERED, None, user_id=tara.id, language="fa")
    assert outbox.run_once(config(database_url), loaded, now=NOW) == 0
    assert deliveries(loaded) == []
    with loaded() as session:
        waiting = select(func.count()).select_from(Event).where(Event.dispatched.is_(False))
        assert session.scalar(waiting) == 0


def test_a_failed_delivery_is_kept_tried_after_a_doubling_backoff_then_given_up(
    loaded: sessionmaker[Session], database_url: str, recorder: Recorder
) -> None:
    recorder.failing = 10
    an_event(loaded)
    outbox.run_once(config(database_url), loaded, now=NOW)
    first = deliveries(loaded)
    assert [(d.state, d.attempts) for d in first] == [(outbox.PENDING, 1)] * 2
    assert first[0].last_error == "ConnectionRefusedError: the receiver at 127.0.0.1:9 refused"
    assert first[0].next_at == NOW + dt.timedelta(seconds=30)
    assert outbox.run_once(config(database_url), loaded, now=NOW + dt.timedelta(seconds=29)) == 0
    outbox.run_once(config(database_url), loaded, now=NOW + dt.timedelta(seconds=30))
    second = deliveries(loaded)[0]
    assert second.attempts == 2
    assert second.next_at == NOW + dt.timedelta(seconds=30) + dt.timedelta(minutes=1)
    outbox.run_once(config(database_url), loaded, now=NOW + dt.timedelta(hours=1))
    assert [(d.state, d.attempts) for d in deliveries(loaded)] == [(outbox.FAILED, 3)] * 2
    assert recorder.sent == []


def test_a_delivery_that_fails_once_is_sent_at_its_next_try(
    loaded: sessionmaker[Session], database_url: str, recorder: Recorder
) -> None:
    recorder.failing = 1
    event = an_event(loaded)
    outbox.run_once(config(database_url), loaded, now=NOW)
    assert len(recorder.sent) == 1  # the second target's first try went through
    outbox.run_once(config(database_url), loaded, now=NOW + dt.timedelta(minutes=1))
    assert sorted(recorder.sent) == [(event, 1), (event, 2)]
    assert [d.state for d in deliveries(loaded)] == [outbox.SENT] * 2


def test_the_backoff_doubles_from_thirty_seconds_to_at_most_six_hours() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert outbox.backoff(30) == dt.timedelta(hours=6)


def test_two_workers_at_once_fan_an_event_out_once_and_send_each_delivery_once(
    loaded: sessionmaker[Session], database_url: str, recorder: Recorder
) -> None:
    made = [an_event(loaded, number=n) for n in range(20)]
    with ThreadPoolExecutor(2) as pool:
        tried = list(
            pool.map(lambda _: outbox.run_once(config(database_url), loaded, now=NOW), range(2))
        )
    assert sum(tried) == 40
    assert sorted(recorder.sent) == sorted((e, t) for e in made for t in (1, 2))


def test_a_claimed_delivery_is_not_taken_again_until_its_lease_ends(
    loaded: sessionmaker[Session], database_url: str, recorder: Recorder
) -> None:
    an_event(loaded)
    with db.transaction(loaded) as session:
        outbox.dispatch(session, config(database_url), now=NOW)
    with db.transaction(loaded) as session:
        assert len(outbox.claim_due(session, now=NOW)) == 2  # a worker killed before it settled
    with db.transaction(loaded) as session:
        assert outbox.claim_due(session, now=NOW + dt.timedelta(minutes=1)) == []
    assert outbox.send_due(config(database_url), loaded, now=NOW + outbox.LEASE) == 2
    assert len(recorder.sent) == 2


def test_a_deadline_near_is_stored_once_for_each_language_not_ready(
    loaded: sessionmaker[Session], database_url: str, root: Path, recorder: Recorder
) -> None:
    with loaded() as session:
        alert = session.scalars(
            select(Document).where(Document.kind == "alert", Document.deadline.is_not(None))
        ).first()
        assert alert is not None and alert.deadline is not None
        deadline = alert.deadline
    near = dt.datetime.combine(deadline, dt.time(9, 0))
    with db.transaction(loaded) as session:
        first = events.record_deadlines_near(session, root=root, now=near)
    with db.transaction(loaded) as session:
        again = events.record_deadlines_near(session, root=root, now=near + dt.timedelta(hours=2))
    assert first >= 1 and again == 0
    with loaded() as session:
        stored = session.scalars(select(Event).where(Event.kind == events.DEADLINE_NEAR)).all()
        assert {e.data["deadline"] for e in stored} == {deadline.isoformat()}
        assert len({(e.document_id, e.language) for e in stored}) == len(stored) == first
    outbox.run_once(config(database_url, root), loaded, now=near + dt.timedelta(hours=3))
    assert len(recorder.sent) >= 2 * first
    a_day_before = dt.datetime.combine(deadline, dt.time()) - dt.timedelta(hours=1)
    with db.transaction(loaded) as session:
        assert events.record_deadlines_near(session, root=root, now=a_day_before) == 0


def test_stored_deadlines_near_do_not_show_twice_in_a_feed(
    loaded: sessionmaker[Session], root: Path
) -> None:
    from translator.models import Role
    from translator.services import accounts

    with loaded() as session:
        alert = session.scalars(
            select(Document).where(Document.kind == "alert", Document.deadline.is_not(None))
        ).first()
        assert alert is not None and alert.deadline is not None
        near = dt.datetime.combine(alert.deadline, dt.time(9, 0))
    with db.transaction(loaded) as session:
        accounts.create_user(session, "tara", Role.TRANSLATOR, "fa")
        events.record_deadlines_near(session, root=root, now=near)
    with loaded() as session:
        tara = accounts.by_username(session, "tara")
        read = events.for_reader(session, tara, root=root, now=near)
        keys = [(n.kind, n.slug, n.language) for n in read if n.kind == events.DEADLINE_NEAR]
    assert keys and len(keys) == len(set(keys))
