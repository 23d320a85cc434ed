"""The job engine: one Celery app and task running the desk's heavy work outside web requests.

Celery carries only a job's id; what to do, how far it got and the result are in the database
(services/jobs.py, services/edition_files.py), so any web process can answer for any job. The
broker is Redis (or anything Celery speaks) when BROKER_URL is set, else kombu's SQLAlchemy
transport on a SQLite file in the instance folder: `translator serve` then needs no server.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from kombu import Connection
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.checks import Severity
from translator.messages import N_
from translator.messages import message as said_as
from translator.models import User
from translator.services import DeskError, checking, edition_files, importing, policy
from translator.services import jobs as records

RETRY_BROKER = 10  # seconds: ask again after a broker that did not answer
RESEND_EVERY = 60.0  # seconds, at most, between a worker's looks for overdue jobs
log = logging.getLogger(__name__)
celery = Celery("translator")
_worker: dict[str, Any] = {}  # this worker process's configuration and sessions
_pools: dict[str, Any] = {}  # broker URL -> this process's connections to it


class BrokerUnavailable(DeskError):
    """The job queue did not answer: nothing was queued; ask again after `retry_after` seconds."""

    def __init__(self, retry_after: int = RETRY_BROKER) -> None:
        super().__init__(f"the job queue is not reachable; ask again in {retry_after} seconds")
        self.retry_after = retry_after


def embedded(config: dict[str, Any]) -> bool:
    """Whether jobs run here (JOBS_EAGER) or on the embedded broker: no broker server to reach."""
    return bool(config.get("JOBS_EAGER")) or not config.get("BROKER_URL")


def broker_url(config: dict[str, Any]) -> str:
    if config.get("BROKER_URL"):
        return str(config["BROKER_URL"])
    return f"sqla+sqlite:///{Path(config['INSTANCE_PATH']).resolve() / 'jobs.sqlite'}"


def broker_answers(config: dict[str, Any], seconds: float = 1.0) -> None:
    """Connect to the broker once, within about `seconds`; raises when it does not answer."""
    with Connection(broker_url(config), connect_timeout=seconds) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=seconds)


def configure(config: dict[str, Any]) -> Celery:
    """Point the Celery app at the configured broker; results are kept in the job records."""
    Path(config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    celery.conf.update(
        broker_url=broker_url(config),
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_acks_late=True,  # a worker that dies mid-job leaves it for another
        task_reject_on_worker_lost=True,  # (a pool process killed: the job goes back too)
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2},
        worker_prefetch_multiplier=1,  # PDFs are slow: do not hoard them
        worker_max_tasks_per_child=100,  # bounds WeasyPrint's memory over a long day
        worker_hijack_root_logger=False,
    )
    _worker["config"] = config
    return celery


def enqueue(
    config: dict[str, Any], factory: sessionmaker[Session], job_id: str, *, new: bool = True
) -> None:
    """Hand a job to the workers (in tests, with JOBS_EAGER, run it here and now); `new` False
    sends an overdue one again. An unreachable broker raises BrokerUnavailable, logged in one
    line, and a new job is withdrawn (it neither fails nor holds a slot: asking again starts it);
    one sent again stays queued, for the next ask or the workers' periodic check."""
    if config.get("JOBS_EAGER"):
        run(job_id, factory, config)
        return
    url = broker_url(config)
    if url not in _pools:  # one pool per broker: tests make many apps in a process
        _pools[url] = Connection(url).Pool(limit=8)
    try:
        with _pools[url].acquire(block=True, timeout=10) as connection:
            run_job.apply_async((job_id,), connection=connection)
    except Exception as exc:  # the broker is unreachable: say so, keep nothing half-done
        log.error("could not queue job %s: %s", job_id, first_line(exc))
        if new:
            with db.transaction(factory) as session:
                records.withdraw(session, job_id)
        raise BrokerUnavailable() from None


def first_line(exc: BaseException) -> str:
    """An error in one line of a log."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def resend_overdue(config: dict[str, Any], factory: sessionmaker[Session]) -> int:
    """Send again every overdue job (queued too long: its message lost with a broker's restart;
    running with no beat: its worker killed); how many. Workers do it periodically."""
    with db.transaction(factory) as session:
        waiting = records.overdue_ids(session, records.Timing.of(config))
    for job_id in waiting:
        enqueue(config, factory, job_id, new=False)
    return len(waiting)


def watch_overdue(config: dict[str, Any]) -> threading.Event:
    """In a worker's main process: resend overdue jobs every half of the shorter of the resend
    and stall times (at most every RESEND_EVERY seconds), until the event returned is set."""
    timing = records.Timing.of(config)
    every = min(RESEND_EVERY, min(timing.resend, timing.stalled).total_seconds() / 2)
    stop = threading.Event()
    factory = db.session_factory(db.make_engine(config["DATABASE_URL"]))

    def loop() -> None:
        while not stop.wait(every):
            try:
                sent = resend_overdue(config, factory)
            except Exception as exc:  # the store or the broker away: the next round tries again
                log.warning("could not look for overdue jobs: %s", first_line(exc))
                continue
            if sent:
                log.warning("sent %d overdue jobs to the workers again", sent)

    threading.Thread(target=loop, name="resend-overdue", daemon=True).start()
    return stop


@celery.task(name="translator.run_job")
def run_job(job_id: str) -> None:
    """The one task: run a job by its id, with this worker's configuration."""
    if "factory" not in _worker:
        engine = db.make_engine(_worker["config"]["DATABASE_URL"])
        _worker["factory"] = db.session_factory(engine)
    run(job_id, _worker["factory"], _worker["config"])


def run(job_id: str, factory: sessionmaker[Session], config: dict[str, Any]) -> None:
    """Claim the job, do its work, and record the result or a clear reason for failing."""
    timing = records.Timing.of(config)
    with db.transaction(factory) as session:
        job = records.claim(session, job_id, timing)
        if job is None:
            return  # done by another worker already, or gone
        kind, params, payload, owner = job.kind, records.work_params(job), job.payload, job.owner_id
    task = Task(factory, config, params, payload, owner, _progress(factory, job_id))
    with beating(factory, job_id, timing.beat_every):
        _work(job_id, kind, task)


@contextmanager
def beating(factory: sessionmaker[Session], job_id: str, every: float) -> Iterator[None]:
    """While the block runs, say every `every` seconds that the job's worker is alive; a killed
    worker stops beating, and the job is taken by another (records.Timing.stalled)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                with db.transaction(factory) as session:
                    records.beat(session, job_id)
            except Exception as exc:  # the store away for a moment: the next beat tries again
                log.warning("job %s could not beat: %s", job_id, first_line(exc))

    thread = threading.Thread(target=loop, name=f"beat-{job_id[:8]}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _progress(factory: sessionmaker[Session], job_id: str) -> Callable[[int, int], None]:
    """How a job's work says how far it got."""

    def progress(done: int, total: int) -> None:
        with db.transaction(factory) as session:
            records.progress(session, job_id, done, total)

    return progress


def _work(job_id: str, kind: str, task: Task) -> None:
    """Do a claimed job's work and record its result, or a clear reason for failing."""
    factory = task.factory
    try:
        result_key, message = KINDS[kind](task)
    except DeskError as exc:  # what a person can fix: said in their language when it can be
        with db.transaction(factory) as session:
            records.fail(session, job_id, exc.said or str(exc))
        return
    except Exception:
        log.exception("job %s (%s) failed", job_id, kind)
        failed = said_as(N_("the job failed; the worker's log has the details"), "job.failed")
        with db.transaction(factory) as session:
            records.fail(session, job_id, failed)
        return
    with db.transaction(factory) as session:
        records.finish(session, job_id, result_key=result_key, message=message)
        records.forget_old(session)
        edition_files.forget_old(session)


@dataclass(frozen=True)
class Task:
    """What a job's work gets: sessions, the configuration, the job's parameters and upload,
    its owner's id, and a way to report progress."""

    factory: sessionmaker[Session]
    config: dict[str, Any]
    params: dict[str, Any]
    payload: bytes | None
    owner: int | None
    progress: Callable[[int, int], None]

    def session(self) -> AbstractContextManager[Session]:
        return db.transaction(self.factory)

    @property
    def root(self) -> Path:
        return Path(self.config["ROOT"])

    @property
    def work_dir(self) -> Path:
        return Path(self.config["INSTANCE_PATH"]) / "editions"


# the work of each kind of job: (the result file's key or None, a message)
Work = Callable[[Task], tuple[str | None, str]]


def _edition(task: Task) -> tuple[str | None, str]:
    wanted = edition_files.Wanted(**task.params)
    with task.session() as session:
        built = edition_files.edition(session, task.root, wanted)
        campaign = edition_files.campaign_name(session, wanted.language)  # on share images
    key = edition_files.key_of(built, wanted.file_format, campaign=campaign)
    with task.session() as session:
        if edition_files.touch(session, key):
            return key, ""
    data = edition_files.render(built, wanted.file_format, task.work_dir, campaign=campaign)
    with task.session() as session:
        edition_files.keep(session, key, edition_files.filename(wanted), data)
    return key, ""


def _publication(task: Task) -> tuple[str | None, str]:
    """A snapshot as it went out: its PDF, or its share image (`file_format`)."""
    file_format = str(task.params.get("file_format", "pdf"))
    with task.session() as session:
        publication_id = int(task.params["publication_id"])
        frozen, name = edition_files.publication(session, publication_id, file_format)
        campaign = edition_files.campaign_name(session, frozen.language.code)
    key = edition_files.publication_key(frozen, publication_id, file_format, campaign=campaign)
    with tempfile.TemporaryDirectory() as work:
        data = edition_files.render(frozen, file_format, Path(work), campaign=campaign)
    with task.session() as session:
        edition_files.keep(session, key, name, data)
    return key, ""


def _build(task: Task) -> tuple[str | None, str]:
    """A batch: every wanted edition into the store (unchanged ones are not rendered again),
    then one zip of them all."""
    with task.session() as session:
        wanted = edition_files.batch(
            session,
            task.root,
            list(task.params.get("languages", [])),
            list(task.params.get("documents", [])),
            list(task.params.get("formats", ["html", "pdf"])),
            draft=bool(task.params.get("draft")),
        )
    files: list[tuple[str, bytes]] = []
    for done, one in enumerate(wanted):
        task.progress(done, len(wanted) + 1)
        with task.session() as session:
            built = edition_files.edition(session, task.root, one)
            key = edition_files.key_of(built, one.file_format)
            found = edition_files.find(session, key)
        if found is not None:
            data = found.data
        else:
            data = edition_files.render(built, one.file_format, task.work_dir)
            with task.session() as session:
                edition_files.keep(session, key, edition_files.filename(one), data)
        files.append((f"{one.language}/{one.slug}.{one.file_format}", data))
    bundle = edition_files.archive(files)
    key = edition_files.digest(bundle)
    with task.session() as session:
        edition_files.keep(session, key, "editions.zip", bundle)
    return key, f"{len(wanted)} files"


def _importer(session: Any, task: Task) -> policy.Actor:
    """Who a queued import acts as: its owner, through the door they came by (a token's
    scopes, or the browser); the operator when nobody owns it."""
    owner = session.get(User, task.owner) if task.owner is not None else None
    if owner is None:
        return policy.OPERATOR
    if "scopes" in task.params:
        return policy.token(owner, frozenset(task.params["scopes"]))
    return policy.browser(session, owner)


def _import(task: Task) -> tuple[str | None, str]:
    """A large PO file: imported all or nothing, its report as the job's message."""
    with task.session() as session:
        report = importing.import_file(
            session,
            task.payload or b"",
            task.params["filename"],
            task.params["slug"],
            task.params["language"],
            mode=task.params["mode"],
            who=_importer(session, task),
            max_bytes=int(task.config["MAX_IMPORT_BYTES"]),
        )
    return None, report.summary()


def _recheck(task: Task) -> tuple[str | None, str]:
    """Every check again (after a glossary import: names and terms are checked everywhere)."""
    with task.session() as session:
        params = task.params
        findings = checking.check_store(session, params.get("language"), params.get("document"))
    errors = sum(1 for f in findings if f.severity == Severity.ERROR)
    return None, f"{errors} errors, {len(findings) - errors} warnings"


KINDS: dict[str, Work] = {
    "edition": _edition,
    "publication": _publication,
    "build": _build,
    "import": _import,
    "recheck": _recheck,
}
