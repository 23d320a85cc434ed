"""The audit log: hash-chained, verifiable, cut by retention from an anchor, shown to admins."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.conftest import enrol, sign_in_fully
from translator import db
from translator.models import AuditEntry, Role
from translator.services import accounts, audit


@pytest.fixture
def logged(sessions):  # type: ignore[no-untyped-def]
    with db.transaction(sessions) as s:
        accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
        for n in range(5):
            audit.record(s, "test", n=n)
    return sessions


def test_an_untouched_log_verifies(logged) -> None:
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert verdict.intact and verdict.rows == 6  # the account's creation, then five


def test_each_row_carries_the_hash_of_the_previous_one(logged) -> None:
    with db.transaction(logged) as s:
        rows = list(reversed(audit.rows(s)))
        entries = {e.seq: e for e in s.query(AuditEntry)}
    for before, after in zip(rows, rows[1:], strict=False):
        assert entries[after.seq].prev_sha256 == before.sha256


@pytest.mark.parametrize(
    ("change", "bad"),
    [
        ({"details": {"n": 99}}, 4),
        ({"action": "other"}, 4),
        ({"actor_id": 1}, 4),
    ],
)
def test_an_edited_row_is_named_by_verify(logged, change, bad) -> None:
    with db.transaction(logged) as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == bad).values(**change))
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and verdict.first_bad == bad


def test_a_removed_row_or_a_cut_tail_is_found(logged) -> None:
    from sqlalchemy import delete

    with db.transaction(logged) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    with db.transaction(logged) as s:
        assert audit.verify(s).first_bad == 6
    with db.transaction(logged) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
        assert audit.verify(s).first_bad == 4


def test_the_orm_refuses_to_edit_a_row(logged) -> None:
    with pytest.raises(ValueError, match="append-only"), db.transaction(logged) as s:
        s.get(AuditEntry, 2).action = "forged"  # type: ignore[union-attr]
        s.flush()


def test_retention_cuts_old_rows_and_the_rest_still_verifies(logged) -> None:
    with db.transaction(logged) as s:
        old = s.get(AuditEntry, 3)
        assert old is not None
        # rows are never edited through the ORM; a test may age them with a statement, then
        # re-chain them as if they had been written then
        for entry in s.query(AuditEntry).order_by(AuditEntry.seq):
            if entry.seq <= 3:
                s.execute(
                    update(AuditEntry)
                    .where(AuditEntry.seq == entry.seq)
                    .values(at=entry.at - timedelta(days=400))
                )
    _rechain(logged)
    with db.transaction(logged) as s:
        assert audit.verify(s).intact
        assert audit.prune(s, 365) == 3
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
        assert verdict.intact and verdict.rows == 4  # 4, 5, 6 and the cut itself
        assert audit.rows(s, limit=1)[0].action == "audit-pruned"


def _rechain(sessions) -> None:  # type: ignore[no-untyped-def]
    from translator.models import AuditHead

    with db.transaction(sessions) as s:
        prev = audit.GENESIS
        for entry in s.query(AuditEntry).order_by(AuditEntry.seq).all():
            sha = audit._digest(
                entry.seq,
                entry.at,
                entry.action,
                entry.actor_id,
                entry.subject_id,
                entry.details,
                prev,
            )
            s.execute(
                update(AuditEntry)
                .where(AuditEntry.seq == entry.seq)
                .values(prev_sha256=prev, sha256=sha)
            )
            prev = sha
        s.execute(update(AuditHead).values(sha256=prev))


def test_concurrent_appends_keep_one_chain(logged) -> None:
    import threading

    def append(n: int) -> None:
        with db.transaction(logged) as s:
            audit.record(s, "parallel", n=n)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert verdict.intact and verdict.rows == 18


def test_the_command_line_lists_and_verifies(run) -> None:
    run("init")
    run("users", "add", "sahar", "--role", "translator", "--lang", "fa")
    listed = json.loads(run("audit", "list", "--json").output)
    assert listed[0]["action"] == "account-created" and listed[0]["subject"] == "sahar"
    assert run("audit", "list", "--since", "2000-01-01").output.count("account-created") == 2
    assert run("audit", "verify").exit_code == 0


def test_sign_ins_tokens_and_imports_are_recorded_by_account_never_by_address(client, app) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "root", Role.ADMIN)
    enrol(app, "root")
    client.post("/login", data={"username": "root", "password": "wrong"})
    client.post("/login", data={"username": "no-such-name", "password": "secret-typed-here"})
    sign_in_fully(client, "root", password)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "The chain is intact" in page
    with db.transaction(app.extensions["translator.sessions"]) as s:
        rows = audit.rows(s)
    actions = [(r.action, r.actor, r.subject) for r in rows[:4]]
    assert actions == [
        ("second-step", "root", "root"),
        ("sign-in", "root", "root"),
        ("sign-in-failed", None, None),
        ("sign-in-failed", None, "root"),
    ]
    text = json.dumps([r.details for r in rows])
    assert "no-such-name" not in text and "secret" not in text and "127.0.0.1" not in text


def test_the_audit_page_is_for_admins_and_says_when_the_chain_is_broken(client, app) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        admin = accounts.create_user(s, "root", Role.ADMIN)
        editor = accounts.create_user(s, "elif", Role.EDITOR)
    enrol(app, "root")
    enrol(app, "elif")
    sign_in_fully(client, "elif", editor)
    assert client.get("/admin/audit").status_code == 403
    sign_in_fully(client, "root", admin)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="forged"))
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "The chain is broken at row 2" in page


def test_verify_exits_1_naming_the_first_row_that_does_not_match(run, database_url) -> None:
    run("init")
    run("users", "add", "sahar", "--role", "translator", "--lang", "fa")
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="forged"))
    engine.dispose()
    result = run("audit", "verify", check=False)
    assert result.exit_code == 1 and "row 2" in result.output
