"""Job records: what heavy work was asked for, by whom, how far it got, and where its result is.

The records live in the database, so every web process can answer for a job that a worker on
another machine runs; Celery only carries the job's id.

Jobs are capped, so that one account (or one address, or a script with a read-only token) cannot
fill the workers' queue: at most MAX_PER_OWNER unfinished (queued or running) jobs per account,
MAX_PER_CLIENT per salted hash of the address for jobs started without signing in, and
MAX_UNFINISHED on the whole desk. Past a cap `start` refuses with TooManyJobs or DeskBusy, each
with the seconds after which to ask again. Asking again for the same input is not a new job and
is never refused. The count and the insert are one step for the database: on PostgreSQL a
transaction-scoped advisory lock orders every new job (held for the few milliseconds of the count
and the insert), on SQLite the start's first statement is a write, which takes the database's one
write lock before counting.

The jobs table is the truth, not the broker: a job is overdue when it is still queued after
Timing.resend (its message lost with a broker's restart) or is running with no beat from its
worker for Timing.stalled (the worker killed, its machine gone: a running job's worker beats
every quarter of that). An overdue job is sent to the workers again, when someone asks for the
same input and by the workers' periodic check; `claim` takes a job once (a stalled one again),
so a second message for it is harmless. A job lost for good would hold its slot for ever: one
unfinished for longer than LOST is failed, its upload dropped, when the next job is started.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from translator.messages import N_, Message, message
from translator.models import Job, User, utcnow
from translator.services import DeskError

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
KEPT = timedelta(days=7)  # finished jobs, then forgotten
LOST = timedelta(hours=1)  # unfinished for this long: no worker will finish it
KINDS = ("edition", "publication", "build", "import", "recheck")

MAX_PER_OWNER = 3  # unfinished jobs of one account
MAX_PER_CLIENT = 3  # unfinished jobs started without signing in, per hashed client address
MAX_UNFINISHED = 200  # unfinished jobs on the whole desk
RETRY_OWN = 10  # seconds: one of the asker's own jobs is likely done by then (a PDF takes 1-5 s)
RETRY_BUSY = 30  # seconds: the whole queue is full; let the workers drain it
# the params key of the client's salted hash, for a job started without signing in; dropped from
# the record when the job ends, and never handed to the job's work
CLIENT = "_client"
# the key of the PostgreSQL advisory lock that orders the starts of new jobs
_START_LOCK = "hashtext('translator job start ' || current_schema())"


@dataclass(frozen=True)
class Timing:
    """When a job is overdue: queued and not taken for `resend`, or running with no beat from its
    worker for `stalled` (the configuration's JOB_RESEND_SECONDS and JOB_STALLED_SECONDS)."""

    resend: timedelta = timedelta(minutes=2)
    stalled: timedelta = timedelta(minutes=1)

    @classmethod
    def of(cls, config: dict[str, Any]) -> Timing:
        return cls(
            resend=timedelta(seconds=float(config.get("JOB_RESEND_SECONDS", 120))),
            stalled=timedelta(seconds=float(config.get("JOB_STALLED_SECONDS", 60))),
        )

    @property
    def beat_every(self) -> float:
        """Seconds between a running job's beats: four beats missed before it counts as stalled."""
        return self.stalled.total_seconds() / 4


class TooManyJobs(DeskError):
    """The asker has `limit` unfinished jobs already: ask again after `retry_after` seconds."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"you have {limit} unfinished jobs, the most allowed; "
            f"ask again in {retry_after} seconds, when one of them is done"
        )
        self.limit, self.retry_after = limit, retry_after


class DeskBusy(DeskError):
    """The desk has `limit` unfinished jobs: ask again after `retry_after` seconds."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"the desk is busy ({limit} jobs waiting); ask again in {retry_after} seconds"
        )
        self.limit, self.retry_after = limit, retry_after


class PayloadTooLarge(DeskError):
    """An upload over the import limit, refused before it is stored."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file has {size} bytes, over the limit of {limit}")
        self.size, self.limit = size, limit


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
    said: Message | None = None  # the message as data, to say it in a reader's language


def start(
    session: Session,
    kind: str,
    params: dict[str, Any],
    *,
    owner: User | None = None,
    client: str | None = None,
    input_key: str | None = None,
    payload: bytes | None = None,
    max_payload: int | None = None,
    total: int = 1,
) -> tuple[Job, bool]:
    """A queued job, and whether it is new: an unfinished job of the same owner building the same
    input is returned instead of a second one, so asking twice builds once.

    `client` is the salted hash of the address (sessions.client_key) of whoever starts a job
    without signing in; with neither an owner nor a client (the command line) only the desk's
    bound applies. TooManyJobs past the owner's or the client's cap, DeskBusy past the desk's,
    PayloadTooLarge for an upload over `max_payload`: nothing is stored then."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if CLIENT in params:
        raise ValueError(f"{CLIENT!r} is not a job's parameter")
    if payload is not None and max_payload is not None and len(payload) > max_payload:
        raise PayloadTooLarge(len(payload), max_payload)
    owner_id = owner.id if owner is not None else None
    if input_key is not None:
        running = _same_input(session, input_key, owner_id)
        if running is not None:  # no lock needed to answer with the job already asked for
            return running, False
    _serialise_starts(session)
    _fail_lost(session)
    if input_key is not None:  # started meanwhile, by a request that held the lock before us
        running = _same_input(session, input_key, owner_id)
        if running is not None:
            return running, False
    _refuse_past_caps(session, owner_id, client)
    stored = dict(params)
    if owner_id is None and client is not None:
        stored[CLIENT] = client
    job = Job(
        id=secrets.token_hex(16),
        kind=kind,
        params=stored,
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


def work_params(job: Job) -> dict[str, Any]:
    """A job's parameters as its work takes them (without the client's hash)."""
    return {key: value for key, value in job.params.items() if key != CLIENT}


def _unfinished() -> Any:
    return Job.state.in_((QUEUED, RUNNING))


def _same_input(session: Session, input_key: str, owner_id: int | None) -> Job | None:
    return session.scalar(
        select(Job)
        .where(
            Job.input_key == input_key,
            _unfinished(),
            Job.owner_id.is_(None) if owner_id is None else Job.owner_id == owner_id,
        )
        .limit(1)
    )


def _serialise_starts(session: Session) -> None:
    """Make concurrent starts of new jobs wait for each other until their transactions end, so
    that each counts the jobs of those before it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_START_LOCK})"))
    else:  # SQLite: any write takes the one write lock, this one changes nothing
        session.execute(update(Job).where(Job.id == "").values(state=Job.state))


def _fail_lost(session: Session) -> None:
    """Fail the jobs unfinished for longer than LOST: no worker will finish them now."""
    since = utcnow() - LOST
    # by its creation, not its start: a job that kills every worker taking it is given up too
    lost = session.scalars(select(Job.id).where(_unfinished(), Job.created_at < since)).all()
    for job_id in lost:
        lost_it = message(N_("the job was lost on its way to a worker; ask again"), "job.lost")
        fail(session, job_id, lost_it)


def _refuse_past_caps(session: Session, owner_id: int | None, client: str | None) -> None:
    if owner_id is not None:
        mine = session.scalar(
            select(func.count()).select_from(Job).where(_unfinished(), Job.owner_id == owner_id)
        )
        if int(mine or 0) >= MAX_PER_OWNER:
            raise TooManyJobs(MAX_PER_OWNER, RETRY_OWN)
    elif client is not None:
        anonymous = session.scalars(
            select(Job.params).where(_unfinished(), Job.owner_id.is_(None))
        ).all()  # at most MAX_UNFINISHED of them
        if sum(1 for p in anonymous if p.get(CLIENT) == client) >= MAX_PER_CLIENT:
            raise TooManyJobs(MAX_PER_CLIENT, RETRY_OWN)
    everyone = session.scalar(select(func.count()).select_from(Job).where(_unfinished()))
    if int(everyone or 0) >= MAX_UNFINISHED:
        raise DeskBusy(MAX_UNFINISHED, RETRY_BUSY)


def _last_sign(job: Any) -> Any:
    """When a running job was last seen alive: its last beat, else its start."""
    return func.coalesce(job.beat_at, job.started_at)


def _overdue(timing: Timing, now: datetime) -> Any:
    """Queued and not taken for `timing.resend`, or running with no beat for `timing.stalled`."""
    return or_(
        and_(Job.state == QUEUED, Job.created_at < now - timing.resend),
        and_(Job.state == RUNNING, _last_sign(Job) < now - timing.stalled),
    )


def overdue(job: Job, timing: Timing) -> bool:
    """Whether the job should be sent to the workers again."""
    now = utcnow()
    if job.state == QUEUED:
        return job.created_at < now - timing.resend
    last = job.beat_at or job.started_at
    return job.state == RUNNING and last is not None and last < now - timing.stalled


def overdue_ids(session: Session, timing: Timing) -> list[str]:
    """The overdue jobs not yet LOST, oldest first."""
    now = utcnow()
    return list(
        session.scalars(
            select(Job.id)
            .where(_overdue(timing, now), Job.created_at >= now - LOST)
            .order_by(Job.created_at)
            .limit(MAX_UNFINISHED)
        )
    )


def withdraw(session: Session, job_id: str) -> None:
    """Forget a job that could not be handed to the workers, if no worker has it: asking again
    later starts it afresh, and it holds no slot meanwhile."""
    session.execute(delete(Job).where(Job.id == job_id, Job.state == QUEUED))


def get(session: Session, job_id: str) -> Job | None:
    return session.get(Job, job_id) if len(job_id) <= 32 else None


def visible(job: Job, user: User | None) -> bool:
    """A job is its owner's; one started without signing in (a published edition) is anyone's
    who holds its id."""
    return job.owner_id is None or (user is not None and user.id == job.owner_id)


def status(job: Job) -> Status:
    return Status(
        job.id,
        job.kind,
        job.state,
        job.done,
        job.total,
        job.message,
        job.result_key is not None,
        _unkept(job.said),
    )


def _kept(message: str | Message) -> tuple[str, str]:
    """A job's message as its columns keep it: (the English, the data or "")."""
    if not isinstance(message, Message):
        return message, ""
    data = {
        "text": message.text,
        "code": message.code,
        "values": message.stored(),
        "plural": message.plural,
    }
    return message.english, json.dumps(data, ensure_ascii=False)


def _unkept(said: str) -> Message | None:
    if not said:
        return None
    data = json.loads(said)
    return Message.from_stored(data["text"], data["code"], data["values"], data["plural"])


def claim(session: Session, job_id: str, timing: Timing) -> Job | None:
    """Mark a queued job running; None when it is gone or another worker has it. A running job
    whose worker has not beaten for `timing.stalled` (killed, its machine gone) is taken again."""
    now = utcnow()
    waiting = or_(
        Job.state == QUEUED, and_(Job.state == RUNNING, _last_sign(Job) < now - timing.stalled)
    )
    taken = session.execute(
        update(Job)
        .where(Job.id == job_id, waiting)
        .values(state=RUNNING, started_at=now, beat_at=now)
    )
    return session.get(Job, job_id) if getattr(taken, "rowcount", 0) == 1 else None


def beat(session: Session, job_id: str) -> None:
    """The job's worker is alive and still at it."""
    session.execute(
        update(Job).where(Job.id == job_id, Job.state == RUNNING).values(beat_at=utcnow())
    )


def progress(session: Session, job_id: str, done: int, total: int) -> None:
    session.execute(update(Job).where(Job.id == job_id).values(done=done, total=total))


def finish(
    session: Session, job_id: str, *, result_key: str | None = None, message: str | Message = ""
) -> None:
    """Done: the result kept, the upload and the client's hash dropped."""
    message, said = _kept(message)
    _forget_client(session, job_id)
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(
            state=DONE,
            done=Job.total,
            result_key=result_key,
            message=message,
            said=said,
            finished_at=utcnow(),
            payload=None,
        )
    )


def fail(session: Session, job_id: str, message: str | Message) -> None:
    """Failed: the reason kept (in English, and as data when it is a message id), the upload
    and the client's hash dropped."""
    message, said = _kept(message)
    _forget_client(session, job_id)
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=FAILED, message=message, said=said, finished_at=utcnow(), payload=None)
    )


def _forget_client(session: Session, job_id: str) -> None:
    """The client's hash counts a job's slot while it is unfinished, and is kept no longer."""
    params = session.scalar(select(Job.params).where(Job.id == job_id))
    if params is not None and CLIENT in params:
        kept = {key: value for key, value in params.items() if key != CLIENT}
        session.execute(update(Job).where(Job.id == job_id).values(params=kept))


def forget_old(session: Session) -> None:
    """Forget jobs finished more than a week ago (their files outlive them: see edition_files)."""
    session.execute(delete(Job).where(Job.finished_at < utcnow() - KEPT))
