"""The audit log: an append-only, hash-chained record of who did what to accounts and editions.

Each row carries the SHA-256 of its own canonical JSON (sorted keys, no spaces), which includes the
previous row's hash, so changing, removing or reordering a row breaks the chain from there on.
The head row (`audit_head`) holds the last sequence number and hash; appending updates it first,
which locks it, so concurrent appends line up one after another (SQLite and PostgreSQL alike).

Rows name accounts by id, never by name and never by address: a retired volunteer's pseudonym
shows wherever the log is read, and the chain stays intact. Retention (TRANSLATOR_AUDIT_DAYS)
cuts old rows and keeps, as the anchor, the last cut row's number and hash, so the rest still
verifies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from translator.models import AuditEntry, AuditHead, User, utcnow

GENESIS = "0" * 64


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
) -> str:
    body = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "action": action,
        "actor": actor,
        "subject": subject,
        "details": details,
        "prev": prev,
    }
    return hashlib.sha256(canonical(body)).hexdigest()


def _head(session: Session) -> AuditHead:
    head = session.get(AuditHead, 1)
    if head is None:
        session.add(AuditHead(id=1, seq=0, sha256=GENESIS, anchor_seq=0, anchor_sha256=GENESIS))
        session.flush()
        head = session.get(AuditHead, 1)
        assert head is not None
    return head


def record(
    session: Session,
    action: str,
    *,
    actor: User | int | None = None,
    subject: User | int | None = None,
    **details: Any,
) -> AuditEntry:
    """Append one row; `actor` did `action` to `subject` (accounts, by id)."""
    _head(session)
    # the update takes the head's lock before anything is read: appends line up
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(select(AuditHead.seq, AuditHead.sha256).where(AuditHead.id == 1)).one()
    seq, prev = int(head.seq), str(head.sha256)
    at = utcnow()
    clean = json.loads(canonical(details))  # what is stored is what was hashed
    actor_id, subject_id = _id(actor), _id(subject)
    sha = _digest(seq, at, action, actor_id, subject_id, clean, prev)
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
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(sha256=sha))
    session.flush()
    return entry


def _id(who: User | int | None) -> int | None:
    return who.id if isinstance(who, User) else who


@dataclass(frozen=True)
class Verdict:
    intact: bool
    rows: int
    first_bad: int | None = None
    reason: str = ""


def verify(session: Session) -> Verdict:
    """Recompute the chain from the anchor; the first row that does not match, if any."""
    head = session.get(AuditHead, 1)
    if head is None:
        return Verdict(True, 0)
    expected_seq, prev, rows = head.anchor_seq + 1, head.anchor_sha256, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        reason = _mismatch(entry, expected_seq, prev)
        if reason:
            return Verdict(False, rows, entry.seq, reason)
        prev, expected_seq, rows = entry.sha256, entry.seq + 1, rows + 1
    if head.seq != expected_seq - 1 or head.sha256 != prev:
        return Verdict(False, rows, expected_seq, "rows are missing at the end of the log")
    return Verdict(True, rows)


def _mismatch(entry: AuditEntry, seq: int, prev: str) -> str:
    if entry.seq != seq:
        return f"row {seq} is missing"
    if entry.prev_sha256 != prev:
        return "its link to the previous row does not match"
    sha = _digest(
        entry.seq,
        entry.at,
        entry.action,
        entry.actor_id,
        entry.subject_id,
        entry.details,
        entry.prev_sha256,
    )
    return "" if sha == entry.sha256 else "its content does not match its hash"


def rows(session: Session, *, since: datetime | None = None, limit: int | None = None) -> list[Row]:
    """The log, newest first, with accounts by their current names."""
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
    """Cut rows older than `days`, keeping the last cut row as the anchor; how many were cut."""
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    last = session.scalar(
        select(AuditEntry).where(AuditEntry.at < cutoff).order_by(AuditEntry.seq.desc()).limit(1)
    )
    if last is None:
        return 0
    count = session.scalar(select(func.count()).where(AuditEntry.seq <= last.seq)) or 0
    head = _head(session)
    head.anchor_seq, head.anchor_sha256 = last.seq, last.sha256
    session.execute(delete(AuditEntry).where(AuditEntry.seq <= last.seq))
    record(session, "audit-pruned", through=last.seq, anchor=last.sha256, days=days)
    return int(count)
