"""Webhooks: endpoints an admin registers (service, command line, admin page), and the outbox's
channel posting each event to them per Standard Webhooks, to a real HTTP receiver on 127.0.0.1
that checks every signature with an HMAC of its own; retried with backoff, given up, stopped;
never an event addressed to one volunteer, never a volunteer's name. SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import enrol, sign_in_fully
from translator import config as config_module
from translator import db
from translator.models import AuditEntry, Event, Role, Unit, WebhookEndpoint, utcnow
from translator.services import Invalid, accounts, documents, events, outbox, policy, webhooks

ALERT = "alert-toomaj-salehi"
BASE_URL = "https://desk.example.org"
VOLUNTEER = "sahar-volunteer"


# ---------------------------------------------------------------------------------------------
# A real receiver


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every POST and answers, per path, the statuses
    it is given in turn, then 200."""

    answers: dict[str, list[int]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                heard = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append(Received(self.path, heard, body))
                waiting = receiver.answers.get(self.path, [])
                self.send_response(waiting.pop(0) if waiting else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


def verified(secret: str, got: Received) -> bool:
    """The receiver's own check, as the specification says it (not the desk's code): the
    key is the base64 after `whsec_`; one `v1,` signature of "id.timestamp.body" must match;
    the timestamp within five minutes."""
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_") :])
    signed = b".".join(
        [got.headers["webhook-id"].encode(), got.headers["webhook-timestamp"].encode(), got.body]
    )
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(got.headers["webhook-timestamp"])) < 300
    return fresh and any(
        hmac.compare_digest(expected, given) for given in got.headers["webhook-signature"].split()
    )


# ---------------------------------------------------------------------------------------------
# The desk and its outbox


class Desk:
    """A loaded store, its outbox's configuration, and a clock the test steps."""

    def __init__(self, sessions: sessionmaker[Session], database_url: str, root: Any) -> None:
        self.sessions = sessions
        self.config = {
            **config_module.DEFAULTS,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "BASE_URL": BASE_URL,
        }
        self.start = utcnow()

    def store(self) -> Any:
        return db.transaction(self.sessions)

    def round(self, *, after: dt.timedelta = dt.timedelta()) -> int:
        """The workers' round, `after` the test's start: how many deliveries were tried."""
        return outbox.run_once(self.config, self.sessions, now=self.start + after)

    def add(self, url: str, *kinds: str) -> webhooks.Made:
        with self.store() as s:
            return webhooks.add(s, policy.OPERATOR, url, kinds)

    def log(self, webhook_id: int | None = None) -> list[webhooks.Logged]:
        with self.store() as s:
            return webhooks.deliveries(s, policy.OPERATOR, webhook_id)

    def alert_added(self, slug: str = ALERT) -> None:
        with self.store() as s:
            events.alert_added(s, documents.by_slug(s, slug))


@pytest.fixture
def desk(loaded: sessionmaker[Session], database_url: str, root: Any) -> Desk:
    return Desk(loaded, database_url, root)


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# Sending


def test_a_new_alert_reaches_its_subscribers_signed_and_nobody_else(
    desk: Desk, receiver: Receiver
) -> None:
    alerts = desk.add(receiver.url("/alerts"), "alert.added")
    editions = desk.add(receiver.url("/editions"), "edition.published")
    desk.alert_added()
    assert desk.round() == 1
    assert receiver.at("/editions") == []
    (got,) = receiver.at("/alerts")
    assert verified(alerts.secret, got) and not verified(editions.secret, got)
    assert got.headers["content-type"] == "application/json"
    assert re.fullmatch(r"msg_\d+_[A-Za-z0-9_-]+", got.headers["webhook-id"])
    sent = got.json
    assert set(sent) == {"type", "timestamp", "data"} and sent["type"] == "alert.added"
    assert dt.datetime.fromisoformat(sent["timestamp"]).tzinfo is not None
    assert sent["data"]["slug"] == ALERT and sent["data"]["priority"]
    assert sent["data"]["document_url"] == f"{BASE_URL}/dashboard/documents/{ALERT}"
    (logged,) = desk.log()
    assert (logged.webhook, logged.state, logged.attempts, logged.kind) == (
        alerts.endpoint.id,
        "sent",
        1,
        "alert.added",
    )


def test_a_failed_delivery_is_tried_again_after_the_backoff_with_the_same_id(
    desk: Desk, receiver: Receiver
) -> None:
    made = desk.add(receiver.url("/flaky"), "alert.added")
    receiver.answers["/flaky"] = [500]
    desk.alert_added()
    assert desk.round() == 1
    (logged,) = desk.log(made.endpoint.id)
    assert (logged.state, logged.attempts, logged.status) == ("pending", 1, 500)
    assert "HTTP 500" in logged.last_error and logged.next_at is not None
    assert logged.next_at >= desk.start + outbox.backoff(1)
    assert desk.round(after=dt.timedelta(seconds=10)) == 0  # not before the backoff
    assert desk.round(after=dt.timedelta(minutes=1)) == 1
    first, second = receiver.at("/flaky")
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert verified(made.secret, first) and verified(made.secret, second)
    (logged,) = desk.log(made.endpoint.id)
    assert (logged.state, logged.attempts, logged.last_error) == ("sent", 2, "")


def test_a_dead_address_is_given_up_after_the_channels_attempts(desk: Desk) -> None:
    made = desk.add(f"http://127.0.0.1:{free_port()}/gone", "alert.added")
    desk.alert_added()
    for attempt in range(webhooks.CHANNEL.attempts):
        assert desk.round(after=attempt * dt.timedelta(hours=7)) == 1, attempt
    (logged,) = desk.log(made.endpoint.id)
    assert (logged.state, logged.attempts) == ("failed", webhooks.CHANNEL.attempts)
    assert "refused" in logged.last_error.lower() and logged.next_at is None
    assert desk.round(after=dt.timedelta(days=30)) == 0


def test_events_addressed_to_one_volunteer_are_never_sent_nor_anyones_name(
    desk: Desk, receiver: Receiver
) -> None:
    every = desk.add(receiver.url("/all"), *webhooks.KINDS)
    with desk.store() as s:
        accounts.create_user(s, VOLUNTEER, Role.TRANSLATOR, "fa")
        volunteer = accounts.by_username(s, VOLUNTEER)
        document = documents.by_slug(s, ALERT)
        unit = s.scalars(select(Unit).where(Unit.document_id == document.id)).first()
        assert unit is not None
        events.record(
            s,
            events.UNIT_SENT_BACK,
            document,
            language="fa",
            unit_id=unit.id,
            user_id=volunteer.id,
            reason=f"{VOLUNTEER}: check the figure",
        )
        events.record(
            s,
            events.QUESTION_ANSWERED,
            document,
            language="fa",
            unit_id=unit.id,
            user_id=volunteer.id,
        )
        # an edition's event that a careless caller gave a name: the name stays home
        events.record(
            s,
            events.EDITION_PUBLISHED,
            document,
            language="fa",
            publication=7,
            number=2,
            by=VOLUNTEER,
        )
    desk.round()
    kinds = [got.json["type"] for got in receiver.at("/all")]
    assert "edition.published" in kinds
    assert not {"unit.sent_back", "question.answered"} & set(kinds)
    assert all(VOLUNTEER.encode() not in got.body for got in receiver.received)
    assert all(verified(every.secret, got) for got in receiver.received)
    assert {logged.kind for logged in desk.log()} == set(kinds)
    with desk.store() as s, pytest.raises(Invalid):
        webhooks.add(s, policy.OPERATOR, receiver.url("/mine"), ["unit.sent_back"])


def test_removing_an_endpoint_stops_its_deliveries(desk: Desk, receiver: Receiver) -> None:
    made = desk.add(receiver.url("/removed"), "alert.added")
    receiver.answers["/removed"] = [503]
    desk.alert_added()
    desk.round()
    with desk.store() as s:
        assert webhooks.remove(s, policy.OPERATOR, made.endpoint.id) == 1
        assert webhooks.listing(s, policy.OPERATOR) == []
    desk.alert_added("alert-death-sentences")
    assert desk.round(after=dt.timedelta(hours=1)) == 0
    assert len(receiver.at("/removed")) == 1
    (logged,) = desk.log(made.endpoint.id)
    assert logged.state == "failed" and "removed" in logged.last_error


def test_an_endpoint_answering_410_gone_is_removed(desk: Desk, receiver: Receiver) -> None:
    made = desk.add(receiver.url("/unwanted"), "alert.added")
    receiver.answers["/unwanted"] = [410]
    desk.alert_added()
    desk.round()
    (logged,) = desk.log(made.endpoint.id)
    assert (logged.state, logged.status) == ("failed", 410)
    with desk.store() as s:
        assert webhooks.listing(s, policy.OPERATOR) == []
    desk.alert_added("alert-death-sentences")
    assert desk.round(after=dt.timedelta(hours=1)) == 0


def test_a_redirect_is_a_failure_not_followed(desk: Desk, receiver: Receiver) -> None:
    made = desk.add(receiver.url("/moved"), "alert.added")
    receiver.answers["/moved"] = [301]
    desk.alert_added()
    desk.round()
    (logged,) = desk.log(made.endpoint.id)
    assert (logged.state, logged.status) == ("pending", 301)
    assert [got.path for got in receiver.received] == ["/moved"]


# ---------------------------------------------------------------------------------------------
# Registering


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/hook", "https://", "example.org/hook", "https://who:pw@example.org/h", ""],
)
def test_an_address_that_is_not_http_with_a_host_is_refused(desk: Desk, url: str) -> None:
    with desk.store() as s, pytest.raises(Invalid) as refused:
        webhooks.add(s, policy.OPERATOR, url, ["alert.added"])
    assert refused.value.said is not None and refused.value.said.code.startswith("webhook.url")


@pytest.mark.parametrize("kinds", [[], ["  "], ["alert.removed"], ["question.answered"]])
def test_event_types_are_the_known_ones_and_at_least_one(desk: Desk, kinds: list[str]) -> None:
    with desk.store() as s, pytest.raises(Invalid):
        webhooks.add(s, policy.OPERATOR, "https://hooks.example.org/desk", kinds)


def test_only_an_admin_with_the_second_factor_manages_webhooks_and_it_is_audited(
    desk: Desk,
) -> None:
    with desk.store() as s:
        accounts.create_user(s, "elif", Role.EDITOR)
        accounts.create_user(s, "root", Role.ADMIN)
    with desk.store() as s:
        editor, admin = accounts.by_username(s, "elif"), accounts.by_username(s, "root")
        url = "https://hooks.example.org/secret-path-token"
        with pytest.raises(policy.Refused):
            webhooks.add(s, policy.Actor(editor, second_factor=True), url, ["alert.added"])
        with pytest.raises(policy.SecondFactorNeeded):
            webhooks.add(s, policy.Actor(admin), url, ["alert.added"])
        with pytest.raises(policy.Refused):
            webhooks.deliveries(s, policy.Actor(editor, second_factor=True))
        made = webhooks.add(s, policy.Actor(admin, second_factor=True), url, ["alert.added"])
        webhooks.remove(s, policy.Actor(admin, second_factor=True), made.endpoint.id)
    with desk.store() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "manage-webhooks")).all()
        assert [(r.details["change"], r.details["via"]) for r in rows] == [
            ("added", "browser"),
            ("removed", "browser"),
        ]
        assert rows[0].details["host"] == "hooks.example.org"
        assert "secret-path-token" not in json.dumps([r.details for r in rows])


# ---------------------------------------------------------------------------------------------
# The signature, the payload's links and the command line


def test_the_signature_is_the_reference_librarys_for_its_test_vector() -> None:
    # standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py (sign)
    assert (
        webhooks.signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_") and len(webhooks.signing_key(secret)) == 24
    assert webhooks.message_id(secret, 7) == webhooks.message_id(secret, 7)
    assert webhooks.message_id(secret, 7) != webhooks.message_id(webhooks.new_secret(), 7)


def test_the_links_of_a_payload_are_the_desks_own_pages(app) -> None:  # type: ignore[no-untyped-def]
    event = Event(
        kind=events.EDITION_PUBLISHED,
        language="fa",
        data={"slug": ALERT, "title": "T", "publication": 3, "number": 1},
        created_at=dt.datetime(2026, 3, 1, 12, 0),
    )
    sent = webhooks.payload(event, base_url=BASE_URL + "/")
    assert sent["timestamp"] == "2026-03-01T12:00:00Z"
    adapter = app.url_map.bind("desk.example.org")
    pages = {
        name: adapter.match(url.removeprefix(BASE_URL), method="GET")[0]
        for name, url in sent["data"].items()
        if name.endswith("_url")
    }
    assert pages == {
        "document_url": "dashboard.document",
        "edition_url": "dashboard.edition",
        "html_url": "editions.download",
        "pdf_url": "editions.download",
        "publication_url": "dashboard.snapshot",
    }
    assert "document_url" not in webhooks.payload(event, base_url=None)["data"]


def test_the_command_line_adds_lists_logs_and_removes(
    desk: Desk, receiver: Receiver, run: Callable[..., Any]
) -> None:
    added = run("webhooks", "add", receiver.url("/cli"), "--event", "alert.added")
    secret = added.output.strip().splitlines()[-1]
    listed = json.loads(run("webhooks", "list", "--json").output)
    assert [(e["url"], e["events"], e["active"]) for e in listed] == [
        (receiver.url("/cli"), ["alert.added"], True)
    ]
    assert secret not in run("webhooks", "list").output
    webhook_id = listed[0]["id"]
    assert f"Webhook {webhook_id}" in added.output
    desk.alert_added()
    desk.round()
    (got,) = receiver.at("/cli")
    assert verified(secret, got)
    (logged,) = json.loads(run("webhooks", "deliveries", str(webhook_id), "--json").output)
    assert (logged["state"], logged["attempts"], logged["type"]) == ("sent", 1, "alert.added")
    assert "alert.added" in run("webhooks", "deliveries").output
    run("webhooks", "remove", str(webhook_id))
    assert json.loads(run("webhooks", "list", "--json").output) == []
    again = run("webhooks", "remove", str(webhook_id), check=False)
    assert again.exit_code == 2 and f"no webhook {webhook_id}" in again.output
    wrong = run("webhooks", "add", "ftp://x", "--event", "alert.added", check=False)
    assert wrong.exit_code == 2 and "http://" in wrong.output
    with desk.store() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "manage-webhooks")).all()
        assert {r.details["via"] for r in rows} == {"operator"} and len(rows) == 2


# ---------------------------------------------------------------------------------------------
# The admin page


def csrf(client, path: str) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def test_the_admin_page_adds_shows_and_removes_webhooks_for_admins_only(app, client) -> None:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "root": accounts.create_user(s, "root", Role.ADMIN),
            "ayla": accounts.create_user(s, "ayla", Role.ADMIN),
            "elif": accounts.create_user(s, "elif", Role.EDITOR),
        }
    enrol(app, "root")
    enrol(app, "elif")
    sign_in_fully(client, "elif", passwords["elif"])
    assert client.get("/admin/webhooks").status_code == 403
    token = csrf(client, "/dashboard")
    form = {"url": "https://hooks.example.org/desk", "event-alert.added": "1"}
    assert client.post("/admin/webhooks", data={"csrf_token": token, **form}).status_code == 403
    other = app.test_client()
    sign_in_fully(other, "ayla", passwords["ayla"])
    asked = other.get("/admin/webhooks")
    assert asked.status_code == 302 and "/account/second-factor" in asked.headers["Location"]
    admin = app.test_client()
    sign_in_fully(admin, "root", passwords["root"])
    token = csrf(admin, "/admin/webhooks")
    made = admin.post("/admin/webhooks", data={"csrf_token": token, **form})
    page = made.get_data(as_text=True)
    assert made.status_code == 200 and "https://hooks.example.org/desk" in page
    secret = re.search(r'id="new-secret">(whsec_[A-Za-z0-9+/=]+)<', page)
    assert secret is not None
    shown = admin.get("/admin/webhooks").get_data(as_text=True)
    assert secret.group(1) not in shown and "https://hooks.example.org/desk" in shown
    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s:
        (endpoint,) = webhooks.listing(s, policy.OPERATOR)
        s.get(WebhookEndpoint, endpoint.id).url = f"http://127.0.0.1:{free_port()}/"
        events.alert_added(s, documents.by_slug(s, ALERT))
    assert outbox.run_once(app.config, factory) == 1
    log = admin.get("/admin/webhooks").get_data(as_text=True)
    row = re.search(r'<table class="status" id="deliveries">.*?</table>', log, re.S)
    assert row is not None and "alert.added" in row.group() and "refused" in row.group().lower()
    wrong = admin.post("/admin/webhooks", data={"csrf_token": token, "url": "ftp://x"})
    assert wrong.status_code == 422 and 'role="alert"' in wrong.get_data(as_text=True)
    removed = admin.post(f"/admin/webhooks/{endpoint.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert webhooks.listing(s, policy.OPERATOR) == []
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "manage-webhooks")).all()
        assert [(r.details["change"], r.details["via"]) for r in rows] == [
            ("added", "browser"),
            ("removed", "browser"),
        ]
