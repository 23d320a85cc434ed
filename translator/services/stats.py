"""An edition's status, defined once: its figures, whether it may be published, what blocks it.

`translator status`, the API's `/stats`, the dashboard's cells, the gate page, publishing and
`translator build` all take their verdict from here. An edition (document x language) is
publishable when it has units, every one approved, no error-level check failing (the stored
results, which every save, import, extract and glossary import keeps current), no English changed
since approval, and the source file unchanged since the last extract. An empty edition is not
publishable and its shares are 0%.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from translator import languages
from translator.checks import Severity
from translator.messages import N_, Message, message
from translator.models import CheckFailure, Document, State, Translation, Unit, said
from translator.services.sources import source_changed, source_name

SOURCE_CHANGED = "source-changed"
EMPTY = "empty"


@dataclass(frozen=True)
class Blocker:
    """One reason an edition may not be published yet: what it is (`said`, a message id and
    its values, with a code per kind: `blocker.untranslated`, `blocker.needs-editing`,
    `blocker.translated`, `blocker.source-changed`, `blocker.file-changed`, `blocker.empty`,
    `blocker.failing-check` with the check's own message as its value `problem`), said at the
    edge in the reader's language; `message` is the whole reason in English, location first,
    for the command line and the API."""

    unit: int | None  # None when the whole document is concerned
    location: str
    check: str | None  # a failing error-level check, or
    state: str | None  # a state short of approved, `source-changed` or `empty`
    said: Message

    @property
    def message(self) -> str:
        return f"{self.location}: {self.said.english}"

    @property
    def detail(self) -> Message | None:
        """A failing check's own message."""
        problem = self.said.values.get("problem")
        return problem if isinstance(problem, Message) else None

    def as_json(self) -> dict[str, object]:
        """The one shape of a blocker: unit, location, check or state, code, values,
        message."""
        found: dict[str, object] = {"unit": self.unit, "location": self.location}
        if self.check:
            found["check"] = self.check
        else:
            found["state"] = self.state
        said = self.said.as_json()
        found.update(code=said["code"], values=said["values"], message=self.message)
        return found


# a unit's state short of approved -> why it blocks
_NOT_APPROVED = {
    "untranslated": message(N_("untranslated, not approved"), "blocker.untranslated"),
    "needs-editing": message(N_("needs editing, not approved"), "blocker.needs-editing"),
    "translated": message(N_("translated, not approved"), "blocker.translated"),
}
_UNIT_CHANGED = message(N_("the English changed since this was approved"), "blocker.source-changed")
_FILE_CHANGED = message(
    N_("the English changed since the last extract; run translator extract"),
    "blocker.file-changed",
)
_EMPTY = message(N_("nothing to publish: the edition has no units"), "blocker.empty")


def failing_check(check: str, problem: Message) -> Message:
    """Why a failing error-level check blocks: the check and its own message."""
    return message(N_("%(check)s: %(problem)s"), "blocker.failing-check", check=check,
                   problem=problem)  # fmt: skip


@dataclass(frozen=True)
class StatusRow:
    """One edition's figures (current units only) and what blocks its publication."""

    document: str
    language: str
    total: int
    untranslated: int
    needs_editing: int
    translated: int
    approved: int
    words_total: int
    words_translated: int  # translated or approved
    percent_translated: float
    percent_approved: float
    blockers: tuple[Blocker, ...] = field(default=(), compare=False)

    @property
    def publishable(self) -> bool:
        return not self.blockers

    def as_json(self) -> dict[str, Any]:
        """The shape of `translator status --json` and of the API's /stats."""
        figures = {key: value for key, value in self.__dict__.items() if key != "blockers"}
        return {
            **figures,
            "publishable": self.publishable,
            "blockers": [blocker.as_json() for blocker in self.blockers],
        }


def percent(part: int, whole: int) -> float:
    """A share in percent, one decimal; nothing of nothing is 0%."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def publishable(
    *, units: int, approved: int, errors: int, changed_since_approval: int, changed_file: bool
) -> bool:
    """The verdict from counts, for pages that show many editions (the dashboard): the same
    conditions as a StatusRow's blockers, so both always agree."""
    return (
        units > 0
        and approved == units
        and errors == 0
        and changed_since_approval == 0
        and not changed_file
    )


def status(
    session: Session,
    root: Path | None = None,
    *,
    language: str | None = None,
    slug: str | None = None,
) -> list[StatusRow]:
    """One row per document and target language, in slug and language order. With the content
    root, an English file changed since the last `translator extract` blocks its editions."""
    documents = list(session.scalars(_narrow(select(Document), slug=slug).order_by(Document.slug)))
    codes = sorted(code for code in languages.TARGET_LANGUAGES if language in (None, code))
    figures = _figures(session, language=language, slug=slug)
    reasons = _blockers(session, root, documents, figures, language=language, slug=slug)
    return [
        _row(
            document.slug, code, figures.get((document.slug, code)), reasons[(document.slug, code)]
        )
        for document in documents
        for code in codes
    ]


def edition(session: Session, document: Document, language: str, root: Path | None) -> StatusRow:
    """One edition's status."""
    return status(session, root, language=language, slug=document.slug)[0]


def _narrow(query: Any, *, language: str | None = None, slug: str | None = None) -> Any:
    if language:
        query = query.where(Translation.language == language)
    if slug:
        query = query.where(Document.slug == slug)
    return query


def _figures(
    session: Session, *, language: str | None, slug: str | None
) -> dict[tuple[str, str], tuple[int, ...]]:
    done = Translation.state >= State.TRANSLATED
    query = (
        select(
            Document.slug,
            Translation.language,
            func.count(),
            *(func.sum(case((Translation.state == state, 1), else_=0)) for state in State),
            func.sum(Unit.words),
            func.sum(case((done, Unit.words), else_=0)),
        )
        .join(Unit, Unit.document_id == Document.id)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(Unit.obsolete.is_(False))
        .group_by(Document.slug, Translation.language)
    )
    return {
        (values[0], values[1]): tuple(int(v or 0) for v in values[2:])
        for values in session.execute(_narrow(query, language=language, slug=slug))
    }


def _row(
    slug: str, language: str, figures: tuple[int, ...] | None, blockers: list[Blocker]
) -> StatusRow:
    total, untranslated, needs_editing, translated, approved, words, words_done = figures or (
        (0,) * 7
    )
    return StatusRow(
        document=slug,
        language=language,
        total=total,
        untranslated=untranslated,
        needs_editing=needs_editing,
        translated=translated,
        approved=approved,
        words_total=words,
        words_translated=words_done,
        percent_translated=percent(translated + approved, total),
        percent_approved=percent(approved, total),
        blockers=tuple(blockers),
    )


def _blockers(
    session: Session,
    root: Path | None,
    documents: list[Document],
    figures: dict[tuple[str, str], tuple[int, ...]],
    *,
    language: str | None,
    slug: str | None,
) -> dict[tuple[str, str], list[Blocker]]:
    """Every edition's blockers: file first, then by unit position (state before checks)."""
    found: dict[tuple[str, str], list[tuple[int, int, Blocker]]] = defaultdict(list)
    for position, order, key, blocker in [
        *_unit_blockers(session, language=language, slug=slug),
        *_check_blockers(session, language=language, slug=slug),
    ]:
        found[key].append((position, order, blocker))
    result: dict[tuple[str, str], list[Blocker]] = defaultdict(list)
    for document in documents:
        where = source_name(document.slug, document.kind)
        changed_file = root is not None and source_changed(root, document)
        for code in languages.TARGET_LANGUAGES:
            if language not in (None, code):
                continue
            reasons = result[(document.slug, code)]
            if changed_file:
                reasons.append(Blocker(None, where, None, SOURCE_CHANGED, _FILE_CHANGED))
            units = found.get((document.slug, code), [])
            reasons.extend(blocker for _, _, blocker in sorted(units, key=lambda t: t[:2]))
            if not reasons and (document.slug, code) not in figures:  # no current unit
                reasons.append(Blocker(None, where, None, EMPTY, _EMPTY))
    return result


def _unit_blockers(
    session: Session, *, language: str | None, slug: str | None
) -> list[tuple[int, int, tuple[str, str], Blocker]]:
    changed = and_(
        Translation.previous_source.is_not(None), Translation.previous_source != Unit.source
    )
    query = (
        select(
            Document.slug,
            Translation.language,
            Unit.id,
            Unit.position,
            Unit.locations,
            Translation.state,
        )
        .join(Unit, Unit.document_id == Document.id)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(Unit.obsolete.is_(False), or_(Translation.state < State.APPROVED, changed))
    )
    found = []
    for document, code, unit_id, position, locations, state in session.execute(
        _narrow(query, language=language, slug=slug)
    ):
        where = locations.split(" ")[0]
        if state < State.APPROVED:
            label = State(state).label
            blocker = Blocker(unit_id, where, None, label, _NOT_APPROVED[label])
        else:
            blocker = Blocker(unit_id, where, None, SOURCE_CHANGED, _UNIT_CHANGED)
        found.append((position, 0, (document, code), blocker))
    return found


def _check_blockers(
    session: Session, *, language: str | None, slug: str | None
) -> list[tuple[int, int, tuple[str, str], Blocker]]:
    query = (
        select(
            Document.slug,
            Translation.language,
            Unit.id,
            Unit.position,
            Unit.locations,
            CheckFailure.check,
            CheckFailure.message,
            CheckFailure.message_id,
            CheckFailure.message_code,
            CheckFailure.message_values,
        )
        .select_from(CheckFailure)
        .join(Translation, Translation.id == CheckFailure.translation_id)
        .join(Unit, Unit.id == Translation.unit_id)
        .join(Document, Document.id == Unit.document_id)
        .where(CheckFailure.severity == Severity.ERROR, Unit.obsolete.is_(False))
        .order_by(CheckFailure.id)
    )
    found = []
    for document, code, unit_id, position, locations, check, *kept in session.execute(
        _narrow(query, language=language, slug=slug)
    ):
        where = locations.split(" ")[0]
        blocker = Blocker(unit_id, where, check, None, failing_check(check, said(*kept)))
        found.append((position, 1, (document, code), blocker))
    return found
