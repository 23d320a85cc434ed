"""The audit log: keyed and hash-chained, verifiable (against a head kept elsewhere too), cut by
retention from a sealed anchor, shown to admins."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from tests.conftest import enrol, sign_in_fully
from translator import create_app, db
from translator.models import AuditEntry, AuditHead, Role
from translator.services import DeskError, accounts, audit

KEY = bytes(range(32))  # the tests' audit key, kept (as the desk keeps it) outside the store


@pytest.fixture
def logged(sessions):  # type: ignore[no-untyped-def]
    sessions.configure(info={db.AUDIT_KEY: KEY})
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
        anchor = audit.rows(s, limit=1)[0].details["anchor"]
        assert audit.verify(s, (3, anchor)).intact and audit.verify(s, audit.head(s)).intact
        cut = audit.verify(s, (2, "0" * 64))
        assert not cut.intact and "cut by a prune" in cut.reason


def _rechain(sessions, key: bytes | None = KEY, start: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Compute the chain again from row `start`, with the key (as the desk would have written
    it) or, with None, without it (as anyone who can write the database can), and put the head
    at its end; with the key, seal it too."""
    with db.transaction(sessions) as s:
        prev = audit.GENESIS
        entries = s.query(AuditEntry).order_by(AuditEntry.seq).all()
        for entry in entries:
            if entry.seq < start:
                prev = entry.sha256
                continue
            sha = _plain_or_keyed(entry, prev, key)
            s.execute(
                update(AuditEntry)
                .where(AuditEntry.seq == entry.seq)
                .values(prev_sha256=prev, sha256=sha)
            )
            prev = sha
        last = entries[-1].seq if entries else 0
        s.execute(update(AuditHead).values(seq=last, sha256=prev))
    if key is not None:
        _reseal(sessions, key)


def _reseal(sessions, key: bytes = KEY) -> None:  # type: ignore[no-untyped-def]
    """Seal the head as it stands, as only the desk (holding the key) can."""
    with db.transaction(sessions) as s:
        head = s.get(AuditHead, 1, populate_existing=True)
        assert head is not None and head.keyed_from is not None
        head.seal = audit._seal(
            key, head.seq, head.sha256, head.anchor_seq, head.anchor_sha256, head.keyed_from
        )


def _plain_or_keyed(entry: AuditEntry, prev: str, key: bytes | None) -> str:
    if key is not None:
        return audit._digest(
            entry.seq,
            entry.at,
            entry.action,
            entry.actor_id,
            entry.subject_id,
            entry.details,
            prev,
            key=key,
        )
    body = {  # the old desk's digest, which needs no key
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "action": entry.action,
        "actor": entry.actor_id,
        "subject": entry.subject_id,
        "details": entry.details,
        "prev": prev,
    }
    return hashlib.sha256(audit.canonical(body)).hexdigest()


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


@pytest.fixture
def desk(engine, database_url: str, root: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app on a new store, keyed by its own instance folder from the first row (the `app`
    fixture's store is a copy of one that `translator init` keyed in another folder: it cannot
    verify under the app's key, as a store moved without its key cannot)."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "JOBS_EAGER": True,
        }
    )
    yield application
    application.extensions["translator.sessions"].kw["bind"].dispose()


def test_sign_ins_tokens_and_imports_are_recorded_by_account_never_by_address(desk) -> None:
    app, client = desk, desk.test_client()
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


def test_the_audit_page_is_for_admins_and_says_when_the_chain_is_broken(desk) -> None:
    app, client = desk, desk.test_client()
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
    assert "its content does not match its hash" in page
    farsi = client.get("/admin/audit", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "محتوای آن با هش آن جور نیست" in farsi  # why, in the reader's language


def test_verify_exits_1_naming_the_first_row_that_does_not_match(run, database_url) -> None:
    run("init")
    run("users", "add", "sahar", "--role", "translator", "--lang", "fa")
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="forged"))
    engine.dispose()
    result = run("audit", "verify", check=False)
    assert result.exit_code == 1 and "row 2" in result.output


# What someone who can write the database (but has not the key) may do, and how it is found


def test_both_tables_emptied_are_found_against_a_kept_head(logged) -> None:
    with db.transaction(logged) as s:
        kept = audit.head(s)
        s.execute(delete(AuditEntry))
        s.execute(delete(AuditHead))
    with db.transaction(logged) as s:
        assert audit.verify(s).intact  # the store alone looks new
        verdict = audit.verify(s, kept)
    assert not verdict.intact and verdict.first_bad == kept[0] == 6
    with db.transaction(logged) as s:  # the desk writes on, from a new head
        audit.record(s, "sign-in")
    with db.transaction(logged) as s:
        assert audit.verify(s).intact and not audit.verify(s, kept).intact


def test_a_cut_tail_with_the_head_moved_back_is_found(logged) -> None:
    with db.transaction(logged) as s:
        old = s.execute(select(AuditHead.__table__)).one()._asdict()  # a copy, taken at row 6
        sixth = s.get(AuditEntry, 6)
        assert sixth is not None
        audit.record(s, "token-created", n=7)
        audit.record(s, "token-revoked", n=8)
        kept = audit.head(s)
    # the head moved back by hand: its seal no longer matches
    with db.transaction(logged) as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq > 6))
        s.execute(update(AuditHead).values(seq=6, sha256=sixth.sha256))
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and "seal" in verdict.reason
    # the copy of the old head put back whole, seal and all: only a head kept elsewhere tells
    with db.transaction(logged) as s:
        s.execute(update(AuditHead).values(**old))
    with db.transaction(logged) as s:
        assert audit.verify(s).intact
        verdict = audit.verify(s, kept)
    assert not verdict.intact and verdict.first_bad == 8 and "missing" in verdict.reason


def test_a_fake_prune_is_found_and_never_sealed_by_the_next_row(logged) -> None:
    with db.transaction(logged) as s:
        third = s.get(AuditEntry, 3)
        assert third is not None
        s.execute(delete(AuditEntry).where(AuditEntry.seq <= 3))
        s.execute(update(AuditHead).values(anchor_seq=3, anchor_sha256=third.sha256))
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and "seal" in verdict.reason
    with db.transaction(logged) as s:  # the desk goes on writing: the head stays unsealed
        audit.record(s, "sign-in")
    with db.transaction(logged) as s:
        assert not audit.verify(s).intact


def test_a_fake_prune_of_rows_from_before_the_key_is_found_by_the_cut_s_own_row(
    sessions,
) -> None:  # type: ignore[no-untyped-def]
    sessions.configure(info={db.AUDIT_KEY: KEY})
    _legacy_log(sessions, 5)
    with db.transaction(sessions) as s:
        third = s.get(AuditEntry, 3)
        assert third is not None
        s.execute(delete(AuditEntry).where(AuditEntry.seq <= 3))
        s.execute(update(AuditHead).values(anchor_seq=3, anchor_sha256=third.sha256))
    with db.transaction(sessions) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and "last prune" in verdict.reason


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_a_middle_row_changed_and_the_chain_computed_again_without_the_key_is_found(
    logged, change
) -> None:
    with db.transaction(logged) as s:
        if change == "edited":
            s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(details={"n": 99}))
        else:  # removed, and the rows after it numbered again
            s.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
            for seq in range(4, 7):
                s.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(seq=seq - 1))
    _rechain(logged, key=None, start=3)  # SHA-256 with no key, as the old chain was: anyone can
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and "seal" in verdict.reason
    _reseal(logged)  # even were the head sealed again, the row's own digest needs the key
    with db.transaction(logged) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and verdict.first_bad == 3
    assert verdict.reason == "its content does not match its hash"


def test_the_log_does_not_verify_under_another_key(logged) -> None:
    logged.configure(info={db.AUDIT_KEY: bytes(32)})
    with db.transaction(logged) as s:
        assert not audit.verify(s).intact


# The key


def test_the_key_file_is_made_once_private_and_the_same_for_racing_processes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "instance"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: audit.load_key(folder), range(16)))
    assert len(keys) == 1 and len(next(iter(keys))) == 32
    path = folder / "audit.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == ["audit.key"]  # no draft left behind
    assert bytes.fromhex(path.read_text()) == audit.load_key(folder) == keys.pop()
    umask = os.umask(0)  # the mode does not depend on the process's umask
    try:
        audit.load_key(tmp_path / "other")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "other" / "audit.key").stat().st_mode) == 0o600


def test_a_configured_key_comes_first_and_a_malformed_one_is_refused(tmp_path: Path) -> None:
    from translator import config

    assert config.load(environ={"TRANSLATOR_AUDIT_KEY": "ab" * 32})["AUDIT_KEY"] == "ab" * 32
    assert audit.load_key(tmp_path, "ab" * 32) == bytes.fromhex("ab" * 32)
    assert not (tmp_path / "audit.key").exists()
    with pytest.raises(DeskError, match="64 hex digits"):
        audit.load_key(tmp_path, "not-a-key")
    (tmp_path / "audit.key").write_text("0123")
    with pytest.raises(DeskError, match="audit.key"):
        audit.load_key(tmp_path)


# Stores written before the key


def _legacy_log(sessions, count: int) -> None:  # type: ignore[no-untyped-def]
    """Rows as the desk wrote them before the key: plain SHA-256, the head unsealed."""
    from translator.models import utcnow

    with db.transaction(sessions) as s:
        prev = audit.GENESIS
        for seq in range(1, count + 1):
            entry = AuditEntry(
                seq=seq,
                at=utcnow(),
                action="sign-in",
                actor_id=1,
                subject_id=1,
                details={"n": seq},
                prev_sha256=prev,
            )
            entry.sha256 = prev = _plain_or_keyed(entry, prev, None)
            s.add(entry)
        s.add(AuditHead(id=1, seq=count, sha256=prev, anchor_seq=0, anchor_sha256=audit.GENESIS))


def test_rows_from_before_the_key_still_verify_and_the_first_keyed_row_covers_them(
    sessions,
) -> None:  # type: ignore[no-untyped-def]
    sessions.configure(info={db.AUDIT_KEY: KEY})
    _legacy_log(sessions, 3)
    with db.transaction(sessions) as s:
        verdict = audit.verify(s)
        assert verdict.intact and verdict.rows == 3 and verdict.keyed_from is None
        audit.record(s, "sign-in", n=4)
    with db.transaction(sessions) as s:
        verdict = audit.verify(s)
        head = s.get(AuditHead, 1)
        assert head is not None and head.seal is not None
    assert verdict.intact and verdict.rows == 4 and verdict.keyed_from == 4
    # an old row changed and its plain chain computed again: the keyed row after it breaks
    with db.transaction(sessions) as s:
        s.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(details={"n": 99}))
    _rechain(sessions, key=None, start=2)
    with db.transaction(sessions) as s:
        assert not audit.verify(s).intact
    _reseal(sessions)
    with db.transaction(sessions) as s:
        verdict = audit.verify(s)
    assert not verdict.intact and verdict.first_bad == 4


# The command line


def test_the_command_line_prints_the_head_and_verifies_the_log_against_it(
    run, database_url, tmp_path
) -> None:
    run("init")
    run("users", "add", "sahar", "--role", "translator", "--lang", "fa")
    key_file = tmp_path / "instance" / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    line = run("audit", "head").output
    assert re.fullmatch(r"[0-9]+ [0-9a-f]{64}\n", line), line
    seq, sha = line.split()
    assert f"{seq} rows verified" in run("audit", "verify", "--head", f"{seq}:{sha}").output
    assert run("audit", "verify", "--head", line.strip()).exit_code == 0
    assert run("audit", "verify", "--head", f"{seq}:beef", check=False).exit_code == 2
    ahead = run("audit", "verify", "--head", f"{int(seq) + 1}:{sha}", check=False)
    assert ahead.exit_code == 1 and f"row {int(seq) + 1}" in ahead.output
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(delete(AuditEntry))
        connection.execute(delete(AuditHead))
    engine.dispose()
    assert run("audit", "verify").exit_code == 0  # the store alone cannot tell
    result = run("audit", "verify", "--head", f"{seq}:{sha}", check=False)
    assert result.exit_code == 1 and f"row {seq}" in result.output and "empty" in result.output
