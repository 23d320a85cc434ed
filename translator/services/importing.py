"""Offline work coming back: a PO file's translations brought into the store, by one of three modes.

- untranslated-only (the default): fill units that have no translation; every unit whose translation
  differs from the file's is listed as a conflict and left alone.
- suggest: every translation of the file that differs from the desk's becomes a suggestion.
- overwrite: the file's translations replace the desk's, each replacement a change in the history.

The whole file is read and checked before anything changes: a malformed file changes nothing. An
import never approves: "approved" in an uploaded file counts as translated. An approved translation
changes only by a reviewer of its language (or the command line, which acts as the desk): in every
mode, a translator's differing text for it becomes a suggestion, listed in the report as held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from translator import languages
from translator.formats import po
from translator.models import Change, Document, State, Suggestion, Translation, Unit, User, utcnow
from translator.services import DeskError, checking, editing, policy
from translator.services.loading import FilledForms, entry_state, entry_text, read_catalogue

MODES = ("untranslated-only", "suggest", "overwrite")


class Forbidden(DeskError):
    """The importer may not import into this language."""


class InvalidFile(DeskError):
    """The file cannot be imported as it is; `filename` and, where known, `line` say where."""


@dataclass(frozen=True)
class Conflict:
    line: int
    source: str
    current: str
    incoming: str


@dataclass(frozen=True)
class Unknown:
    line: int
    source: str


@dataclass
class ImportReport:
    mode: str
    filled: int = 0
    overwritten: int = 0
    suggested: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    plural_forms: list[FilledForms] = field(default_factory=list)
    # approved translations the importer may not change: their text became suggestions
    held: list[Conflict] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.mode}: {self.filled} filled, {self.overwritten} overwritten, "
            f"{self.suggested} suggested, {self.unchanged} unchanged, "
            f"{len(self.conflicts)} conflicts, {len(self.unknown)} not in the document, "
            f"{len(self.held)} approved held for a reviewer"
        )
        return text + "".join(f"; {_forms_note(f)}" for f in self.plural_forms)

    def as_json(self) -> dict[str, object]:
        """The report as the API gives it: the figures, and each listed entry with its line."""
        return {
            "mode": self.mode,
            "filled": self.filled,
            "overwritten": self.overwritten,
            "suggested": self.suggested,
            "unchanged": self.unchanged,
            "conflicts": [asdict(c) for c in self.conflicts],
            "unknown": [asdict(u) for u in self.unknown],
            "held": [asdict(c) for c in self.held],
            "plural_forms": [
                {**asdict(forms), "note": _forms_note(forms)} for forms in self.plural_forms
            ],
        }


def _forms_note(forms: FilledForms) -> str:
    """How a plural entry's forms were mapped from the file's, for the report."""
    notes = []
    if forms.filled:
        notes.append(f"form {', '.join(forms.filled)} filled from the closest form, needs editing")
    if forms.dropped:
        dropped = ", ".join(f"msgstr[{i}]" for i in forms.dropped)
        notes.append(f"{dropped} not used: the language has no such form")
    return f"line {forms.line}: " + " and ".join(notes)


def import_file(
    session: Session,
    data: bytes,
    filename: str,
    slug: str,
    language: str,
    mode: str = "untranslated-only",
    *,
    who: policy.Actor | User,
    max_bytes: int = po.DEFAULT_MAX_BYTES,
) -> ImportReport:
    """Import a PO file's translations for one document and language; all or nothing. Who
    imports (`policy.OPERATOR` for the command line) decides what happens to approved text:
    changed by a reviewer of the language, else held as a suggestion for one."""
    if mode not in MODES:
        raise DeskError(f"unknown import mode {mode!r}; use one of {', '.join(MODES)}")
    try:
        lang = languages.get(language)
    except KeyError:
        raise DeskError(f"unknown language {language!r}") from None
    document = session.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise DeskError(f"no document {slug!r}")
    actor = policy.actor_of(session, who)
    with policy.acting(
        session,
        actor,
        policy.Action.IMPORT,
        language=language,
        audited=True,  # every import, with its figures
        document=slug,
        mode=mode,
    ) as act:
        report = _import(session, data, filename, document, lang, mode, actor, max_bytes)
        act.details.update(
            filled=report.filled,
            overwritten=report.overwritten,
            suggested=report.suggested,
            held=len(report.held),
        )
    return report


def _import(
    session: Session,
    data: bytes,
    filename: str,
    document: Document,
    lang: languages.Language,
    mode: str,
    actor: policy.Actor,
    max_bytes: int,
) -> ImportReport:
    language = lang.code
    may_change_approved = cache(lambda: _may_change_approved(actor, language))
    report = ImportReport(mode)
    catalogue = _read(filename, data, lang, max_bytes=max_bytes, filled=report.plural_forms)
    current = _current(session, document, language)
    changed: list[tuple[Unit, Translation]] = []
    for entry in catalogue.entries:
        if entry.obsolete or not entry_text(entry):
            continue
        found = current.get(entry.msgid) if entry.msgctxt is None else None
        if found is None or (found[0].source_plural is None) != (entry.msgid_plural is None):
            report.unknown.append(Unknown(entry.line, entry.msgid))
            continue
        reason = editing.too_long(found[0], entry_text(entry))
        if reason:  # the session is rolled back by the caller: nothing is imported
            name = Path(filename).name
            raise InvalidFile(
                f"{name}:{entry.line}: {reason}; nothing was imported",
                filename=name,
                line=entry.line,
                unit=found[0].id,
            )
        if _apply(session, found[1], entry, mode, report, actor, may_change_approved, filename):
            changed.append(found)
    session.flush()
    checking.refresh(session, changed)
    return report


def _read(
    filename: str,
    data: bytes,
    language: languages.Language,
    *,
    max_bytes: int,
    filled: list[FilledForms],
) -> po.Catalogue:
    """The file's catalogue, read strictly; else InvalidFile with the file and line."""
    try:
        return read_catalogue(Path(filename), data, language, max_bytes=max_bytes, filled=filled)
    except DeskError as exc:
        raise InvalidFile(str(exc), filename=exc.filename or filename, line=exc.line) from None


def _current(
    session: Session, document: Document, language: str
) -> dict[str, tuple[Unit, Translation]]:
    query = (
        select(Unit, Translation)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(
            Unit.document_id == document.id,
            Unit.obsolete.is_(False),
            Translation.language == language,
        )
    )
    return {unit.source: (unit, translation) for unit, translation in session.execute(query)}


def _apply(
    session: Session,
    translation: Translation,
    entry: po.Entry,
    mode: str,
    report: ImportReport,
    actor: policy.Actor,
    may_change_approved: Callable[[], bool],
    filename: str,
) -> bool:
    """Apply one entry by the mode; True when the translation changed."""
    user = actor.user
    incoming_state = entry_state(entry, trusted=False)
    text = entry_text(entry)
    if translation.text == text and translation.state >= incoming_state:
        report.unchanged += 1
        return False
    held = translation.state == State.APPROVED and not may_change_approved()
    if held:
        report.held.append(Conflict(entry.line, entry.msgid, translation.text, text))
    if mode == "suggest" or held:
        session.add(
            Suggestion(
                unit_id=translation.unit_id,
                language=translation.language,
                text=text,
                user_id=user.id if user else None,
                origin=Path(filename).name,
            )
        )
        report.suggested += 1
        return False
    if mode == "overwrite" or not translation.text:
        replaced = bool(translation.text)
        _set(session, translation, text, incoming_state, user, filename)
        if replaced:
            report.overwritten += 1
        else:
            report.filled += 1
        return True
    report.conflicts.append(Conflict(entry.line, entry.msgid, translation.text, text))
    return False


def _may_change_approved(actor: policy.Actor, language: str) -> bool:
    """A reviewer of the language may (an editor or admin with the second factor done: without
    it, they are sent to set it up); so may the command line, which acts as the desk."""
    reason = policy.decide(actor, policy.Action.CHANGE_APPROVED, language=language)
    if reason == "second-factor":
        raise policy.SecondFactorNeeded(policy.Action.CHANGE_APPROVED, reason, language=language)
    return reason is None


def _set(
    session: Session,
    translation: Translation,
    text: str,
    state: State,
    user: User | None,
    filename: str,
) -> None:
    session.add(
        Change(
            unit_id=translation.unit_id,
            language=translation.language,
            user_id=user.id if user else None,
            action="import",
            old_text=translation.text,
            new_text=text,
            old_state=translation.state,
            new_state=state,
            details=f"imported from {Path(filename).name}",
        )
    )
    translation.text = text
    translation.state = state
    translation.previous_source = None
    translation.version += 1
    translation.updated_at = utcnow()
