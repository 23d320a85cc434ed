"""The git mirror of publications: the outbox's `git` channel (services/outbox.py).

When TRANSLATOR_PUBLISH_GIT names a remote (a path, `file://`, ssh or https), each
`edition.published` event becomes one delivery. Sending it commits that publication to
TRANSLATOR_PUBLISH_BRANCH laid out as `translator pull --editions --format po` lays out its folder
(one definition: pull.make_site writes the site around the editions, builds.write_indexes and
write_manifest its indexes and manifest): editions/<lang>/<slug>.html, .pdf and, for alerts and
the palm card, .png, the English source edition beside them, and <lang>/LC_MESSAGES/<slug>.po.
The edition's files are made from the publication's frozen snapshot through the pipeline the API
uses, and taken from the built files the store keeps when they are there (edition_files); the
catalogue, the English and which editions are outdated (the manifest says it) are the store's
at the time of sending, as a pull would have them.

The commit (`Publish <slug> <lang> #<n>`) names the edition's translators and reviewers, the
people in the history of its units, by their desk names only, as `Co-authored-by:` trailers with
a noreply address; its author and committer are the desk. It is made in a work clone in
INSTANCE_PATH/git-mirror/, held with a file lock so that two workers of a machine take turns, and
pushed by the `git` command (no shell, a timeout, never a prompt: ssh keys and https credentials
come from the worker's environment). A push refused because the branch moved meanwhile is made
again on the new head; any other failure raises, its message (credentials taken out of URLs)
kept as the delivery's last error, and the outbox tries again later. A publication the branch
already has (or a newer one of the same edition: deliveries retried out of order) adds nothing,
and neither do files the branch already holds: no empty commit.
"""

from __future__ import annotations

import calendar
import datetime as dt
import fcntl
import os
import re
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from translator import db, languages, pull  # pull: the layout of a pulled folder
from translator.formats import editions, share
from translator.messages import N_, Message, message
from translator.models import Change, Delivery, Document, Event, Publication, Unit, User
from translator.services import (
    builds,
    documents,
    downloads,
    edition_files,
    events,
    gate,
    policy,
    publications,
)
from translator.services.catalogue_files import write_atomically
from translator.services.outbox import FAILED, PENDING, Channel, Planned, Sending

CHANNEL_NAME = "git"
WORK = "git-mirror"  # in INSTANCE_PATH: clone/ (the work clone), build/ (assets, scratch), lock
DESK = ("Campaign translation desk", "desk@users.noreply.invalid")
NOREPLY = "users.noreply.invalid"  # the domain of the co-authors' addresses: nobody's mailbox
GIT_SECONDS = 120  # the longest one git command may take
LOCK_SECONDS = 240  # the longest a send waits for another worker's; under the outbox's lease
TRIES = 3  # pushes refused because the branch moved, before the send gives up for this round
_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.I)


class GitFailed(Exception):
    """A git command failed, or the work clone could not be had: said in one line, without
    credentials."""


@dataclass(frozen=True)
class Remote:
    """Where the mirror goes: a remote git can push to, and a branch."""

    url: str
    branch: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> Remote | None:
        url = config.get("PUBLISH_GIT")
        return cls(str(url), str(config.get("PUBLISH_BRANCH") or "editions")) if url else None


@dataclass(frozen=True)
class Commit:
    """One publication as the branch receives it: files by path in the repository, and the
    words of the commit."""

    files: dict[str, bytes]
    slug: str
    language: str
    number: int
    message: str
    published_at: dt.datetime
    slugs: tuple[str, ...]  # every document with an edition, as the site lists them
    outdated: dict[tuple[str, str], list[int]]  # (document, language): the units corrected since


def plan(session: Session, config: dict[str, Any], event: Event) -> list[Planned]:
    """One delivery for each publication, when there is a mirror."""
    if event.kind != events.EDITION_PUBLISHED or Remote.of(config) is None:
        return []
    return [Planned(target=0)]


def send(sending: Sending) -> None:
    """Commit the event's publication to the mirror's branch and push it (see above)."""
    remote = Remote.of(sending.config)
    if remote is None:
        raise GitFailed("TRANSLATOR_PUBLISH_GIT is not set: there is no mirror to push to")
    folder = Path(sending.config["INSTANCE_PATH"]) / WORK
    root = Path(sending.config["ROOT"])
    with locked(folder):
        clone = Clone(folder / "clone", remote)
        prepare(clone)
        remote_head(clone)  # a remote out of reach fails here, before any file is built
        commit = commit_of(sending.factory, root, int(sending.event.data["publication"]), folder)
        publish(clone, commit, folder / "build")


# --- the publication's files ------------------------------------------------------------------


def commit_of(
    factory: sessionmaker[Session], root: Path, publication_id: int, folder: Path
) -> Commit:
    """The publication's files and commit message, its files built or taken from the store."""
    with db.transaction(factory) as session:
        published = publications.get(session, publication_id)
        document = session.get(Document, published.publication.document_id)
        assert document is not None  # a publication goes with its document
        frozen = publications.edition_of(session, published)
        english = builds.edition_for(session, root, document, languages.SOURCE_LANGUAGE, False)
        campaigns = {
            edition.language.code: edition_files.campaign_name(session, edition.language.code)
            for edition in (frozen, english)
        }
        language, number = published.publication.language, published.publication.number
        catalogue = downloads.one(session, document, language, "po", who=policy.OPERATOR)
        people = co_authors(session, published.publication)
        published_at = published.publication.published_at
        listed = documents.listing(session, order="slug")  # as pull lists them
        slugs = tuple(d.slug for d in listed if gate.has_edition(d))
        outdated = corrections_due(session)
    files = {
        f"{pull.SITE}/{edition.language.code}/{edition.slug}.{file_format}": built(
            factory,
            edition,
            file_format,
            folder / "build",
            campaign=campaigns[edition.language.code],
            publication_id=publication_id if edition is frozen else None,
        )
        for edition in (frozen, english)
        for file_format in formats_of(edition)
    }
    files[f"{language}/LC_MESSAGES/{frozen.slug}.po"] = catalogue  # where pull writes it
    message = commit_message(frozen.slug, language, number, people)
    return Commit(files, frozen.slug, language, number, message, published_at, slugs, outdated)


def corrections_due(session: Session) -> dict[tuple[str, str], list[int]]:
    """The editions whose latest publication the English has outdated since, with the units
    changed, as the API's list of publications tells a pull (the site's manifest says so)."""
    found: dict[tuple[str, str], list[int]] = {}
    for latest in publications.latest_of_every_edition(session):
        changed = publications.standing(session, latest.publication).changed
        if changed:
            found[(latest.document, latest.publication.language)] = changed
    return found


def formats_of(edition: editions.Edition) -> tuple[str, ...]:
    """The files of an edition in a pulled site: HTML and PDF, and a share image where its
    kind has one."""
    return (*builds.FORMATS, "png") if share.has_card(edition.kind) else builds.FORMATS


def built(
    factory: sessionmaker[Session],
    edition: editions.Edition,
    file_format: str,
    work: Path,
    *,
    campaign: str,
    publication_id: int | None = None,
) -> bytes:
    """One file of an edition: as the store keeps it (built for the API, or the publication's
    own PDF), else rendered now and kept for the API too."""
    key = edition_files.key_of(edition, file_format, campaign=campaign)
    keys = [key]
    if file_format == "pdf" and publication_id is not None:
        keys.append(edition_files.publication_key(edition, publication_id))
    with db.transaction(factory) as session:
        for stored in filter(None, (edition_files.find(session, k) for k in keys)):
            return bytes(stored.data)
    data = edition_files.render(edition, file_format, work, campaign=campaign)
    wanted = edition_files.Wanted(edition.slug, edition.language.code, file_format)
    with db.transaction(factory) as session:
        edition_files.keep(session, key, edition_files.filename(wanted), data)
    return data


def co_authors(session: Session, publication: Publication) -> list[str]:
    """The desk names of everyone in the history of the edition's units up to its publication
    (translators and reviewers), each once, sorted; the desk's own changes name nobody."""
    names = session.scalars(
        select(User.username)
        .join(Change, Change.user_id == User.id)
        .join(Unit, Unit.id == Change.unit_id)
        .where(
            Unit.document_id == publication.document_id,
            Change.language == publication.language,
            Change.created_at <= publication.published_at,
        )
        .distinct()
    )
    return sorted(set(names))


def commit_message(slug: str, language: str, number: int, people: list[str]) -> str:
    """`Publish <slug> <lang> #<n>`, then a trailer for each person, by pseudonym only."""
    trailers = "".join(f"\nCo-authored-by: {name} <{name}@{NOREPLY}>" for name in people)
    return f"Publish {slug} {language} #{number}\n" + (f"{trailers}\n" if trailers else "")


# --- the work clone ---------------------------------------------------------------------------


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the mirror's work folder alone (a lock file, for the workers of this machine)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a") as handle:
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise GitFailed(f"the work clone in {folder} stayed busy") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Clone:
    """The work clone of the mirror and its remote."""

    path: Path
    remote: Remote

    def git(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run `git` in the clone; its output, or GitFailed with git's own reason."""
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.path,
                env=environment(env or {}),
                capture_output=True,
                text=True,
                timeout=GIT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitFailed(f"git {args[0]}: no answer after {GIT_SECONDS} s") from None
        if done.returncode != 0:
            raise GitFailed(f"git {args[0]}: {redacted(reason(done.stderr or done.stdout))}")
        return done.stdout

    def succeeds(self, *args: str) -> bool:
        try:
            self.git(*args)
        except GitFailed:
            return False
        return True


def environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The worker's environment (its ssh agent and keys, its credential helpers), the desk as
    author and committer, and never a prompt."""
    name, email = DESK
    return {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_SSH_COMMAND": os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
        "LC_ALL": "C",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        **extra,
    }


def reason(output: str) -> str:
    """git's reason for failing, in one line: its first fatal or error line, else its first."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:", "!")):
            return line
    return lines[0] if lines else "failed"


def redacted(text: str) -> str:
    """`text` with any user name and password taken out of the URLs in it."""
    return _CREDENTIALS.sub(r"\1***@", text)


def publish(clone: Clone, commit: Commit, build: Path) -> None:
    """Commit the publication on the branch's head and push it; made again on the new head
    while the push is refused because the branch moved (at most TRIES times)."""
    for _ in range(TRIES):
        head = start_from(clone)
        if has_publication(clone, commit) or not committed(clone, commit, build):
            return
        if pushed(clone, head):
            return
    raise GitFailed(f"the branch {clone.remote.branch} moved at each of {TRIES} pushes")


def prepare(clone: Clone) -> None:
    """The work clone, made when missing, its `origin` the configured remote."""
    clone.path.mkdir(parents=True, exist_ok=True)
    clone.git("check-ref-format", "--branch", clone.remote.branch)  # a name, not an option
    if not (clone.path / ".git").is_dir():
        clone.git("init", "--quiet")
    if clone.succeeds("remote", "get-url", "origin"):
        clone.git("remote", "set-url", "origin", clone.remote.url)
    else:
        clone.git("remote", "add", "origin", clone.remote.url)


def remote_head(clone: Clone) -> str | None:
    """The commit the remote's branch is at, None when it has no such branch yet."""
    listed = clone.git("ls-remote", "--heads", "origin", f"refs/heads/{clone.remote.branch}")
    return listed.split()[0] if listed.strip() else None


def start_from(clone: Clone) -> str | None:
    """The branch checked out as the remote has it, with nothing else in the work tree, and
    the commit it is at; or, when the remote has no such branch yet, a new branch with no
    history and no files, and None."""
    branch = clone.remote.branch
    if remote_head(clone) is None:
        clone.git("symbolic-ref", "HEAD", f"refs/heads/{branch}")
        clone.git("update-ref", "-d", f"refs/heads/{branch}")
        clone.git("read-tree", "--empty")
        clone.git("clean", "--quiet", "-ffdx")
        return None
    tracking = f"refs/remotes/origin/{branch}"
    clone.git("fetch", "--quiet", "origin", f"+refs/heads/{branch}:{tracking}")
    head = clone.git("rev-parse", "--verify", tracking).strip()
    clone.git("checkout", "--quiet", "--force", "-B", branch, head)
    clone.git("clean", "--quiet", "-ffdx")
    return head


def has_publication(clone: Clone, commit: Commit) -> bool:
    """Whether the branch has this publication of the edition, or a newer one, already."""
    if not clone.succeeds("rev-parse", "--verify", "--quiet", "HEAD"):
        return False
    title = re.compile(rf"Publish {re.escape(commit.slug)} {re.escape(commit.language)} #(\d+)")
    subjects = clone.git("log", "--format=%s", "HEAD").splitlines()
    found = (title.fullmatch(subject) for subject in subjects)
    return any(int(match.group(1)) >= commit.number for match in found if match)


def committed(clone: Clone, commit: Commit, build: Path) -> bool:
    """Write the publication's files and the site around them, and commit them; False when
    the branch held these very files already (nothing to commit)."""
    for name, data in commit.files.items():
        write_atomically(clone.path / name, data)
    codes = [languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES]
    assets = builds.copy_assets(build)
    site = clone.path / pull.SITE
    pull.make_site(site, codes, list(commit.slugs), assets, outdated=commit.outdated)
    clone.git("add", "--all")
    if clone.succeeds("diff", "--cached", "--quiet"):
        return False
    seconds = calendar.timegm(commit.published_at.timetuple())
    clone.git(
        "-c",
        "commit.gpgsign=false",
        "commit",
        "--quiet",
        "--no-verify",
        f"--message={commit.message}",
        env={"GIT_AUTHOR_DATE": f"@{seconds} +0000"},
    )
    return True


def pushed(clone: Clone, head: str | None) -> bool:
    """Push the branch; False when it was refused because the remote's branch moved from `head`
    meanwhile (the caller makes the commit again on the new head)."""
    branch = clone.remote.branch
    try:
        clone.git("push", "--quiet", "origin", f"refs/heads/{branch}:refs/heads/{branch}")
    except GitFailed:
        if remote_head(clone) != head:
            return False
        raise
    return True


# --- what editors and the operator see ----------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One publication's delivery to the mirror."""

    slug: str
    language: str
    number: int
    state: str  # pending, sent, failed (given up)
    attempts: int
    last_error: str
    next_at: dt.datetime
    sent_at: dt.datetime | None

    @property
    def failing(self) -> bool:
        return self.state == FAILED or (self.state == PENDING and bool(self.last_error))


@dataclass(frozen=True)
class Status:
    """The mirror as configured (its URL without credentials), and its latest deliveries,
    newest first."""

    remote: str | None
    branch: str
    latest: list[Attempt]

    @property
    def failing(self) -> bool:
        return bool(self.latest) and self.latest[0].failing


def status(session: Session, config: Mapping[str, Any], *, limit: int = 10) -> Status:
    remote = Remote.of(config)
    rows = session.execute(
        select(Delivery, Event)
        .join(Event, Event.id == Delivery.event_id)
        .where(Delivery.channel == CHANNEL_NAME)
        .order_by(Delivery.id.desc())
        .limit(limit)
    )
    latest = [
        Attempt(
            str(event.data.get("slug", "")),
            event.language or "",
            int(event.data.get("number", 0)),
            delivery.state,
            delivery.attempts,
            delivery.last_error,
            delivery.next_at,
            delivery.sent_at,
        )
        for delivery, event in rows
    ]
    return Status(
        redacted(remote.url) if remote else None,
        remote.branch if remote else str(config.get("PUBLISH_BRANCH") or "editions"),
        latest,
    )


def trouble(session: Session, actor: policy.Actor) -> Message | None:
    """What those who may publish (editors, admins, the operator) are told when the latest push
    to the mirror failed: None when it did not, or for anyone else."""
    if not policy.may_enter(actor, [policy.Action.PUBLISH]):
        return None
    found = status(session, {}, limit=1).latest
    if not found or not found[0].failing:
        return None
    if found[0].state == FAILED:
        return message(
            N_(
                "The git mirror could not be updated: %(error)s; the desk has stopped trying. "
                "Publishing the edition again tries anew."
            ),
            "mirror.given-up",
            error=found[0].last_error,
        )
    return message(
        N_("The git mirror could not be updated: %(error)s; it is tried again automatically."),
        "mirror.failing",
        error=found[0].last_error,
    )


# a remote may be away for a day: tried for about a day and a half (outbox.backoff)
CHANNEL = Channel(CHANNEL_NAME, plan, send, attempts=16)
