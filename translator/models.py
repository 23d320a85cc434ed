"""The live store's typed models: documents, units, translations with state and version, history."""

from __future__ import annotations

import datetime as dt
import enum
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from translator.messages import Message


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class State(enum.IntEnum):
    """A translation's state, ordered as Weblate's: higher is further along."""

    UNTRANSLATED = 0
    NEEDS_EDITING = 10  # gettext's "fuzzy"
    TRANSLATED = 20
    APPROVED = 30

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class Role(enum.StrEnum):
    TRANSLATOR = "translator"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class Document(Base):
    """One source text, source_texts/<slug>.md (or <slug>.pot, of kind strings)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    priority: Mapped[str | None] = mapped_column(String(20))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # set when an editor marked (or unmarked) the document urgent: front matter no longer decides
    urgency_set_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    units: Mapped[list[Unit]] = relationship(back_populates="document", order_by="Unit.position")


class Unit(Base):
    """One translatable segment of a document; obsolete once its English is gone."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("document_id", "source_sha1"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(Text)
    source_plural: Mapped[str | None] = mapped_column(Text)  # the English plural (msgid_plural)
    source_sha1: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    locations: Mapped[str] = mapped_column(Text, default="")  # "slug.md:12 slug.md:40"
    words: Mapped[int] = mapped_column(Integer, default=0)
    obsolete: Mapped[bool] = mapped_column(default=False)

    document: Mapped[Document] = relationship(back_populates="units")
    translations: Mapped[list[Translation]] = relationship(back_populates="unit")

    @property
    def plural(self) -> bool:
        """Whether the unit has plural forms: its translation's text holds them joined."""
        return self.source_plural is not None


class Translation(Base):
    """A unit's text in one language, with its state and a version for safe concurrent saves."""

    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("unit_id", "language"),
        Index("ix_translations_language_state", "language", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[int] = mapped_column(Integer, default=State.UNTRANSLATED)
    version: Mapped[int] = mapped_column(Integer, default=0)
    previous_source: Mapped[str | None] = mapped_column(Text)  # the English it was made for
    comments: Mapped[str] = mapped_column(Text, default="")  # translator comments from the PO
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="translations")


class EditionCount(Base):
    """Units and words of one edition in one state, kept current by database triggers (made
    by the migrations, translator/migrations/baseline.py) so that the dashboard reads a few
    thousand rows, not every translation. Obsolete units are not counted."""

    __tablename__ = "edition_counts"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    state: Mapped[int] = mapped_column(Integer, primary_key=True)
    units: Mapped[int] = mapped_column(Integer, default=0)
    words: Mapped[int] = mapped_column(Integer, default=0)


class PublicVersion(Base):
    """What the public pages show, numbered: raised by database triggers (migration 0007) when a
    translation's text or state, a unit, a document or a publication changes, so that a public
    page's bytes are kept under the versions they were made from (services/public.py).
    `document_id` 0 is the whole desk; `language` "*" every language of the document."""

    __tablename__ = "public_versions"

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class DashboardVersion(Base):
    """What the dashboard shows beyond the public pages, numbered: raised by database triggers
    (migration 0012) when an error-level check failure, a question, a translation's previous
    English or a publication changes, so that the dashboard keeps each document's row under
    these versions and the public ones (services/dashboard.py)."""

    __tablename__ = "dashboard_versions"

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class User(Base):
    """A pseudonymous account: a user name, a role, languages; no real name, and an e-mail
    address only when its volunteer opts in to mail (never shown to anyone)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.TRANSLATOR)
    languages: Mapped[str] = mapped_column(String(100), default="")  # "fa,tr"
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The interface's language chosen by the account ("" follows the browser's Accept-Language)
    interface_language: Mapped[str] = mapped_column(String(10), default="")
    # an address for notifications, given by the volunteer (opt-in; services/mail.py): only
    # once confirmed by the link mailed to it; until then it waits as `email_pending`
    email: Mapped[str | None] = mapped_column(String(254))
    email_pending: Mapped[str | None] = mapped_column(String(254))
    email_asked_at: Mapped[datetime | None] = mapped_column(DateTime)  # the last link mailed
    # the interface language when the address was given: mail's, unless one is chosen above
    email_language: Mapped[str | None] = mapped_column(String(10))


# User names are unique whatever their case: `TRFA` cannot be made beside `trfa` (revision 0002)
Index("uq_users_username_lower", func.lower(User.username), unique=True)


class Change(Base):
    """One append-only history row: who, when, what, the old and new text and state."""

    __tablename__ = "changes"
    __table_args__ = (
        Index("ix_changes_unit_language", "unit_id", "language"),
        Index("ix_changes_language_created", "language", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))  # load, source-changed, import, edit, ...
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    old_text: Mapped[str] = mapped_column(Text, default="")
    new_text: Mapped[str] = mapped_column(Text, default="")
    old_state: Mapped[int] = mapped_column(Integer, default=State.UNTRANSLATED)
    new_state: Mapped[int] = mapped_column(Integer, default=State.UNTRANSLATED)
    details: Mapped[str] = mapped_column(Text, default="")


class Suggestion(Base):
    """A proposed translation that a reviewer accepts or rejects."""

    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin: Mapped[str] = mapped_column(String(200), default="")  # e.g. the imported file's name
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CatalogueFile(Base):
    """What the desk last wrote to a file in locales/, to notice a file changed by hand since."""

    __tablename__ = "catalogue_files"

    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    # The file the desk replaced by `sha256`: the hashes are committed before the files are
    # replaced, so after a crash between the two, either version on disk is the desk's own.
    previous_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    # A digest of what the file was written from (writing.catalogue_inputs): unchanged, no rewrite.
    inputs: Mapped[str | None] = mapped_column(String(64), default=None)


@event.listens_for(Session, "before_flush")
def _changes_are_append_only(session: Session, *_: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Change) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("history is append-only: a Change row is never edited or deleted")


class GlossaryTerm(Base):
    """A campaign term or name, with its approved form (and accepted variants) per language."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    english: Mapped[str] = mapped_column(String(300), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    forms: Mapped[dict[str, Any]] = mapped_column(default=dict)  # language -> [approved, ...]


class CheckFailure(Base):
    """A failing check on a translation, as last run (on import, on demand): what the check said
    as a message id (`message_id`, the English template), its code and values, so that a page
    says it later in its reader's language (`said`); and in English (`message`) for the command
    line and the API. A failure kept before the ids were (message_id empty) is said as its
    English."""

    __tablename__ = "check_failures"
    __table_args__ = (Index("ix_check_failures_translation", "translation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    translation_id: Mapped[int] = mapped_column(ForeignKey("translations.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(Text, default="", server_default="")
    message_code: Mapped[str] = mapped_column(String(60), default="", server_default="")
    # JSON (`Message.stored`), as text: failures are inserted by the thousand through the driver
    message_values: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")

    @property
    def said(self) -> Message:
        return said(self.message, self.message_id, self.message_code, self.message_values)


def said(english: str, message_id: str, code: str, values: str) -> Message:
    """A kept check failure's message: its id, code and values (JSON) as stored; one kept before
    the store kept ids is said as its English."""
    if not message_id:
        return Message(english, code=code)
    return Message.from_stored(message_id, code, json.loads(values or "{}"))


class ApiToken(Base):
    """A token for build scripts: stored as a SHA-256 hash, with its scopes; revocable."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(100))  # "read,translate"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id, the store only its hash."""

    __tablename__ = "web_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the password was right, the second factor is still to come: not signed in yet
    pending: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class LoginCounter(Base):
    """Attempts of one key (an account, a salted address hash, a second step) in the current
    window, counted by an atomic update of this row (services/sessions.py)."""

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Comment(Base):
    """A note on a unit in one language; a question flags it for the editors until resolved."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    question: Mapped[bool] = mapped_column(default=False)
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Invitation(Base):
    """A one-time link for a new volunteer: role and languages set by whoever invited."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    languages: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used: Mapped[bool] = mapped_column(default=False)


class Publication(Base):
    """A published edition, frozen: the English version, every unit's translation, who, when."""

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_document_language", "document_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer)  # 1 for the first, then each republication
    source_sha256: Mapped[str] = mapped_column(String(64))  # which English
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    title: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)  # the edition's Markdown as published
    # [{"unit": id, "version": n, "source": english, "text": translation}, ...]
    units: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # a republication of an outdated one: {"of": number, "of_date": "YYYY-MM-DD", "changed":
    # [unit ids whose English changed]}, what its correction note says (services/publications)
    correction: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Setting(Base):
    """A desk-wide switch set by an admin, e.g. the two-person rule for publishing."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class AuditEntry(Base):
    """One row of the hash-chained audit log (services/audit.py): accounts by id, never an
    address; append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the log outlives
    subject_id: Mapped[int | None] = mapped_column(Integer)  # nothing, and blocks no deletion
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The audit log's head (last number and hash) and anchor (where a retention cut left it),
    sealed with the audit key (services/audit.py)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    anchor_seq: Mapped[int] = mapped_column(Integer, default=0)
    anchor_sha256: Mapped[str] = mapped_column(String(64))
    # the first row digested with the key (HMAC-SHA256), rows before it plain SHA-256; None
    # until a store's first keyed row. seal: the key's HMAC over the head, anchor and keyed_from
    keyed_from: Mapped[int | None] = mapped_column(Integer)
    seal: Mapped[str | None] = mapped_column(String(64))


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session: Session, *_: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("the audit log is append-only: a row is never edited or deleted")


class SecondFactor(Base):
    """An account's TOTP secret (services/second_factor.py); confirmed once a first code matched.
    last_step is the last time step used: a code is accepted once."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    confirmed: Mapped[bool] = mapped_column(default=False)
    last_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class RecoveryCode(Base):
    """A one-time recovery code for the second factor, stored as its SHA-256."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64))
    used: Mapped[bool] = mapped_column(default=False)


class Job(Base):
    """A piece of heavy work run by a Celery worker: what, for whom, how far, and its result."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_input_key_state", "input_key", "state"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: unguessable
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)  # an uploaded file, if any
    input_key: Mapped[str | None] = mapped_column(String(64))  # the file it builds, if known
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=1)
    result_key: Mapped[str | None] = mapped_column(String(64))  # an EditionFile's key
    message: Mapped[str] = mapped_column(Text, default="")  # in English
    # the message as data (JSON: text, code, values, plural), to say it in a reader's language
    said: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    # written every few seconds by the worker running it: no beat for long, and the worker is gone
    beat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class EditionFile(Base):
    """A built file (an edition, a snapshot, a batch's archive), keyed by the hash of its inputs,
    where every web process can serve it."""

    __tablename__ = "edition_files"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(60))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Event(Base):
    """Something that happened that volunteers may want to hear of (services/events.py): its
    kind, the document, language and unit it concerns, and, when it is personal, the one person
    it is addressed to; `data` holds the values a message needs (ids and the document's own
    words, never a person's name)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    language: Mapped[str | None] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # handed to the outbox's channels (services/outbox.py): False until the workers fanned it out
    dispatched: Mapped[bool] = mapped_column(default=False, index=True)


class FeedToken(Base):
    """The secret of a person's Atom feed (/feeds/<secret>.atom): stored as a SHA-256 hash,
    revocable, as API tokens are."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(default=False)


class Delivery(Base):
    """One event sent one way (services/outbox.py): by `channel` (mail, webhook, git) to
    `target` (a person's id, an endpoint's id, 0 for the one git mirror), retried with backoff
    until sent or given up; the delivery log admins read."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("channel", "target", "event_id", name="uq_deliveries_once"),
        Index("ix_deliveries_state_next", "state", "next_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[int] = mapped_column(default=0)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class WebhookEndpoint(Base):
    """Where the campaign's bots and site builds hear of events: a URL, the event types it
    wants, and its Standard Webhooks signing secret (`whsec_…`, kept to sign with)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
