"""Offline work coming back: a PO file's translations brought into the store, by one of three modes.

- untranslated-only (the default): fill units that have no translation; every unit whose translation
  differs from the file's is listed as a conflict and left alone.
- suggest: every translation of the file that differs from the desk's becomes a suggestion.
- overwrite: the file's translations replace the desk's, each replacement a change in the history.

The whole file is read and checked before anything changes: a malformed file changes nothing. An
import never approves: "approved" in an uploaded file counts as translated. An approved translation
changes only by a reviewer of its language (or the command line, which acts as the desk): in every
mode, a translator's differing text for it becomes a suggestion, listed in the report as held.

A file that matches nothing of the document (another document's file) is refused: nothing is
imported, and the document it most likely belongs to is named. A translator's comments (`# ...`)
come in with the translation they stand by and go out again in the catalogue; where the file's
translation is not taken (a conflict, a suggestion, an approved text held), the report says, per
line, that its comment was not kept. The report is messages (ids and values: `figures()`,
`notes()`), said in the reader's language at the edge; `summary()` is the command line's English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from translator import languages
from translator.checks import Severity
from translator.formats import po
from translator.messages import N_, Message, counted, message
from translator.models import (
    Change,
    CheckFailure,
    Document,
    State,
    Suggestion,
    Translation,
    Unit,
    User,
    utcnow,
)
from translator.services import DeskError, checking, policy
from translator.services.loading import FilledForms, entry_state, entry_text, read_catalogue

MODES = ("untranslated-only", "suggest", "overwrite")


class InvalidFile(DeskError):
    """The file cannot be imported as it is; `filename` and, where known, `line` say where."""


class NotThisDocument(InvalidFile):
    """Nothing in the file is a unit of the document: another document's file, most likely.
    `said` is the refusal as a message; `suggested` the document that matches most of the
    file's entries, when one does."""

    said: Message

    def __init__(self, said: Message, filename: str, suggested: str | None) -> None:
        super().__init__(said, filename=filename)
        self.suggested = suggested


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


@dataclass(frozen=True)
class Failing:
    """An imported translation that fails an error-level check: where, and which check."""

    line: int
    unit: int
    location: str
    check: str


# how each mode is named in the report
MODE_SAID = {
    "untranslated-only": N_("Imported into untranslated units only."),
    "suggest": N_("Imported as suggestions."),
    "overwrite": N_("Imported over the desk's translations."),
}


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
    comments_kept: int = 0  # entries whose translator comments the desk now keeps
    comments_not_kept: list[int] = field(default_factory=list)  # lines: translation not taken
    failing: list[Failing] = field(default_factory=list)  # error-level checks failed on arrival

    def figures(self) -> list[Message]:
        """The mode and the counts, as messages (a count chooses its plural form)."""
        return [
            message(MODE_SAID[self.mode], "import-mode", mode=self.mode),
            counted("%(num)d filled", "%(num)d filled", self.filled, "filled"),
            counted(
                "%(num)d overwritten",
                "%(num)d overwritten",
                self.overwritten,
                "overwritten",
            ),
            counted("%(num)d suggested", "%(num)d suggested", self.suggested, "suggested"),
            counted("%(num)d unchanged", "%(num)d unchanged", self.unchanged, "unchanged"),
            counted("%(num)d conflict", "%(num)d conflicts", len(self.conflicts), "conflicts"),
            counted(
                "%(num)d not in the document",
                "%(num)d not in the document",
                len(self.unknown),
                "unknown",
            ),
            counted(
                "%(num)d approved translation held for a reviewer",
                "%(num)d approved translations held for a reviewer",
                len(self.held),
                "held",
            ),
            counted(
                "%(num)d translator comment kept",
                "%(num)d translator comments kept",
                self.comments_kept,
                "comments-kept",
            ),
            counted(
                "%(num)d imported translation fails an error-level check",
                "%(num)d imported translations fail an error-level check",
                len(self.failing),
                "failing",
            ),
        ]

    def notes(self) -> list[Message]:
        """What the report says entry by entry, beside the lists: plural forms mapped and
        comments not kept."""
        said = [note for forms in self.plural_forms for note in _forms_notes(forms)]
        said += [
            message(
                N_("line %(line)d: translator comment not kept: the translation was not taken"),
                "comment-not-kept",
                line=line,
            )
            for line in self.comments_not_kept
        ]
        return said

    def summary(self) -> str:
        """The command line's English line (as it always read: scripts may read it), the
        notes after it."""
        text = (
            f"{self.mode}: {self.filled} filled, {self.overwritten} overwritten, "
            f"{self.suggested} suggested, {self.unchanged} unchanged, "
            f"{len(self.conflicts)} conflicts, {len(self.unknown)} not in the document, "
            f"{len(self.held)} approved held for a reviewer, "
            f"{self.comments_kept} translator comments kept"
        )
        notes = [note.english for note in self.notes()]
        notes += [f"line {f.line} ({f.location}): fails the {f.check} check" for f in self.failing]
        return text + "".join(f"; {note}" for note in notes)

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
                {
                    **asdict(forms),
                    "note": _forms_note(forms),
                    "messages": [n.as_json() for n in _forms_notes(forms)],
                }
                for forms in self.plural_forms
            ],
            "comments_kept": self.comments_kept,
            "comments_not_kept": [{"line": line} for line in self.comments_not_kept],
            "failing": [asdict(f) for f in self.failing],
            "messages": [m.as_json() for m in self.figures() + self.notes()],
        }


def _forms_note(forms: FilledForms) -> str:
    """The English note of a plural entry's forms, as the API's `note` has always read."""
    notes = []
    if forms.filled:
        notes.append(f"form {', '.join(forms.filled)} filled from the closest form, needs editing")
    if forms.dropped:
        dropped = ", ".join(f"msgstr[{i}]" for i in forms.dropped)
        notes.append(f"{dropped} not used: the language has no such form")
    return f"line {forms.line}: " + " and ".join(notes)


def _forms_notes(forms: FilledForms) -> list[Message]:
    """How a plural entry's forms were mapped from the file's, for the report."""
    notes = []
    if forms.filled:
        notes.append(
            message(
                N_("line %(line)d: form %(forms)s filled from the closest form, needs editing"),
                "plural-form-filled",
                line=forms.line,
                forms=", ".join(forms.filled),
            )
        )
    if forms.dropped:
        notes.append(
            message(
                N_("line %(line)d: %(forms)s not used: the language has no such form"),
                "plural-form-dropped",
                line=forms.line,
                forms=", ".join(f"msgstr[{i}]" for i in forms.dropped),
            )
        )
    return notes


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
    _refuse_another_documents(session, catalogue, current, document, filename)
    changed: list[tuple[Unit, Translation]] = []
    lines: dict[int, int] = {}  # translation id -> the line of its entry in the file
    for entry in catalogue.entries:
        if entry.obsolete:
            continue
        if not entry_text(entry):  # nothing to import, but a comment on it is kept
            found = current.get(entry.msgid) if entry.msgctxt is None else None
            if found is not None and _keep_comments(found[1], entry):
                report.comments_kept += 1
            continue
        found = current.get(entry.msgid) if entry.msgctxt is None else None
        if found is None or (found[0].source_plural is None) != (entry.msgid_plural is None):
            report.unknown.append(Unknown(entry.line, entry.msgid))
            continue
        reason = policy.translation_too_long(found[0], entry_text(entry))
        if reason:  # the session is rolled back by the caller: nothing is imported
            name = Path(filename).name
            refused = message(
                N_("%(file)s:%(line)d: %(reason)s; nothing was imported"),
                "import.text-refused",
                file=name,
                line=entry.line,
                reason=reason,
            )
            raise InvalidFile(
                refused,
                filename=name,
                line=entry.line,
                unit=found[0].id,
            )
        taken = _apply(session, found[1], entry, mode, report, actor, may_change_approved, filename)
        if taken:
            changed.append(found)
            lines[found[1].id] = entry.line
        if found[1].text == entry_text(entry):  # taken now or before: its comments stand by it
            if _keep_comments(found[1], entry):
                report.comments_kept += 1
        elif _comments(entry):
            report.comments_not_kept.append(entry.line)
    session.flush()
    checking.refresh(session, changed)
    report.failing = _failing(session, changed, lines)
    return report


def _comments(entry: po.Entry) -> str:
    """An entry's translator comments as the store keeps them (one line each)."""
    return "\n".join(entry.comments)


def _keep_comments(translation: Translation, entry: po.Entry) -> bool:
    """Keep the file's translator comments with the translation; True when they were new.
    A file without comments leaves the desk's as they are: nothing a person wrote is dropped
    by a file that never had it."""
    comments = _comments(entry)
    if not comments or comments == translation.comments:
        return False
    translation.comments = comments
    translation.updated_at = utcnow()
    return True


def _failing(
    session: Session, changed: list[tuple[Unit, Translation]], lines: dict[int, int]
) -> list[Failing]:
    """The imported translations that fail an error-level check, in the file's order."""
    units = {translation.id: unit for unit, translation in changed}
    ids = sorted(units)
    failing: list[Failing] = []
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(CheckFailure.translation_id, CheckFailure.check).where(
                CheckFailure.translation_id.in_(ids[start : start + 500]),
                CheckFailure.severity == Severity.ERROR.value,
            )
        )
        for translation_id, check in rows:
            unit = units[translation_id]
            location = unit.locations.split(" ")[0] if unit.locations else ""
            failing.append(Failing(lines[translation_id], unit.id, location, check))
    return sorted(set(failing), key=lambda f: (f.line, f.check))


def _refuse_another_documents(
    session: Session,
    catalogue: po.Catalogue,
    current: dict[str, tuple[Unit, Translation]],
    document: Document,
    filename: str,
) -> None:
    """Nothing imported from a file that matches none of the document's units: the report of
    "0 filled, 17 not in the document" would look like success. The document that holds most
    of the file's entries (more than half) is named."""
    msgids = {e.msgid for e in catalogue.entries if not e.obsolete and e.msgctxt is None}
    if any(msgid in current for msgid in msgids):
        return
    matches: dict[str, int] = {}
    wanted = sorted(msgids)
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(Document.slug, func.count(func.distinct(Unit.source)))
            .join(Unit, Unit.document_id == Document.id)
            .where(
                Unit.source.in_(wanted[start : start + 500]),
                Unit.obsolete.is_(False),
                Document.id != document.id,
            )
            .group_by(Document.slug)
        )
        for slug, count in rows:
            matches[slug] = matches.get(slug, 0) + count
    best = max(sorted(matches), key=lambda slug: matches[slug], default=None)
    name = Path(filename).name
    if best is not None and matches[best] * 2 > len(msgids):
        said = message(
            N_(
                "Nothing in %(file)s matches the document %(document)s: did you mean %(suggested)s?"
            ),
            "another-document",
            file=name,
            document=document.slug,
            suggested=best,
        )
    else:
        said = message(
            N_("Nothing in %(file)s matches the document %(document)s."),
            "no-match",
            file=name,
            document=document.slug,
        )
    raise NotThisDocument(said, name, best if said.code == "another-document" else None)


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
        said = exc.said or str(exc)
        raise InvalidFile(said, filename=exc.filename or filename, line=exc.line) from None


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
