"""The second factor: enrolment with a QR code drawn by the desk, the second step at sign-in,
codes used once, recovery codes, rate limits, the admin's reset, and who must have one."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from sqlalchemy import select, update

from tests.conftest import SecondFactor, sign_in_fully
from translator import db
from translator.models import RecoveryCode, Role, WebSession, utcnow
from translator.services import accounts, audit, sessions, tokens


@pytest.fixture
def people(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        return {
            "root": accounts.create_user(s, "root", Role.ADMIN),
            "elif": accounts.create_user(s, "elif", Role.EDITOR),
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
        }


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_an_editor_sets_up_a_second_factor_before_administering(client, people) -> None:
    sign_in_fully(client, "elif", people["elif"])
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/account/second-factor" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0][50:]
    secret = re.search(r'<code id="secret" dir="ltr">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.post("/account/second-factor", data={"csrf_token": csrf(page), "code": "000000"})
    assert wrong.status_code == 422
    done = client.post(
        "/account/second-factor",
        data={"csrf_token": csrf(page), "code": pyotp.TOTP(secret).now()},
    ).get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done)
    assert len(codes) == 10
    assert client.get("/admin/users").status_code == 200
    with db.transaction(client.application.extensions["translator.sessions"]) as s:
        stored = s.scalars(select(RecoveryCode.code_sha256)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # hashes only


def test_translators_may_work_without_one(client, people) -> None:
    sign_in_fully(client, "sahar", people["sahar"])
    assert client.get("/translate/fa").status_code == 200


def test_the_second_step_takes_a_code_once_and_then_signs_in(app, client, people) -> None:
    factor = SecondFactor(app, "elif")
    first = client.post("/login", data={"username": "elif", "password": people["elif"]})
    assert "/login/second-factor" in first.headers["Location"]
    assert client.get("/admin/users").status_code == 302  # not signed in yet
    step = client.get(first.headers["Location"]).get_data(as_text=True)
    code = factor.code()
    done = client.post(first.headers["Location"], data={"csrf_token": csrf(step), "code": code})
    assert done.status_code == 302
    assert done.headers["Set-Cookie"].split(";")[0] != first.headers["Set-Cookie"].split(";")[0]
    assert client.get("/admin/users").status_code == 200
    # the same code again, in another browser: refused
    other = app.test_client()
    again = other.post("/login", data={"username": "elif", "password": people["elif"]})
    step = other.get(again.headers["Location"]).get_data(as_text=True)
    replay = other.post(again.headers["Location"], data={"csrf_token": csrf(step), "code": code})
    assert replay.status_code == 401


def test_a_recovery_code_works_once(app, people) -> None:
    factor = SecondFactor(app, "elif")
    code = factor.recovery[0]

    def attempt() -> int:
        client = app.test_client()
        first = client.post("/login", data={"username": "elif", "password": people["elif"]})
        step = client.get(first.headers["Location"]).get_data(as_text=True)
        return client.post(
            first.headers["Location"], data={"csrf_token": csrf(step), "code": code}
        ).status_code

    assert [attempt(), attempt()] == [302, 401]


def test_the_second_step_is_rate_limited_like_the_first(app, client, people) -> None:
    factor = SecondFactor(app, "elif")
    first = client.post("/login", data={"username": "elif", "password": people["elif"]})
    step = client.get(first.headers["Location"]).get_data(as_text=True)
    statuses = [
        client.post(
            first.headers["Location"], data={"csrf_token": csrf(step), "code": "123456"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    good = client.post(
        first.headers["Location"], data={"csrf_token": csrf(step), "code": factor.code()}
    )
    assert good.status_code == 429


def test_a_password_step_left_waiting_ten_minutes_is_worth_nothing(app, client, people) -> None:
    factor = SecondFactor(app, "elif")
    first = client.post("/login", data={"username": "elif", "password": people["elif"]})
    step = client.get(first.headers["Location"]).get_data(as_text=True)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        s.execute(
            update(WebSession)
            .where(WebSession.pending.is_(True))
            .values(created_at=utcnow() - sessions.PENDING_LIFETIME - timedelta(seconds=1))
        )
    late = client.post(
        first.headers["Location"], data={"csrf_token": csrf(step), "code": factor.code()}
    )
    assert late.status_code == 400  # as with no pending session at all (below)
    assert client.get("/login/second-factor").status_code == 302  # back to the password
    assert client.get("/admin/users").status_code == 302


def test_without_a_pending_password_step_the_second_step_leads_back(client, people) -> None:
    assert client.get("/login/second-factor").status_code == 302
    assert client.post("/login/second-factor", data={"code": "123456"}).status_code == 400


def test_an_admin_resets_a_lost_second_factor_and_it_is_audited(app, client, people) -> None:
    SecondFactor(app, "elif")
    root = SecondFactor(app, "root")
    sign_in_fully(client, "root", people["root"], root)
    page = client.get("/admin/users").get_data(as_text=True)
    reset = re.search(r"/admin/users/(\d+)/second-factor/reset", page)
    assert reset
    client.post(reset.group(0), data={"csrf_token": csrf(page)})
    editor = app.test_client()
    signed = editor.post("/login", data={"username": "elif", "password": people["elif"]})
    # no second step any more (set up a new one): straight to the editor's own work
    assert signed.headers["Location"] == "/dashboard"
    with db.transaction(app.extensions["translator.sessions"]) as s:
        actions = [(r.action, r.actor, r.subject) for r in audit.rows(s)]
    assert ("second-factor-reset", "root", "elif") in actions
    assert ("second-factor-enrolled", "elif", "elif") in actions


def test_editors_approve_and_publish_only_with_one_but_api_tokens_are_unaffected(
    app, client, people
) -> None:
    sign_in_fully(client, "elif", people["elif"])
    page = client.get("/dashboard").get_data(as_text=True)
    publish = client.post(
        "/dashboard/documents/palm-card/de/publish", data={"csrf_token": csrf(page)}
    )
    assert "/account/second-factor" in publish.headers["Location"]
    approve = client.post(
        "/translate/de/palm-card/1",
        data={"csrf_token": csrf(page), "state": "approved", "text": "x", "version": "0"},
    )
    assert "/account/second-factor" in approve.headers["Location"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        key = tokens.create(s, "elif", ["read", "translate", "review"])
    api = {"Authorization": f"Bearer {key}"}
    unit: Any = client.get("/api/v1/documents/palm-card/languages/de/units", headers=api).json[1]
    saved = client.put(
        f"/api/v1/units/{unit['id']}/translations/de",
        json={"text": unit["text"], "version": unit["version"], "state": "approved"},
        headers=api,
    )
    assert saved.status_code == 200 and saved.json["state"] in ("approved", "needs-editing")


def test_codes_of_the_step_before_and_after_are_accepted_but_not_older(app, people) -> None:
    from translator.models import User
    from translator.services import second_factor

    factor = SecondFactor(app, "sahar")
    now = int(time.time()) // 30
    with db.transaction(app.extensions["translator.sessions"]) as s:
        user = s.scalars(select(User).where(User.username == "sahar")).one()
        assert not second_factor.check(s, user, factor.totp.generate_otp(now - 3))
        assert second_factor.check(s, user, factor.totp.generate_otp(now + 1))
        assert not second_factor.check(s, user, factor.totp.generate_otp(now))  # older now
