"""Signing in and out, rate limits, CSRF, and the admins' token pages."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import done_second_step, enrol, sign_in_fully
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


# Login CSRF: the sign-in and invitation forms carry a token of their own, with its cookie.


def test_showing_the_sign_in_form_sets_a_strict_short_lived_token_cookie(client) -> None:
    page = client.get("/login")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("desk_form=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Max-Age=7200" in cookie and "Secure" not in cookie
    assert page.headers["Cache-Control"] == "no-store"
    token = re.search(r'name="form_token" value="([^"]+)"', page.get_data(as_text=True))
    assert token and token.group(1) not in cookie  # the cookie holds it signed, not as sent
    again = client.get("/login")  # a second tab: the same token, so the first still works
    assert "Set-Cookie" not in again.headers and token.group(1) in again.get_data(as_text=True)
    over_https = client.application.test_client().get("/login", base_url="https://localhost")
    assert "Secure" in over_https.headers["Set-Cookie"]


def test_a_sign_in_posted_from_elsewhere_is_refused_before_any_password_is_counted(
    app, client, people
) -> None:
    attacker = app.test_client()
    theirs = re.search(
        r'name="form_token" value="([^"]+)"', attacker.get("/login").get_data(as_text=True)
    ).group(1)
    client.get("/login")  # the visitor has a form cookie of her own
    refused = [
        {"username": "sahar", "password": people["sahar"]},  # no token (a page elsewhere)
        {"username": "sahar", "password": people["sahar"], "form_token": ""},
        {"username": "sahar", "password": people["sahar"], "form_token": "made-up"},
        {"username": "sahar", "password": people["sahar"], "form_token": theirs},
    ]
    for data in refused * 2:
        response = client.post("/login", data={"form_token": "", **data})
        assert response.status_code == 400, data
        assert "did not come from this site" in response.get_data(as_text=True)
        assert "desk_session" not in response.headers.get("Set-Cookie", "")
    stranger = app.test_client()  # no form cookie at all, the attacker's token
    assert stranger.post("/login", data={**refused[0], "form_token": theirs}).status_code == 400
    # eight refusals, and yet no attempt counted: the right password still opens the account
    assert sign_in(client, "sahar", people["sahar"]).status_code == 302
    from translator.models import LoginCounter

    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert s.query(LoginCounter).filter(LoginCounter.count > 0).count() == 0


def test_an_expired_or_forged_form_cookie_is_refused(client, people) -> None:
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class ThreeHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3 * 3600

    data = {"username": "sahar", "password": people["sahar"], "form_token": "chosen"}
    old = URLSafeTimedSerializer("test", salt="desk-form-token", signer=ThreeHoursAgo)
    client.set_cookie("desk_form", old.dumps("chosen"))
    assert client.post("/login", data=data).status_code == 400
    forged = URLSafeTimedSerializer("not the desk's key", salt="desk-form-token")
    client.set_cookie("desk_form", forged.dumps("chosen"))
    assert client.post("/login", data=data).status_code == 400
    client.set_cookie("desk_form", "chosen")  # unsigned
    assert client.post("/login", data=data).status_code == 400
    fresh = URLSafeTimedSerializer("test", salt="desk-form-token")
    client.set_cookie("desk_form", fresh.dumps("chosen"))
    assert client.post("/login", data=data).status_code == 302


def test_an_invitation_accepted_from_elsewhere_is_refused(client, people) -> None:
    sign_in(client, "root", people["root"])
    page = client.post(
        "/admin/invitations",
        data={"csrf_token": csrf(client, "/admin/users"), "role": "translator", "lang-tr": "1"},
    )
    link = re.search(r'<code id="invitation">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    path = "/" + link.split("/", 3)[3]
    guest = client.application.test_client()
    form = guest.get(path)
    assert "SameSite=Strict" in form.headers["Set-Cookie"]
    chosen = {"username": "deniz", "password": "a long enough secret"}
    assert guest.post(path, data={**chosen, "form_token": ""}).status_code == 400
    assert guest.post(path, data={**chosen, "form_token": "made-up"}).status_code == 400
    assert sign_in(guest, "deniz", "a long enough secret").status_code == 401  # nothing made
    token = re.search(r'name="form_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    assert guest.post(path, data={**chosen, "form_token": token}).status_code == 302
    assert sign_in(guest, "deniz", "a long enough secret").status_code == 302


# A lost phone: resetting the second factor ends the account's sessions.


def test_resetting_a_second_factor_ends_every_session_of_that_account(app, client, people) -> None:
    from translator.models import User

    enrol(app, "sahar")
    theirs = app.test_client()
    assert sign_in(theirs, "sahar", people["sahar"]).status_code == 302
    assert theirs.get("/translate/fa").status_code == 200
    stolen = app.test_client()  # whoever found the phone, with a copy of her session cookie
    stolen.set_cookie("desk_session", theirs.get_cookie("desk_session").value)
    assert stolen.get("/translate/fa").status_code == 200
    with db.transaction(app.extensions["translator.sessions"]) as s:
        sahar = s.query(User).filter(User.username == "sahar").one().id
    sign_in(client, "root", people["root"])
    reset = client.post(
        f"/admin/users/{sahar}/second-factor/reset",
        data={"csrf_token": csrf(client, "/admin/users")},
    )
    assert reset.status_code == 302
    for person in (theirs, stolen):
        gone = person.get("/translate/fa")
        assert gone.status_code == 302 and gone.headers["Location"].startswith("/login")
    assert client.get("/admin/users").status_code == 200  # the admin's own session lives on
    assert sign_in(theirs, "sahar", people["sahar"]).status_code == 302  # she signs in again


# Invitations are no oracle of names; names are unique whatever their case.


def invitation_path(client: Any, people: dict[str, str]) -> str:
    """A new translator's invitation, made by the admin: the link's path."""
    sign_in(client, "root", people["root"])
    page = client.post(
        "/admin/invitations",
        data={"csrf_token": csrf(client, "/admin/users"), "role": "translator", "lang-tr": "1"},
    )
    link = re.search(r'<code id="invitation">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    return "/" + link.split("/", 3)[3]


def audit_actions(app: Any) -> list[str]:
    from sqlalchemy import select

    from translator.models import AuditEntry

    with db.transaction(app.extensions["translator.sessions"]) as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_an_invitation_says_a_name_is_taken_five_times_then_is_spent(app, client, people) -> None:
    path = invitation_path(client, people)
    guest = client.application.test_client()
    secret = "a long enough secret"
    answers = [
        guest.post(path, data={"username": name, "password": secret})
        for name in ("sahar", "SAHAR", "root", "Root", "sahar")
    ]
    assert [a.status_code for a in answers] == [422] * 5
    pages = [a.get_data(as_text=True) for a in answers]
    assert all("is taken" in page for page in pages)
    assert "4 more refusals" in pages[0] and "1 more refusal)" in pages[3]
    assert "ask whoever invited you for a new one" in pages[4]
    spent = guest.post(path, data={"username": "deniz", "password": secret})
    assert spent.status_code == 422 and "not valid" in spent.get_data(as_text=True)
    probe = guest.post(path, data={"username": "sahar", "password": secret})
    assert "taken" not in probe.get_data(as_text=True)  # spent: says nothing of any name
    assert sign_in(guest, "deniz", secret).status_code == 401
    actions = audit_actions(app)
    assert actions.count("invitation-refused") == 5 and actions.count("invitation-spent") == 1
    assert "invitation-accepted" not in actions
    listing = client.get("/admin/users").get_data(as_text=True)
    assert 'id="pending-invitations"' not in listing  # no longer waiting to be used


def test_mistakes_that_tell_nothing_of_others_do_not_use_an_invitation_up(client, people) -> None:
    path = invitation_path(client, people)
    guest = client.application.test_client()
    for _ in range(6):
        assert guest.post(path, data={"username": "deniz", "password": "short"}).status_code == 422
        bad = guest.post(path, data={"username": "-deniz", "password": "a long enough secret"})
        assert bad.status_code == 422 and "use 2-40 letters" in bad.get_data(as_text=True)
    for _ in range(4):
        taken = guest.post(path, data={"username": "Sahar", "password": "a long enough secret"})
        assert "is taken" in taken.get_data(as_text=True)
    joined = guest.post(path, data={"username": "Deniz", "password": "a long enough secret"})
    assert joined.status_code == 302
    assert sign_in(guest, "Deniz", "a long enough secret").status_code == 302


def test_simultaneous_probes_of_one_invitation_get_no_more_than_five_answers(
    app, client, people
) -> None:
    import threading

    from translator.services import DeskError

    raw = invitation_path(client, people).rsplit("/", 1)[1]
    factory = app.extensions["translator.sessions"]
    start = threading.Barrier(8)
    answers: list[str] = []

    def probe() -> None:
        start.wait()
        try:
            with db.transaction(factory) as s:
                accounts.accept_invitation(s, raw, "sahar", "a long enough secret")
        except DeskError as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=probe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8
    assert sum("is taken" in answer for answer in answers) == 5
    assert sum("not valid" in answer for answer in answers) == 3


def test_user_names_are_unique_whatever_their_case_on_every_path(
    app, client, people, run, monkeypatch
) -> None:
    from sqlalchemy import insert, select
    from sqlalchemy.exc import IntegrityError

    from translator.models import User
    from translator.services import DeskError

    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s, pytest.raises(DeskError, match="'SAHAR' is taken"):
        accounts.create_user(s, "SAHAR", Role.TRANSLATOR, "fa")
    added = run("users", "add", "Sahar", "--role", "reviewer", "--lang", "fa", check=False)
    assert added.exit_code == 2 and "'Sahar' is taken" in added.output
    sign_in(client, "root", people["root"])
    form = client.post(
        "/admin/users",
        data={"csrf_token": csrf(client, "/admin/users"), "username": "ROOT", "role": "translator"},
    )
    assert form.status_code == 422 and "is taken" in form.get_data(as_text=True)
    with pytest.raises(IntegrityError), db.transaction(factory) as s:  # the store refuses too
        s.execute(insert(User).values(username="sAhAr", role="translator", password_hash="x"))
    names = iter(["3f9a1c", "3f9a1d"])  # a retired account's pseudonym avoids any case of a name
    monkeypatch.setattr(accounts.secrets, "token_hex", lambda _: next(names))
    with db.transaction(factory) as s:
        accounts.create_user(s, "Volunteer-3F9A1C", Role.TRANSLATOR, "fa")
        assert accounts.retire(s, None, accounts.by_username(s, "sahar").id) == "volunteer-3f9a1d"
    with db.transaction(factory) as s:
        made = sorted(s.scalars(select(User.username)))
    assert made == ["Volunteer-3F9A1C", "admin", "root", "volunteer-3f9a1d"]


def test_sign_in_takes_a_name_whatever_its_case_and_an_unknown_one_as_slowly(
    client, people, monkeypatch
) -> None:
    """Names are unique whatever their case, so `SAHAR` (a phone capitalises) is `sahar` at the
    sign-in; an unknown name is answered as any wrong password (the same password check, against
    a hash of nothing, the same 401), and every case counts against one account key."""
    from argon2 import PasswordHasher

    verified: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
            verified.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    assert sign_in(client, "SAHAR", people["sahar"]).status_code == 302
    assert sign_in(client, "nobody-here", people["sahar"]).status_code == 401
    assert verified == [people["sahar"]] * 2
    for name in ("Sahar", "SAHAR", "sAhar", "sahaR", "SaHaR"):
        sign_in(client, name, "wrong")
    assert sign_in(client, "sahar", people["sahar"]).status_code == 429  # one count for any case


def test_an_invitation_s_refusals_are_audit_rows_keyed_like_the_rest(database_url: str) -> None:
    """The refusals are written in a transaction of their own, with the caller's audit key."""
    from translator.services import DeskError, audit

    engine = db.make_engine(database_url)
    db.create_schema(engine)
    factory = db.session_factory(engine, audit_key=b"k" * 32)
    with db.transaction(factory) as s:
        accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
        accounts.create_user(s, "root", Role.ADMIN)
        root = done_second_step(accounts.by_username(s, "root"))
        raw = accounts.invite(s, root, Role.TRANSLATOR, "fa")
    for _ in range(6):
        with pytest.raises(DeskError), db.transaction(factory) as s:
            accounts.accept_invitation(s, raw, "SAHAR", "a long enough secret")
    with db.transaction(factory) as s:
        assert audit.verify(s).intact
        assert [row.action for row in audit.rows(s, limit=10)][:2] == [
            "invitation-spent",
            "invitation-refused",
        ]
    engine.dispose()


# Joining: the invitation says what it gives, and the new person is signed in at once.


def test_an_invitation_page_names_the_role_and_languages_in_the_readers_language(
    client, people
) -> None:
    path = invitation_path(client, people)  # a translator, for Turkish
    guest = client.application.test_client()
    english = guest.get(path).get_data(as_text=True)
    offer = re.search(r'<p class="created" id="invitation-offer">(.*?)</p>', english, re.S)
    assert offer and "translator" in offer.group(1) and "Turkish" in offer.group(1)
    assert 'name="form_token"' in english  # the form keeps its own token
    french = guest.get(path, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    offer = re.search(r'id="invitation-offer">(.*?)</p>', french, re.S)
    assert offer and "turc" in offer.group(1) and "Turkish" not in offer.group(1)
    dead = guest.get(path + "x").get_data(as_text=True)
    assert 'id="invitation-offer"' not in dead and "not valid" in dead


def test_joining_signs_the_new_person_in_with_a_new_session(client, people) -> None:
    path = invitation_path(client, people)
    guest = client.application.test_client()
    joined = guest.post(path, data={"username": "deniz", "password": "a long enough secret"})
    assert joined.status_code == 302 and joined.headers["Location"] == "/translate/"
    cookie = joined.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert joined.headers["Cache-Control"] == "no-store"
    assert guest.get("/translate/tr").status_code == 200  # no second sign-in
    assert "deniz" in guest.get("/").get_data(as_text=True)
    assert guest.get("/translate/fa").status_code == 403  # what the invitation gave, no more
    forged = client.application.test_client()  # another page's post: refused before anything
    refused = forged.post(
        path, data={"username": "deniz3", "password": "a long enough secret", "form_token": "x"}
    )
    assert refused.status_code == 400 and "Set-Cookie" not in refused.headers


def test_an_invited_editor_joins_and_is_sent_to_set_up_the_second_factor(app, people) -> None:
    from sqlalchemy import select

    from translator.models import User

    with db.transaction(app.extensions["translator.sessions"]) as s:
        root = done_second_step(s.scalars(select(User).where(User.username == "root")).one())
        raw = accounts.invite(s, root, Role.EDITOR, "")
    guest = app.test_client()
    page = guest.get(f"/admin/invitations/{raw}").get_data(as_text=True)
    assert "editor" in page and "every language" in page and "second factor" in page
    joined = guest.post(
        f"/admin/invitations/{raw}", data={"username": "elif", "password": "a long enough secret"}
    )
    assert joined.status_code == 302
    assert joined.headers["Location"].startswith("/account/second-factor?next=")
    assert guest.get("/admin/users").headers["Location"].startswith("/account/second-factor")
    assert guest.get(joined.headers["Location"]).status_code == 200
