"""Signing in and out, rate limits, CSRF, and the admins' token pages."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import enrol, sign_in_fully
from translator import db
from translator.models import Role
from translator.services import accounts


@pytest.fixture
def people(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "root": accounts.create_user(s, "root", Role.ADMIN),
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
        }
    enrol(app, "root")  # admins administer with a second factor (tests/test_second_factor.py)
    return passwords


def sign_in(client: Any, username: str, password: str) -> Any:
    """The password and, for an account with a second factor, the code."""
    return sign_in_fully(client, username, password)


def csrf(client: Any, path: str = "/") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def test_sign_in_sets_a_protected_cookie_and_shows_the_user(client, people) -> None:
    response = sign_in(client, "sahar", people["sahar"])
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "sahar" in client.get("/").get_data(as_text=True)


def test_cookie_is_secure_over_https(client, people) -> None:
    response = client.post(
        "/login",
        data={"username": "sahar", "password": people["sahar"]},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_is_refused_and_the_sixth_bad_attempt_gets_429(client, people) -> None:
    for _ in range(5):
        assert sign_in(client, "sahar", "wrong").status_code == 401
    assert sign_in(client, "sahar", "wrong").status_code == 429
    assert sign_in(client, "sahar", people["sahar"]).status_code == 429  # even the right one


def test_each_sign_in_gets_a_new_session_id_and_sign_out_ends_it_on_the_server(
    client, people
) -> None:
    first = sign_in(client, "sahar", people["sahar"]).headers["Set-Cookie"].split(";")[0]
    second = sign_in(client, "sahar", people["sahar"]).headers["Set-Cookie"].split(";")[0]
    assert first != second
    token = csrf(client)
    client.post("/logout", data={"csrf_token": token})
    client.set_cookie("desk_session", second.split("=", 1)[1])  # the old cookie, replayed
    assert "sahar" not in client.get("/").get_data(as_text=True)


def test_a_form_without_the_csrf_token_is_refused(client, people) -> None:
    sign_in(client, "root", people["root"])
    response = client.post("/admin/tokens", data={"username": "sahar", "scope-read": "1"})
    assert response.status_code == 400


def test_token_pages_are_for_admins_only(client, people) -> None:
    assert client.get("/admin/tokens").status_code == 302  # to the sign-in page
    sign_in(client, "sahar", people["sahar"])
    assert client.get("/admin/tokens").status_code == 403


def test_an_admin_creates_a_token_that_works_and_revokes_it(client, people) -> None:
    sign_in(client, "root", people["root"])
    page = client.post(
        "/admin/tokens",
        data={"csrf_token": csrf(client, "/admin/tokens"), "username": "sahar", "scope-read": "1"},
    )
    raw = re.search(r'<code id="new-token">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    api = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/documents", headers=api).status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert raw not in listing and "sahar" in listing
    token_id = re.search(r"/admin/tokens/(\d+)/revoke", listing).group(1)
    client.post(
        f"/admin/tokens/{token_id}/revoke", data={"csrf_token": csrf(client, "/admin/tokens")}
    )
    assert client.get("/api/v1/documents", headers=api).status_code == 401
    assert "revoked" in client.get("/admin/tokens").get_data(as_text=True)


def test_an_admin_creates_an_account_whose_password_is_shown_once(client, people) -> None:
    sign_in(client, "root", people["root"])
    page = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf(client, "/admin/users"),
            "username": "nasrin",
            "role": "reviewer",
            "lang-fa": "1",
        },
    ).get_data(as_text=True)
    password = re.search(r'<code id="new-password">([^<]+)</code>', page).group(1)
    assert "nasrin" in page and password not in client.get("/admin/users").get_data(as_text=True)
    other = client.application.test_client()
    assert sign_in(other, "nasrin", password).status_code == 302


def test_an_invitation_link_makes_one_account_once(client, people) -> None:
    sign_in(client, "root", people["root"])
    page = client.post(
        "/admin/invitations",
        data={"csrf_token": csrf(client, "/admin/users"), "role": "translator", "lang-tr": "1"},
    )
    link = re.search(r'<code id="invitation">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    path = "/" + link.split("/", 3)[3]
    guest = client.application.test_client()
    assert guest.post(path, data={"username": "deniz", "password": "short"}).status_code == 422
    assert (
        guest.post(path, data={"username": "deniz", "password": "a long enough secret"}).status_code
        == 302
    )
    assert (
        guest.post(
            path, data={"username": "deniz2", "password": "a long enough secret"}
        ).status_code
        == 422
    )
    assert sign_in(guest, "deniz", "a long enough secret").status_code == 302
    assert guest.get("/translate/tr").status_code == 200
    assert guest.get("/translate/fa").status_code == 403


def test_editors_invite_translators_but_not_admins_and_translators_see_no_people_page(
    app, client, people
) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        editor_password = accounts.create_user(s, "elif", Role.EDITOR)
    enrol(app, "elif")
    sign_in(client, "elif", editor_password)
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="translator">' in page and '<option value="admin">' not in page
    refused = client.post(
        "/admin/users",
        data={"csrf_token": csrf(client, "/admin/users"), "username": "boss", "role": "admin"},
    )
    assert refused.status_code == 422
    translator = client.application.test_client()
    sign_in(translator, "sahar", people["sahar"])
    assert translator.get("/admin/users").status_code == 403


def test_a_deactivated_account_cannot_sign_in(client, people) -> None:
    sign_in(client, "root", people["root"])
    page = client.get("/admin/users").get_data(as_text=True)
    user_id = re.findall(r"/admin/users/(\d+)/active", page)[-1]
    client.post(
        f"/admin/users/{user_id}/active",
        data={"csrf_token": csrf(client, "/admin/users"), "active": "0"},
    )
    assert "inactive" in client.get("/admin/users").get_data(as_text=True)
    other = client.application.test_client()
    assert sign_in(other, "sahar", people["sahar"]).status_code == 401


def test_the_desk_hashes_passwords_with_argon2id_at_its_recommended_cost() -> None:
    """The suite's accounts use a cheap hash (tests/conftest.py); the desk as it runs uses
    argon2id with RFC 9106's second recommended setting: 64 MiB, 3 passes, 4 lanes."""
    program = "from translator.services import accounts; print(accounts._hasher.hash('x'))"
    hashed = subprocess.run(
        [sys.executable, "-c", program], check=True, capture_output=True, text=True
    ).stdout
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_an_unknown_user_name_costs_a_password_check_like_a_known_one(
    client, people, monkeypatch
) -> None:
    from argon2 import PasswordHasher

    from translator.services import accounts

    verified: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
            verified.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    for name in ("nobody-here", "sahar"):
        assert sign_in(client, name, "x" * 12).status_code == 401
    assert verified == ["x" * 12, "x" * 12]  # the time taken does not tell which names exist


# Rate limits: per account and per address, reset on success, counted atomically.


def test_one_accounts_bad_guesses_do_not_lock_out_the_others_at_that_address(
    client, people
) -> None:
    for _ in range(6):
        sign_in(client, "sahar", "wrong")
    assert sign_in(client, "root", people["root"]).status_code == 302


def test_a_success_resets_the_accounts_count(client, people) -> None:
    for _ in range(4):
        assert sign_in(client, "sahar", "wrong").status_code == 401
    assert sign_in(client, "sahar", people["sahar"]).status_code == 302
    for _ in range(4):
        assert sign_in(client, "sahar", "wrong").status_code == 401
    assert sign_in(client, "sahar", people["sahar"]).status_code == 302


def test_an_address_guessing_many_names_is_limited_higher_than_an_account(
    client, people, monkeypatch
) -> None:
    from translator.services import sessions

    monkeypatch.setattr(sessions, "MAX_ADDRESS_FAILURES", 8)
    for n in range(8):
        assert sign_in(client, f"guess{n}", "wrong").status_code == 401
    assert sign_in(client, "sahar", people["sahar"]).status_code == 429
    elsewhere = client.application.test_client()
    response = elsewhere.post(
        "/login",
        data={"username": "sahar", "password": people["sahar"]},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 302


def test_forwarded_addresses_are_believed_only_when_configured(app, people) -> None:
    from translator import create_app

    def guesses(application: Any) -> list[int]:
        client = application.test_client()
        return [
            client.post(
                "/login",
                data={"username": f"name{n}", "password": "wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            ).status_code
            for n in range(4)
        ]

    import translator.services.sessions as sessions

    limit = sessions.MAX_ADDRESS_FAILURES
    sessions.MAX_ADDRESS_FAILURES = 2
    try:
        assert guesses(app) == [401, 401, 429, 429]  # a forged header changes nothing
        proxied = create_app({**app.config, "PROXY_HOPS": 1})
        assert guesses(proxied) == [401, 401, 401, 401]  # one address each, through the proxy
        proxied.extensions["translator.sessions"].kw["bind"].dispose()
    finally:
        sessions.MAX_ADDRESS_FAILURES = limit


def test_thirty_simultaneous_guesses_get_no_more_password_checks_than_the_limit(
    app, people, monkeypatch
) -> None:
    import threading

    from translator.services import sessions

    checked: list[str] = []
    real = accounts.verify_password

    def counting(user: Any, password: str) -> bool:
        checked.append(password)
        return real(user, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    factory = app.extensions["translator.sessions"]
    start = threading.Barrier(30)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        start.wait()
        try:
            with db.transaction(factory) as s:
                sessions.sign_in(s, "sahar", f"wrong{n}", sessions.client_key(str(n), "k"))
            outcomes.append("checked")
        except sessions.TooManyAttempts:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == sessions.MAX_FAILURES
    assert outcomes.count("refused") == 30 - sessions.MAX_FAILURES
