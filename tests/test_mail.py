"""Notifications by e-mail, opt-in: an address is taken only once the link mailed to it is
followed and is never shown; the outbox mails each person what concerns them, urgent things at
once and the rest in one daily digest, in their language, naming nobody; a mail server's
refusal is tried again and logged without the address; one click stops it all. A real SMTP
server (aiosmtpd) on 127.0.0.1 receives every mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.conftest import approve_edition, done_second_step, sign_in_fully
from tests.test_feeds import saved_then_sent_back
from translator import db
from translator.formats import mail as mail_format
from translator.models import Delivery, Role, User, utcnow
from translator.services import (
    Invalid,
    accounts,
    documents,
    events,
    mail,
    mail_addresses,
    outbox,
    policy,
    publications,
)

BASE = "https://desk.example.org"
URGENT_ALERT = """---
slug: alert-new-test
kind: alert
title: "Stop the Execution of the Striking Teachers"
date: 2022-12-01
priority: urgent
deadline: 2022-12-05
---

The teachers who went on strike have been sentenced to death.
"""
# distinctive names: none of them may appear in a mail to someone else
PEOPLE = (
    ("sahand7", Role.TRANSLATOR, "fa", "fa"),
    ("dieter9", Role.TRANSLATOR, "de", ""),
    ("revfa3", Role.REVIEWER, "fa", ""),
    ("edit5", Role.EDITOR, "", ""),
)


class Mailbox:
    """What the test's SMTP server received, and the recipients it refuses."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.raw: list[bytes] = []
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:  # noqa: N802
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), parsed))
        self.raw.append(envelope.content)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if rcpt == [address]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox(app: Any) -> Iterator[Mailbox]:
    """A real SMTP server on loopback, and the desk configured to send through it."""
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    mail._unreachable.clear()
    app.config.update(
        SMTP_URL=f"smtp://127.0.0.1:{controller.port}", BASE_URL=BASE, MAIL_FROM="desk@example.org"
    )
    yield box
    controller.stop()


def people(app: Any) -> dict[str, str]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        made = {}
        for name, role, langs, interface in PEOPLE:
            made[name] = accounts.create_user(s, name, role, langs)
            accounts.by_username(s, name).interface_language = interface
        return made


def address_of(name: str) -> str:
    return f"{name}@mail.example.net"


def subscribe(app: Any, *names: str) -> None:
    """Each person gives an address and follows its confirmation link (as a service)."""
    key = app.config["SECRET_KEY"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        for name in names:
            user = accounts.by_username(s, name)
            mail_addresses.give(s, user, address_of(name), language="en")
            assert mail_addresses.confirm(s, key, mail_addresses.confirm_token(key, user))


def run_outbox(app: Any, now: dt.datetime | None = None) -> int:
    return outbox.run_once(app.config, app.extensions["translator.sessions"], now=now or utcnow())


def next_digest(app: Any) -> dt.datetime:
    return mail.digest_after(utcnow(), app.config) + dt.timedelta(minutes=1)


def user(s: Any, name: str) -> User:
    return s.scalars(select(User).where(User.username == name)).one()


def deliveries(app: Any, name: str) -> list[Delivery]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        target = user(s, name).id
        found = list(s.scalars(select(Delivery).where(Delivery.target == target)))
        s.expunge_all()
        return found


def publish_fa(app: Any, root: Path, slug: str = "palm-card") -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, user(s, "revfa3"), slug, "fa")
        publications.publish_edition(
            s, done_second_step(user(s, "edit5")), documents.by_slug(s, slug), "fa", root
        )


def send_back_a_unit_of_sahand(app: Any, slug: str = "press-release") -> int:
    return saved_then_sent_back(app, slug, translator="sahand7", reviewer="revfa3")


def text_of(mail_message: EmailMessage) -> tuple[str, str]:
    """The plain and the HTML part."""
    plain = mail_message.get_body(("plain",))
    html = mail_message.get_body(("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()), str(html.get_content())


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_an_address_is_taken_only_once_the_link_mailed_to_it_is_followed_and_never_shown(
    app, client, mailbox
) -> None:
    passwords = people(app)
    sign_in_fully(client, "dieter9", passwords["dieter9"])
    page = client.get("/account/mail").get_data(as_text=True)
    assert 'id="address"' in page and "Mail is off." in page

    given = client.post(
        "/account/mail",
        data={"csrf_token": csrf(page), "action": "give", "address": " Dieter9@Mail.EXAMPLE.net "},
    )
    assert given.status_code == 200
    (sent,) = mailbox.to("Dieter9@mail.example.net")
    assert sent["Subject"] == "Confirm your address for the translation desk"
    plain, _ = text_of(sent)
    link = re.search(rf"{re.escape(BASE)}(/mail/confirm/\S+)", plain)
    assert link, plain
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert user(s, "dieter9").email is None  # waiting, and nothing is mailed to it yet
        assert mail.plan(s, app.config, events.record(s, events.ALERT_ADDED)) == []

    stranger = app.test_client()  # the link opened in a mail client: no session, no cookie
    assert stranger.get(link.group(1)).status_code == 200  # a link scanner's GET confirms nothing
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert user(s, "dieter9").email is None
    confirmed = stranger.post(link.group(1))
    assert confirmed.status_code == 200 and 'id="mail-said"' in confirmed.get_data(as_text=True)
    assert confirmed.headers["Cache-Control"] == "no-store"
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert user(s, "dieter9").email == "Dieter9@mail.example.net"
        planned = mail.plan(s, app.config, events.record(s, events.ALERT_ADDED))
        assert [p.target for p in planned] == [user(s, "dieter9").id]
    assert stranger.post(link.group(1)).status_code == 410  # used: it confirms nothing again

    shown = client.get("/account/mail").get_data(as_text=True)
    assert "Mail is on" in shown and "example.net" not in shown.lower()
    assert "dieter9@" not in shown.lower()


def test_an_urgent_alert_is_mailed_at_once_in_each_readers_language(
    app, mailbox, run, root
) -> None:
    people(app)
    subscribe(app, "sahand7", "dieter9")
    (root / "source_texts" / "alert-new-test.md").write_text(URGENT_ALERT)
    run("extract")
    run_outbox(app)

    (farsi,) = mailbox.to(address_of("sahand7"))
    (german,) = mailbox.to(address_of("dieter9"))
    assert farsi["Subject"].startswith("اقدام فوری تازه برای ترجمه:")
    assert "Stop the Execution of the Striking Teachers" in farsi["Subject"]
    assert farsi["Content-Language"] == "fa" and german["Content-Language"] == "en"
    assert farsi["Auto-Submitted"] == "auto-generated"
    assert farsi["From"].addresses[0].addr_spec == "desk@example.org"
    assert farsi["From"].addresses[0].display_name == "میز ترجمه"
    plain, html = text_of(farsi)
    assert f"{BASE}/dashboard/documents/alert-new-test" in plain
    assert '<html lang="fa" dir="rtl">' in html and "<img" not in html and "<link" not in html
    assert "src=" not in html and "style" not in html  # nothing loaded from anywhere
    stop = farsi["List-Unsubscribe"]
    assert stop.startswith(f"<{BASE}/mail/stop/") and stop.endswith(">")
    for raw in mailbox.raw:  # as sent: one line a mail client follows, not encoded words
        assert re.search(
            rb"^List-Unsubscribe: <https://desk\.example\.org/mail/stop/[\w.-]+>\r?$", raw, re.M
        )
    assert farsi["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_what_is_not_urgent_waits_for_one_daily_digest_per_person(app, mailbox, root) -> None:
    people(app)
    subscribe(app, "sahand7", "dieter9", "revfa3", "edit5")
    publish_fa(app, root)
    unit_id = send_back_a_unit_of_sahand(app)
    run_outbox(app, utcnow())
    assert mailbox.received == []  # nothing urgent: the digest's hour has not come

    run_outbox(app, next_digest(app))
    (digest,) = mailbox.to(address_of("sahand7"))
    plain, _ = text_of(digest)
    assert "منتشر شد: نسخهٔ ثابت ۱." in plain  # in Farsi, with Persian digits
    assert "بازگردانده شد" in plain
    assert f"{BASE}/translate/fa/press-release/{unit_id}" in plain
    assert f"{BASE}/publications/" in plain
    # the reviewer and the editor hear of the publication, not of a unit sent back to sahand7;
    # dieter9 works in German: nothing
    for name in ("revfa3", "edit5"):
        (theirs,) = mailbox.to(address_of(name))
        assert "/translate/fa/press-release/" not in text_of(theirs)[0]
    assert mailbox.to(address_of("dieter9")) == []
    assert all(d.state == "sent" for d in deliveries(app, "sahand7"))
    run_outbox(app, next_digest(app) + dt.timedelta(days=1))
    assert len(mailbox.received) == 3  # sent once


def test_no_mail_names_another_volunteer_or_holds_another_address(app, mailbox, run, root) -> None:
    people(app)
    subscribe(app, *(name for name, *_ in PEOPLE))
    publish_fa(app, root)
    send_back_a_unit_of_sahand(app)
    (root / "source_texts" / "alert-new-test.md").write_text(URGENT_ALERT)
    run("extract")
    run_outbox(app, next_digest(app))
    assert len(mailbox.received) >= 4
    for recipients, received in mailbox.received:
        (address,) = recipients
        assert received["To"].addresses[0].addr_spec == address
        assert received["Cc"] is None and received["Bcc"] is None
        words = "\n".join((received.as_string(), *text_of(received)))
        for name, *_ in PEOPLE:
            assert name not in words.replace(address, "")


def test_a_refused_recipient_is_tried_again_and_no_log_holds_the_address(
    app, mailbox, run, root, caplog
) -> None:
    people(app)
    subscribe(app, "sahand7")
    mailbox.refused.add(address_of("sahand7"))
    (root / "source_texts" / "alert-new-test.md").write_text(URGENT_ALERT)
    run("extract")
    run_outbox(app)
    (failed,) = deliveries(app, "sahand7")
    assert failed.state == "pending" and failed.attempts == 1
    assert "550" in failed.last_error and "<address>" in failed.last_error
    assert "sahand7" not in failed.last_error and "@" not in failed.last_error
    assert "sahand7" not in caplog.text and "mail.example.net" not in caplog.text
    # the delivery log of every channel names the account, never its address; admins only
    pending = run("deliveries", "--channel", "mail", "--state", "pending").output
    assert "sahand7" in pending and "alert-new-test" in pending and "550" in pending
    assert "@" not in pending and "mail.example.net" not in pending
    (listed,) = json.loads(run("deliveries", "--channel", "mail", "--json").output)
    assert (listed["to"], listed["state"], listed["attempts"]) == ("sahand7", "pending", 1)
    with db.transaction(app.extensions["translator.sessions"]) as s, pytest.raises(policy.Refused):
        outbox.delivery_log(s, user(s, "sahand7"))

    mailbox.refused.clear()
    run_outbox(app, failed.next_at)
    assert len(mailbox.to(address_of("sahand7"))) == 1
    assert deliveries(app, "sahand7")[0].state == "sent"
    assert "sahand7" in run("deliveries", "--state", "sent").output


def test_a_digest_whose_server_is_down_keeps_each_event_and_goes_out_whole_later(
    app, mailbox, root
) -> None:
    people(app)
    subscribe(app, "sahand7")
    publish_fa(app, root)
    send_back_a_unit_of_sahand(app)
    working = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens there
    run_outbox(app, next_digest(app))
    waiting = deliveries(app, "sahand7")
    assert len(waiting) == 2
    assert all("was not reached" in d.last_error and d.state == "pending" for d in waiting)

    app.config["SMTP_URL"] = working
    mail._unreachable.clear()
    run_outbox(app, next_digest(app) + dt.timedelta(hours=1))
    (digest,) = mailbox.to(address_of("sahand7"))
    assert "منتشر شد" in text_of(digest)[0] and "بازگردانده شد" in text_of(digest)[0]
    assert all(d.state == "sent" for d in deliveries(app, "sahand7"))


def test_one_click_on_the_stop_link_of_a_mail_stops_all_mail(app, mailbox, run, root) -> None:
    people(app)
    subscribe(app, "sahand7")
    (root / "source_texts" / "alert-new-test.md").write_text(URGENT_ALERT)
    run("extract")
    publish_fa(app, root)
    run_outbox(app)
    (urgent,) = mailbox.to(address_of("sahand7"))
    path = urgent["List-Unsubscribe"].strip("<>").removeprefix(BASE)

    mail_client = app.test_client()  # RFC 8058: a POST with no cookie and no form token
    assert mail_client.get(path).status_code == 200  # asks, stops nothing
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert user(s, "sahand7").email is not None
    stopped = mail_client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert user(s, "sahand7").email is None
    waiting = [d for d in deliveries(app, "sahand7") if d.state != "sent"]
    assert waiting and all(d.state == "failed" for d in waiting)  # the digest is given up
    run_outbox(app, next_digest(app))
    assert len(mailbox.received) == 1
    again = mail_client.post(path)
    assert again.status_code == 200 and "stops nothing" in again.get_data(as_text=True)


def test_a_link_made_for_another_address_confirms_or_stops_nothing(app) -> None:
    people(app)
    key = app.config["SECRET_KEY"]
    now = utcnow()
    with db.transaction(app.extensions["translator.sessions"]) as s:
        person = user(s, "dieter9")
        mail_addresses.give(s, person, "first@example.org", language="de", now=now)
        first = mail_addresses.confirm_token(key, person)
        later = now + mail_addresses.ASK_EVERY
        mail_addresses.give(s, person, "second@example.org", language="de", now=later)
        second = mail_addresses.confirm_token(key, person)
        assert not mail_addresses.confirm(s, key, first)
        assert mail_addresses.confirm(s, key, second) and person.email == "second@example.org"
        stop_second = mail_addresses.stop_token(key, person)
        mail_addresses.give(
            s, person, "third@example.org", language="de", now=later + mail_addresses.ASK_EVERY
        )
        assert mail_addresses.confirm(s, key, mail_addresses.confirm_token(key, person))
        assert not mail_addresses.stop_by_link(s, key, stop_second)
        assert person.email == "third@example.org"
        assert not mail_addresses.stop_by_link(s, key, second)  # a confirmation link stops nothing


def test_a_confirmation_link_expires_after_two_days(app) -> None:
    people(app)
    key = app.config["SECRET_KEY"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        person = user(s, "dieter9")
        mail_addresses.give(s, person, "late@example.org", language="de")
        token = mail_addresses.confirm_token(key, person)
        days = dt.timedelta(days=mail_addresses.CONFIRM_DAYS, minutes=1)
        assert not mail_addresses.confirm(s, key, token, now=utcnow() + days)
        assert mail_addresses.confirm(s, key, token, now=utcnow() + dt.timedelta(days=1))


def test_a_confirmation_link_is_mailed_at_most_every_five_minutes(app, client, mailbox) -> None:
    passwords = people(app)
    sign_in_fully(client, "dieter9", passwords["dieter9"])
    token = csrf(client.get("/account/mail").get_data(as_text=True))
    form = {"csrf_token": token, "action": "give", "address": "d9@example.org"}
    assert client.post("/account/mail", data=form).status_code == 200
    refused = client.post("/account/mail", data={**form, "address": "other@example.org"})
    assert refused.status_code == 422
    assert "ask again in 5 minutes" in refused.get_data(as_text=True)
    assert len(mailbox.received) == 1


def test_a_mail_server_that_refuses_the_address_lets_the_person_ask_again_at_once(
    app, client, mailbox
) -> None:
    passwords = people(app)
    sign_in_fully(client, "dieter9", passwords["dieter9"])
    token = csrf(client.get("/account/mail").get_data(as_text=True))
    mailbox.refused.add("typo@example.org")
    form = {"csrf_token": token, "action": "give", "address": "typo@example.org"}
    refused = client.post("/account/mail", data=form)
    assert refused.status_code == 422
    assert "did not take this address" in refused.get_data(as_text=True)
    fixed = client.post("/account/mail", data={**form, "address": "right@example.org"})
    assert fixed.status_code == 200 and len(mailbox.to("right@example.org")) == 1


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("someone@example.org", "someone@example.org"),
        ("  Some.One+desk@Example.ORG ", "Some.One+desk@example.org"),
        ("x@exämple.de", "x@xn--exmple-cua.de"),
        ("no-at-sign", None),
        ("a@b", None),
        ("two words@example.org", None),
        ("ä@example.org", None),
        ("a@example.org\r\nBcc: everyone@example.org", None),
        ("<a@example.org>", None),
        ("a" * 250 + "@example.org", None),
    ],
)
def test_only_an_e_mail_address_is_taken(given: str, kept: str | None) -> None:
    if kept is None:
        with pytest.raises(Invalid) as refused:
            mail_addresses.normalised(given)
        assert refused.value.said is not None and refused.value.said.code == "mail.not-an-address"
    else:
        assert mail_addresses.normalised(given) == kept


def test_without_a_mail_server_no_mail_is_planned_and_the_page_says_so(app, client) -> None:
    passwords = people(app)
    subscribe(app, "dieter9")
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert mail.plan(s, app.config, events.record(s, events.ALERT_ADDED)) == []
    sign_in_fully(client, "edit5", passwords["edit5"])
    page = client.get("/account/mail").get_data(as_text=True)
    assert "no mail server is configured" in page and 'id="address"' not in page
    given = client.post(
        "/account/mail",
        data={"csrf_token": csrf(page), "action": "give", "address": "e5@example.org"},
    )
    assert given.status_code == 422


def test_stopping_on_the_page_or_retiring_forgets_the_address(app, client, run) -> None:
    passwords = people(app)
    subscribe(app, "dieter9", "sahand7")
    sign_in_fully(client, "dieter9", passwords["dieter9"])
    token = csrf(client.get("/account/mail").get_data(as_text=True))
    stopped = client.post("/account/mail", data={"csrf_token": token, "action": "stop"})
    assert "Mail is off" in stopped.get_data(as_text=True)
    run("users", "retire", "sahand7")
    with db.transaction(app.extensions["translator.sessions"]) as s:
        for kept in s.scalars(select(User)):
            assert kept.email is None and kept.email_pending is None


def test_mail_links_lead_where_the_feed_links(app, client, run, root) -> None:
    people(app)
    publish_fa(app, root)
    send_back_a_unit_of_sahand(app)
    (root / "source_texts" / "alert-new-test.md").write_text(URGENT_ALERT)
    run("extract")
    path = re.search(r"/feeds/[\w-]+\.atom", run("users", "feed", "sahand7").output)
    assert path
    feed = ET.fromstring(client.get(path.group(0)).get_data())
    atom = "{http://www.w3.org/2005/Atom}"
    linked = [e.find(f"{atom}link").get("href") for e in feed.findall(f"{atom}entry")]  # type: ignore[union-attr]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        notices = events.for_reader(s, user(s, "sahand7"))
    assert len(notices) >= 3
    assert linked == ["http://localhost" + mail.path_of(n) for n in notices]


def test_a_farsi_letter_is_written_right_to_left_with_both_parts_and_loads_nothing() -> None:
    letter = mail_format.Letter(
        sender="desk@example.org",
        sender_name="میز ترجمه",
        to="someone@example.org",
        subject="منتشر شد: \u2068Palm card\u2069 (فارسی)",
        language="fa",
        direction="rtl",
        items=(mail_format.Item("منتشر شد", "نسخهٔ ثابت ۱.", f"{BASE}/publications/1"),),
        footer=("<b>not markup</b>",),
        stop_link=f"{BASE}/mail/stop/abc",
    )
    written = mail_format.write(
        letter, date=dt.datetime(2026, 12, 7, 6), message_id="<1@example.org>"
    )
    parsed = email.message_from_bytes(written.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    assert (
        parsed["Subject"] == letter.subject and parsed["Date"] == "Mon, 07 Dec 2026 06:00:00 +0000"
    )
    plain, html = text_of(parsed)
    assert plain.splitlines()[:3] == ["منتشر شد", "نسخهٔ ثابت ۱.", f"{BASE}/publications/1"]
    assert plain.rstrip().endswith(f"-- \n<b>not markup</b>\n{BASE}/mail/stop/abc")
    assert '<html lang="fa" dir="rtl">' in html and '<body dir="rtl">' in html
    assert "&lt;b&gt;not markup&lt;/b&gt;" in html
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == [
        f"{BASE}/publications/1",
        f"{BASE}/mail/stop/abc",
    ]


def test_the_operator_gives_an_address_whose_link_starts_mail_and_clears_it(
    app: Any, client: Any, mailbox: Mailbox, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    people(app)
    for key in ("SMTP_URL", "BASE_URL", "MAIL_FROM", "SECRET_KEY"):
        monkeypatch.setenv(f"TRANSLATOR_{key}", str(app.config[key]))
    given = run("users", "email", "dieter9", address_of("dieter9")).output
    assert "dieter9@" not in given and "confirmation link" in given
    [letter] = mailbox.to(address_of("dieter9"))
    body = letter.get_body(("plain",))
    assert body is not None
    link = re.search(re.escape(BASE) + r"(/mail/confirm/\S+)", body.get_content())
    assert link is not None
    assert client.post(link.group(1)).status_code == 200
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert mail_addresses.standing(user(s, "dieter9")) == mail_addresses.Standing.ON
    run("users", "email", "dieter9", "--clear")
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert mail_addresses.standing(user(s, "dieter9")) == mail_addresses.Standing.OFF
    assert run("users", "email", "dieter9", check=False).exit_code == 2  # neither given


def test_the_operator_cannot_give_an_address_where_no_mail_is_sent(app: Any, run: Any) -> None:
    people(app)
    refused = run("users", "email", "dieter9", address_of("dieter9"), check=False)
    assert refused.exit_code != 0 and "TRANSLATOR_SMTP_URL" in refused.output
