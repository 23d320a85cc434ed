"""Job records: what heavy work was asked for, by whom, how far it got, and where its result is.

The records live in the database, so every web process can answer for a job that a worker on
another machine runs; Celery only carries the job's id.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from translator.models import Job, User, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
KEPT = timedelta(days=7)  # finished jobs, then forgotten
STALLED = timedelta(minutes=15)  # far longer than any batch build takes
KINDS = ("edition", "publication", "build", "import", "recheck")


@dataclass(frozen=True)
class Status:
    """A job as its API shows it: one shape for the API, the progress page and the CLI."""

    id: str
    kind: str
    state: str
    done: int
    total: int
    message: str
    has_file: bool


def start(
    session: Session,
    kind: str,
    params: dict[str, Any],
    *,
    owner: User | None = None,
    input_key: str | None = None,
    payload: bytes | None = None,
    total: int = 1,
) -> tuple[Job, bool]:
    """A queued job, and whether it is new: an unfinished job of the same owner building the same
    input is returned instead of a second one, so asking twice builds once."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    owner_id = owner.id if owner is not None else None
    if input_key is not None:
        running = session.scalar(
            select(Job).where(
                Job.input_key == input_key,
                Job.state.in_((QUEUED, RUNNING)),
                Job.owner_id.is_(None) if owner_id is None else Job.owner_id == owner_id,
            )
        )
        if running is not None:
            return running, False
    job = Job(
        id=secrets.token_hex(16),
        kind=kind,
        params=params,
        payload=payload,
        input_key=input_key,
        owner_id=owner_id,
        state=QUEUED,
        done=0,
        total=total,
        message="",
    )
    session.add(job)
    session.flush()
    return job, True


def get(session: Session, job_id: str) -> Job | None:
    return session.get(Job, job_id) if len(job_id) <= 32 else None


def visible(job: Job, user: User | None) -> bool:
    """A job is its owner's; one started without signing in (a published edition) is anyone's
    who holds its id."""
    return job.owner_id is None or (user is not None and user.id == job.owner_id)


def status(job: Job) -> Status:
    return Status(
        job.id, job.kind, job.state, job.done, job.total, job.message, job.result_key is not None
    )


def claim(session: Session, job_id: str) -> Job | None:
    """Mark a queued job running; None when it is gone or another worker has it. A job left
    running for longer than STALLED (its worker died; the broker hands it out again) is taken."""
    now = utcnow()
    waiting = or_(Job.state == QUEUED, and_(Job.state == RUNNING, Job.started_at < now - STALLED))
    taken = session.execute(
        update(Job).where(Job.id == job_id, waiting).values(state=RUNNING, started_at=now)
    )
    return session.get(Job, job_id) if getattr(taken, "rowcount", 0) == 1 else None


def progress(session: Session, job_id: str, done: int, total: int) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))


def finish(
    session: Session, job_id: str, *, result_key: str | None = None, message: str = ""
) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            state=DONE,
            done=Job.total,
            result_key=result_key,
            message=message,
            finished_at=utcnow(),
            payload=None,
        )
    )


def fail(session: Session, job_id: str, message: str) -> None:
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=FAILED, message=message, finished_at=utcnow(), payload=None)
    )


def forget_old(session: Session) -> None:
    """Forget jobs finished more than a week ago (their files outlive them: see edition_files)."""
    session.execute(delete(Job).where(Job.finished_at < utcnow() - KEPT))
