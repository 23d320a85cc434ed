"""The audit log: an append-only, hash-chained record of who did what to accounts and editions.

Each row carries the HMAC-SHA256 of its own canonical JSON (sorted keys, no spaces), which
includes the previous row's digest, so changing, removing or reordering a row breaks the chain
from there on; and since the key is kept outside the store (TRANSLATOR_AUDIT_KEY, else the
instance folder's audit.key: `load_key`), someone who can write the database cannot compute the
chain again. Rows written before the chain was keyed keep their plain SHA-256: the head's
`keyed_from` is the first keyed row's number (docs/decisions.md, "The audit log's key").

The head row (`audit_head`) holds the last sequence number and digest, the anchor (where a
retention cut left the chain) and `keyed_from`, sealed by an HMAC over all of them, so neither
can be moved back or forward without the key. Appending updates the head first, which locks it,
so concurrent appends line up one after another (SQLite and PostgreSQL alike). A head whose seal
does not match is never sealed again: once found, tampering stays found.

What the store alone cannot show (both tables emptied, or the tail cut and an older head put
back whole) is caught against a head kept elsewhere: `head`, then `verify(session, kept)`.

Rows name accounts by id, never by name and never by address: a retired volunteer's pseudonym
shows wherever the log is read, and the chain stays intact. Retention (TRANSLATOR_AUDIT_DAYS)
cuts old rows and keeps, as the anchor, the last cut row's number and digest, so the rest still
verifies; the cut is itself a row naming the anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from translator import config, db
from translator.messages import N_, Message, message
from translator.models import AuditEntry, AuditHead, User, utcnow
from translator.services import DeskError

GENESIS = "0" * 64
KEY_FILE = "audit.key"  # in the instance folder, when TRANSLATOR_AUDIT_KEY is not set


def load_key(instance_path: str | Path, configured: str | None = None) -> bytes:
    """The chain's key: `configured` (TRANSLATOR_AUDIT_KEY, 64 hex digits) when given, else the
    instance folder's audit.key, made on first use (32 random bytes as hex, mode 0600)."""
    if configured:
        return _parse_key(str(configured), "TRANSLATOR_AUDIT_KEY")
    path = Path(instance_path) / KEY_FILE
    try:
        text = path.read_text()
    except FileNotFoundError:
        text = _make_key_file(path)
    return _parse_key(text, str(path))


def _make_key_file(path: Path) -> str:
    """Write a new key under a name of its own (O_CREAT|O_EXCL, 0600), then link it into place:
    of two processes making it at once, one links, the other finds the file there, whole, and
    reads it back. Both use the same key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, f"{secrets.token_hex(32)}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process was first: its key is the key
    finally:
        os.unlink(draft)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the new name survives a crash: losing the key loses the proof
    finally:
        os.close(folder)
    return path.read_text()


def _parse_key(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < 32:
        raise DeskError(f"the audit log's key ({where}) must be at least 64 hex digits (32 bytes)")
    return key


def _key(session: Session) -> bytes:
    """The key the session was made with (`db.session_factory`), else this process's
    configuration's: the CLI and job workers read the same TRANSLATOR_* settings."""
    key = session.info.get(db.AUDIT_KEY)
    if key is None:
        settings = config.load()
        key = load_key(settings["INSTANCE_PATH"], settings.get("AUDIT_KEY"))
        session.info[db.AUDIT_KEY] = key
    return bytes(key)


@dataclass(frozen=True)
class Row:
    seq: int
    at: datetime
    action: str
    actor: str | None  # the account's current name (a pseudonym once retired)
    subject: str | None
    details: dict[str, Any]
    sha256: str


def canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _digest(
    seq: int,
    at: datetime,
    action: str,
    actor: int | None,
    subject: int | None,
    details: dict[str, Any],
    prev: str,
    *,
    key: bytes | None,
) -> str:
    """A row's HMAC-SHA256 with the key; its plain SHA-256 for a row older than the key."""
    body = canonical(
        {
            "seq": seq,
            "at": at.isoformat(timespec="microseconds"),
            "action": action,
            "actor": actor,
            "subject": subject,
            "details": details,
            "prev": prev,
        }
    )
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _seal(
    key: bytes, seq: int, sha256: str, anchor_seq: int, anchor_sha256: str, keyed_from: int
) -> str:
    """The head's HMAC: its last row, its anchor and where the key starts (no row's body has a
    "head" key, so no row's digest can stand for a seal)."""
    head = {
        "seq": seq,
        "sha256": sha256,
        "anchor_seq": anchor_seq,
        "anchor_sha256": anchor_sha256,
        "keyed_from": keyed_from,
    }
    return hmac.new(key, canonical({"head": head}), hashlib.sha256).hexdigest()


def _sealed(key: bytes, head: Any, seq: int | None = None) -> bool:
    """Whether the head's seal matches its values (a head row, or a row of its columns), with
    `seq` for its number when given."""
    if head.seal is None or head.keyed_from is None:
        return False
    seq = head.seq if seq is None else seq
    seal = _seal(key, seq, head.sha256, head.anchor_seq, head.anchor_sha256, head.keyed_from)
    return hmac.compare_digest(seal, head.seal)


def _unkeyed(head: Any) -> bool:
    """A store's head from before the key: no keyed row yet, nothing sealed."""
    return head.keyed_from is None and head.seal is None


def _head(session: Session) -> AuditHead:
    head = session.get(AuditHead, 1)
    if head is None:
        session.add(AuditHead(id=1, seq=0, sha256=GENESIS, anchor_seq=0, anchor_sha256=GENESIS))
        session.flush()
        head = session.get(AuditHead, 1)
        assert head is not None
    return head


_HEAD_COLUMNS = (
    AuditHead.seq,
    AuditHead.sha256,
    AuditHead.anchor_seq,
    AuditHead.anchor_sha256,
    AuditHead.keyed_from,
    AuditHead.seal,
)


def record(
    session: Session,
    action: str,
    *,
    actor: User | int | None = None,
    subject: User | int | None = None,
    **details: Any,
) -> AuditEntry:
    """Append one row; `actor` did `action` to `subject` (accounts, by id)."""
    key = _key(session)
    _head(session)
    # the update takes the head's lock before anything is read: appends line up
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(select(*_HEAD_COLUMNS).where(AuditHead.id == 1)).one()
    seq, prev = int(head.seq), str(head.sha256)
    keyed_from = seq if head.keyed_from is None else int(head.keyed_from)
    # the head as it stood before this row: sealed by the key, or from before the key
    trusted = _unkeyed(head) or _sealed(key, head, seq - 1)
    at = utcnow()
    clean = json.loads(canonical(details))  # what is stored is what was hashed
    actor_id, subject_id = _id(actor), _id(subject)
    sha = _digest(seq, at, action, actor_id, subject_id, clean, prev, key=key)
    entry = AuditEntry(
        seq=seq,
        at=at,
        action=action,
        actor_id=actor_id,
        subject_id=subject_id,
        details=clean,
        prev_sha256=prev,
        sha256=sha,
    )
    session.add(entry)
    seal = head.seal  # a head found changed stays unsealed: verify goes on saying so
    if trusted:
        seal = _seal(key, seq, sha, head.anchor_seq, head.anchor_sha256, keyed_from)
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(sha256=sha, keyed_from=keyed_from, seal=seal)
    )
    session.flush()
    return entry


def _id(who: User | int | None) -> int | None:
    return who.id if isinstance(who, User) else who


def head(session: Session) -> tuple[int, str]:
    """The head to keep elsewhere: the last row's number and digest ((0, GENESIS) if none)."""
    found = session.execute(select(AuditHead.seq, AuditHead.sha256).where(AuditHead.id == 1))
    row = found.one_or_none()
    return (0, GENESIS) if row is None else (int(row.seq), str(row.sha256))


@dataclass(frozen=True)
class Verdict:
    intact: bool
    rows: int
    first_bad: int | None = None
    said: Message | None = None  # why it is broken, to say in the reader's language
    keyed_from: int | None = None  # the first keyed row; None: no row keyed yet

    @property
    def reason(self) -> str:
        """Why it is broken, in English (the command line)."""
        return self.said.english if self.said is not None else ""


def verify(session: Session, kept: tuple[int, str] | None = None) -> Verdict:
    """Check the head's seal, recompute the chain from the anchor, check that the anchor is the
    one the last prune recorded and, given a head kept elsewhere, that the log still reaches it:
    the first thing that does not match, if any."""
    key = _key(session)
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        first = session.scalar(select(func.min(AuditEntry.seq)))
        if first is not None:
            said = message(N_("the log's head is missing"), "audit.no-head")
            return Verdict(False, 0, int(first), said)
        if kept is not None and kept != (0, GENESIS):
            said = message(
                N_("the log is empty, but it had reached row %(row)d"),
                "audit.emptied",
                row=kept[0],
            )
            return Verdict(False, 0, kept[0], said)
        return Verdict(True, 0)
    keyed_from = head.keyed_from
    if not _unkeyed(head) and not _sealed(key, head):
        said = message(
            N_("the head's seal does not match: the head or its anchor was changed"),
            "audit.seal",
        )
        return Verdict(False, 0, head.seq, said, keyed_from)
    expected_seq, prev, rows = head.anchor_seq + 1, head.anchor_sha256, 0
    last_prune: AuditEntry | None = None
    kept_sha = head.anchor_sha256 if kept is not None and kept[0] == head.anchor_seq else None
    entries = select(AuditEntry).order_by(AuditEntry.seq).execution_options(populate_existing=True)
    for entry in session.scalars(entries):
        keyed = keyed_from is not None and entry.seq >= keyed_from
        wrong = _mismatch(entry, expected_seq, prev, key if keyed else None)
        if wrong:
            return Verdict(False, rows, entry.seq, wrong, keyed_from)
        if entry.action == "audit-pruned":
            last_prune = entry
        if kept is not None and entry.seq == kept[0]:
            kept_sha = entry.sha256
        prev, expected_seq, rows = entry.sha256, entry.seq + 1, rows + 1
    if head.seq != expected_seq - 1 or head.sha256 != prev:
        said = message(N_("rows are missing at the end of the log"), "audit.tail-cut")
        return Verdict(False, rows, expected_seq, said, keyed_from)
    if head.anchor_seq > 0 and not _recorded_by(last_prune, head.anchor_seq, head.anchor_sha256):
        said = message(
            N_("the anchor is not where the last prune of the log left it"), "audit.anchor"
        )
        return Verdict(False, rows, head.anchor_seq + 1, said, keyed_from)
    if kept is not None:
        wrong = _kept_head_mismatch(kept, kept_sha, head.anchor_seq, head.seq)
        if wrong:
            return Verdict(False, rows, kept[0], wrong, keyed_from)
    return Verdict(True, rows, keyed_from=keyed_from)


def _mismatch(entry: AuditEntry, seq: int, prev: str, key: bytes | None) -> Message | None:
    if entry.seq != seq:
        return message(N_("row %(row)d is missing"), "audit.row-missing", row=seq)
    if entry.prev_sha256 != prev:
        return message(N_("its link to the previous row does not match"), "audit.link")
    sha = _digest(
        entry.seq,
        entry.at,
        entry.action,
        entry.actor_id,
        entry.subject_id,
        entry.details,
        entry.prev_sha256,
        key=key,
    )
    if hmac.compare_digest(sha, entry.sha256):
        return None
    return message(N_("its content does not match its hash"), "audit.content")


def _recorded_by(prune_row: AuditEntry | None, anchor_seq: int, anchor_sha256: str) -> bool:
    """Whether the last prune's row (keyed like every row) names this anchor."""
    if prune_row is None:
        return False
    details = prune_row.details
    return details.get("through") == anchor_seq and details.get("anchor") == anchor_sha256


def _kept_head_mismatch(
    kept: tuple[int, str], found: str | None, anchor: int, last: int
) -> Message | None:
    seq, sha = kept
    if seq > last:
        return message(
            N_("row %(row)d of the kept head is missing: the log ends at row %(last)d"),
            "audit.kept-missing",
            row=seq,
            last=last,
        )
    if seq < anchor:
        return message(
            N_(
                "row %(row)d of the kept head was cut by a prune "
                "(the log starts after row %(anchor)d)"
            ),
            "audit.kept-pruned",
            row=seq,
            anchor=anchor,
        )
    if found is None or not hmac.compare_digest(found, sha.lower()):
        return message(
            N_("row %(row)d does not have the kept head's hash"), "audit.kept-hash", row=seq
        )
    return None


def parse_head(text: str) -> tuple[int, str]:
    """A kept head as `audit head` prints it ("SEQ HASH") or as "SEQ:HASH"."""
    seq, _, sha = text.strip().replace(":", " ", 1).partition(" ")
    sha = sha.strip().lower()
    if not seq.isdigit() or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise ValueError("a head is SEQ:HASH, the row's number and its 64 hex digits")
    return int(seq), sha


def rows(
    session: Session,
    *,
    since: datetime | None = None,
    limit: int | None = None,
    who: Any = None,
) -> list[Row]:
    """The log, newest first, with accounts by their current names: for admins (the policy's
    read-audit; `who=None` is the command line)."""
    from translator.services import policy  # the policy writes here: imported when read

    policy.require(session, policy.by_whom(session, who), policy.Action.READ_AUDIT, audited=False)
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if limit is not None:
        query = query.limit(limit)
    entries = list(session.scalars(query))
    ids = {i for e in entries for i in (e.actor_id, e.subject_id) if i is not None}
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())
    return [
        Row(
            e.seq,
            e.at,
            e.action,
            names.get(e.actor_id) if e.actor_id else None,
            names.get(e.subject_id) if e.subject_id else None,
            e.details,
            e.sha256,
        )
        for e in entries
    ]


def prune(session: Session, days: int) -> int:
    """Cut rows older than `days`, keeping the last cut row as the anchor; how many were cut.
    The new anchor is sealed (when the head's seal held) and named by the cut's own row."""
    if days <= 0:
        return 0
    key = _key(session)
    cutoff = utcnow() - timedelta(days=days)
    _head(session)
    # lock the head first, as record() does
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    last = session.scalar(
        select(AuditEntry).where(AuditEntry.at < cutoff).order_by(AuditEntry.seq.desc()).limit(1)
    )
    if last is None:
        return 0
    count = session.scalar(select(func.count()).where(AuditEntry.seq <= last.seq)) or 0
    head = session.execute(select(*_HEAD_COLUMNS).where(AuditHead.id == 1)).one()
    seal = head.seal
    if head.keyed_from is not None and _sealed(key, head):
        seal = _seal(key, head.seq, head.sha256, last.seq, last.sha256, head.keyed_from)
    session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(anchor_seq=last.seq, anchor_sha256=last.sha256, seal=seal)
    )
    session.execute(delete(AuditEntry).where(AuditEntry.seq <= last.seq))
    record(session, "audit-pruned", through=last.seq, anchor=last.sha256, days=days)
    return int(count)
