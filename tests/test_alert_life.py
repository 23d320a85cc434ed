"""An urgent alert's whole life, with the real parts: an alert added to source_texts/ and
extracted reaches the Farsi translator's feed and mailbox and the campaign's webhook within a
minute, sent by a real `translator worker` (the embedded broker on SQLite, Redis beside
PostgreSQL); it is translated, approved and published by API; the webhook and the git mirror
(a bare repository) have the publication; the English figure changes; the publication is
outdated with the changed unit and `correction.due` reaches the translator; republished, the
edition carries its correction note, and the mirror has the second snapshot."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import POSTGRES_URL, fetched
from tests.test_jobs import Processes
from tests.test_mail import Mailbox, free_port
from tests.test_webhooks import Receiver, verified
from translator import db
from translator.models import Role
from translator.services import accounts, feeds, mail_addresses, policy, tokens, webhooks

SLUG = "alert-endorse-today"
BEFORE, AFTER = "over 4,500 people", "over 5,000 people"
ALERT = """---
slug: alert-endorse-today
kind: alert
title: "Endorse the Emergency Appeal Today"
date: 2022-11-28
priority: urgent
deadline: {deadline}
---

The Emergency Appeal has been endorsed by over 4,500 people from 40 countries.

Add your name and share the appeal everywhere.
"""
# the Farsi translator's work, unit by unit (by the English), and her correction
FARSI = {
    "Endorse the Emergency Appeal Today": "همین امروز فراخوان اضطراری را امضا کنید",
    "The Emergency Appeal has been endorsed by over 4,500 people from 40 countries.": (
        "بیش از ۴٬۵۰۰ نفر از ۴۰ کشور فراخوان اضطراری را امضا کرده‌اند."
    ),
    "Add your name and share the appeal everywhere.": (
        "نام خود را بیفزایید و فراخوان را همه‌جا پخش کنید."
    ),
}
CORRECTED = "بیش از ۵٬۰۰۰ نفر از ۴۰ کشور فراخوان اضطراری را امضا کرده‌اند."
WITHIN = 60.0  # seconds: each event reaches its channels within a minute
A = "{http://www.w3.org/2005/Atom}"


def waited(what: str, found: Callable[[], Any], logs: Path) -> tuple[Any, float]:
    """`found()`'s first true answer and the seconds it took, or a failure within WITHIN."""
    start = time.monotonic()
    while time.monotonic() - start < WITHIN:
        answer = found()
        if answer:
            return answer, time.monotonic() - start
        time.sleep(0.25)
    told = {p.name: p.read_text(errors="replace")[-3000:] for p in logs.glob("*.log")}
    raise AssertionError(f"{what}: not within {WITHIN:.0f} s; {told}")


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.server.shutdown()
    found.server.server_close()


class Life:
    """The desk in-process (its API and pages) and a real worker sending its outbox."""

    def __init__(self, app: Any, client: Any, run: Callable[..., Any], root: Path) -> None:
        self.app, self.client, self.run, self.root = app, client, run, root
        self.sessions = app.extensions["translator.sessions"]

    def token(self, name: str, scopes: list[str]) -> dict[str, str]:
        with db.transaction(self.sessions) as s:
            return {"Authorization": f"Bearer {tokens.create(s, name, scopes)}"}

    def units(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        answer = self.client.get(f"/api/v1/documents/{SLUG}/languages/fa/units", headers=headers)
        assert answer.status_code == 200, answer.json
        return list(answer.json)

    def save(self, headers: dict[str, str], unit: dict[str, Any], text: str, **more: Any) -> None:
        answer = self.client.put(
            f"/api/v1/units/{unit['id']}/translations/fa",
            json={"text": text, "version": unit["version"], **more},
            headers=headers,
        )
        assert answer.status_code == 200, answer.json

    def feed(self, secret: str) -> list[str]:
        answer = self.client.get(feeds.path_of(secret))
        assert answer.status_code == 200
        tree = ET.fromstring(answer.data)
        return [entry.findtext(f"{A}title", "") for entry in tree.iter(f"{A}entry")]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.timeout(600)
def test_an_urgent_alert_is_told_translated_published_mirrored_and_corrected(
    app: Any,
    client: Any,
    run: Callable[..., Any],
    root: Path,
    tmp_path: Path,
    database_url: str,
    mailbox: tuple[Mailbox, int],
    receiver: Receiver,
) -> None:
    box, smtp_port = mailbox
    remote = tmp_path / "editions.git"
    git("init", "--quiet", "--bare", str(remote))
    settings = {
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "BASE_URL": "https://desk.example.org",
        "MAIL_FROM": "desk@example.org",
        "PUBLISH_GIT": str(remote),
        "OUTBOX_SECONDS": 1,
    }
    app.config.update(settings)
    life = Life(app, client, run, root)

    # the people: the Farsi translator follows her feed and gets mail; a German one gets mail
    with db.transaction(life.sessions) as s:
        for name, role, langs in (
            ("sahand", Role.TRANSLATOR, "fa"),
            ("jonas", Role.TRANSLATOR, "de"),
            ("reza", Role.REVIEWER, "fa"),
            ("elif", Role.EDITOR, ""),
        ):
            accounts.create_user(s, name, role, langs)
        sahand = accounts.by_username(s, "sahand")
        sahand.interface_language = "fa"
        for name in ("sahand", "jonas"):
            person = accounts.by_username(s, name)
            mail_addresses.give(s, person, f"{name}@mail.example.net", language="en")
            key = app.config["SECRET_KEY"]
            assert mail_addresses.confirm(s, key, mail_addresses.confirm_token(key, person))
        secret = feeds.renew(s, sahand)
        hook = webhooks.add(
            s, policy.OPERATOR, receiver.url("/campaign-bot"), sorted(webhooks.KINDS)
        )

    # a real worker sends the outbox: on the embedded broker, or on Redis beside PostgreSQL
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")},
        "TRANSLATOR_DATABASE_URL": database_url,
        "TRANSLATOR_ROOT": str(root),
        "TRANSLATOR_INSTANCE_PATH": app.config["INSTANCE_PATH"],
        "TRANSLATOR_SECRET_KEY": app.config["SECRET_KEY"],
        **{f"TRANSLATOR_{k}": str(v) for k, v in settings.items()},
    }
    if database_url.startswith("postgresql"):
        assert POSTGRES_URL
        environ["TRANSLATOR_BROKER_URL"] = "redis://127.0.0.1:6379/13"
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = Processes(environ, logs)
    try:
        processes.start("worker", "worker", "--concurrency", "1")
        told = life_of_the_alert(life, box, receiver, hook, secret, remote, logs)
    finally:
        processes.stop()
    assert max(told) < WITHIN, told


def life_of_the_alert(
    life: Life,
    box: Mailbox,
    receiver: Receiver,
    hook: webhooks.Made,
    secret: str,
    remote: Path,
    logs: Path,
) -> list[float]:
    """The alert's life; the seconds each event took to reach its channels."""
    title = "Endorse the Emergency Appeal Today"
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    (life.root / "source_texts" / f"{SLUG}.md").write_text(ALERT.format(deadline=deadline))
    life.run("extract")
    took = []

    def hooked(kind: str, count: int = 1) -> list[Any]:
        got = [r for r in receiver.at("/campaign-bot") if r.json["type"] == kind]
        return got if len(got) >= count else []

    # 1. told: her mailbox, the German translator's, the webhook and her feed
    _, seconds = waited(
        "the new alert mailed to the Farsi translator",
        lambda: box.to("sahand@mail.example.net"),
        logs,
    )
    took.append(seconds)
    # a new alert concerns every language
    waited(
        "the new alert mailed to the German translator",
        lambda: box.to("jonas@mail.example.net"),
        logs,
    )
    [added], seconds = waited("the new alert at the webhook", lambda: hooked("alert.added"), logs)
    took.append(seconds)
    assert verified(hook.secret, added)
    assert added.json["data"]["slug"] == SLUG and added.json["data"]["priority"] == "urgent"
    assert any(title in entry for entry in life.feed(secret))
    letter = box.to("sahand@mail.example.net")[0]
    assert title in str(letter["Subject"]) or title in letter.get_body(("plain",)).get_content()
    assert "jonas" not in letter.as_string() and "reza" not in letter.as_string()

    # 2. translated (her token), approved (the reviewer's), published (the editor's) by API
    translator = life.token("sahand", ["read", "translate"])
    for unit in life.units(translator):
        life.save(translator, unit, FARSI[unit["source"]])
    reviewer = life.token("reza", ["read", "review"])
    for unit in life.units(reviewer):
        life.save(reviewer, unit, unit["text"], state="approved")
    editor = life.token("elif", ["read", "publish"])
    publications = f"/api/v1/documents/{SLUG}/languages/fa/publications"
    made = life.client.post(publications, headers=editor)
    assert made.status_code == 201, made.json
    assert made.json["number"] == 1 and made.json["outdated"] is False

    # 3. the webhook and the git mirror have the publication
    [published], seconds = waited(
        "the publication at the webhook", lambda: hooked("edition.published"), logs
    )
    took.append(seconds)
    assert published.json["data"]["language"] == "fa" and published.json["data"]["number"] == 1

    def mirrored(count: int) -> list[str]:
        try:
            found = git("--git-dir", str(remote), "log", "--format=%B%x00", "editions")
        except subprocess.CalledProcessError:
            return []
        commits = [c.strip() for c in found.split("\x00") if c.strip()]
        return commits if len(commits) >= count else []

    commits, seconds = waited("the publication in the git mirror", lambda: mirrored(1), logs)
    took.append(seconds)
    assert commits[0].startswith(f"Publish {SLUG} fa #1")
    assert "Co-authored-by: sahand <sahand@users.noreply.invalid>" in commits[0]
    assert "Co-authored-by: reza <reza@users.noreply.invalid>" in commits[0]
    assert "mail.example.net" not in commits[0]
    files = git("--git-dir", str(remote), "ls-tree", "-r", "--name-only", "editions").split()
    assert f"editions/fa/{SLUG}.html" in files and f"editions/fa/{SLUG}.pdf" in files

    # 4. the English figure changes: the publication is outdated with that unit
    source = life.root / "source_texts" / f"{SLUG}.md"
    source.write_text(source.read_text().replace(BEFORE, AFTER))
    life.run("extract")
    [first] = life.client.get(publications, headers=editor).json
    assert first["outdated"] is True and len(first["changed"]) == 1
    changed = first["changed"][0]

    def correction_mailed() -> bool:
        return any(
            "correction" in m.get_body(("plain",)).get_content().lower()
            or m["Subject"] != box.to("sahand@mail.example.net")[0]["Subject"]
            for m in box.to("sahand@mail.example.net")[1:]
        )

    _, seconds = waited("the correction due mailed to her", correction_mailed, logs)
    took.append(seconds)
    _, seconds = waited("the correction due at the webhook", lambda: hooked("correction.due"), logs)
    took.append(seconds)
    assert len(life.feed(secret)) >= 2
    assert not [
        m for m in box.to("jonas@mail.example.net")[1:] if "correction" in str(m["Subject"]).lower()
    ]  # the German translator's languages have no correction due

    # 5. she corrects the unit, it is approved and republished with its correction note
    [unit] = [u for u in life.units(translator) if u["id"] == changed]
    assert unit["state"] == "needs-editing"
    life.save(translator, unit, CORRECTED)
    [unit] = [u for u in life.units(reviewer) if u["id"] == changed]
    life.save(reviewer, unit, unit["text"], state="approved")
    again = life.client.post(publications, headers=editor)
    assert again.status_code == 201, again.json
    assert again.json["number"] == 2 and again.json["outdated"] is False
    assert again.json.get("correction"), again.json
    edition = fetched(life.client, life.client.get(again.json["url"]))
    assert edition.status_code == 200
    page = edition.get_data(as_text=True)
    assert CORRECTED in page and "۵٬۰۰۰" in page
    commits, seconds = waited("the second snapshot in the mirror", lambda: mirrored(2), logs)
    took.append(seconds)
    assert commits[0].startswith(f"Publish {SLUG} fa #2")
    return took
