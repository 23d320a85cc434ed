"""Saving a translation: safely (a stale version never overwrites), with the review rules, the
checks run, and every change kept in the history.

- A save carries the version the translator loaded; if someone saved in between, nothing is
  written and the caller gets the current text and version to choose from.
- Translators save as translated or needs-editing in their languages; approving takes a reviewer;
  an approved translation is changed only by a reviewer.
- A text failing an error-level check is kept, as needs-editing, with the failures returned.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TypeVarTuple

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from translator import languages, plurals
from translator.checks import PLURALS, Failure, Severity, run_unit
from translator.messages import Message
from translator.models import Change, CheckFailure, State, Translation, Unit, User, utcnow
from translator.services import DeskError, checking, policy
from translator.services import Forbidden as Forbidden  # the edges name them as editing.*
from translator.services import Invalid as Invalid
from translator.services import TooLong as TooLong

_Columns = TypeVarTuple("_Columns")
MAX_ID = 2**31 - 1  # ids and versions are 32-bit integers in both databases


class NotFound(DeskError):
    pass


@dataclass
class SaveResult:
    translation: Translation
    conflict: bool = False
    failures: list[Failure] = field(default_factory=list)


def rows(
    session: Session,
    document_id: int,
    language: str,
    state: State | None = None,
    *,
    units: Collection[int] | None = None,
) -> list[tuple[Unit, Translation]]:
    """An edition's current units with their translations, in document order (only those of
    a state, or only the units given)."""
    query = _edition(select(Unit, Translation), document_id, language)
    if state is not None:
        query = query.where(Translation.state == state)
    if units is not None:
        query = query.where(Unit.id.in_(units))
    return [(unit, translation) for unit, translation in session.execute(query)]


def order(session: Session, document_id: int, language: str) -> list[tuple[int, int]]:
    """An edition's (unit id, state) in document order: its rows without loading them."""
    query = _edition(select(Unit.id, Translation.state), document_id, language)
    return [(unit_id, state) for unit_id, state in session.execute(query)]


def _edition(query: Select[*_Columns], document_id: int, language: str) -> Select[*_Columns]:
    """A query narrowed to an edition's current units and their translations, in order."""
    return (
        query.join(Translation, Translation.unit_id == Unit.id)
        .where(
            Unit.document_id == document_id,
            Unit.obsolete.is_(False),
            Translation.language == language,
        )
        .order_by(Unit.position)
    )


def readable_rows(
    session: Session,
    who: policy.Actor | User,
    document_id: int,
    language: str,
    state: State | None = None,
) -> list[tuple[Unit, Translation, list[CheckFailure]]]:
    """`rows_with_failures` for a reader the policy lets read the language's unreviewed text."""
    actor = policy.actor_of(session, who)
    policy.require(session, actor, policy.Action.READ_UNREVIEWED, language=language)
    return rows_with_failures(session, document_id, language, state)


def rows_with_failures(
    session: Session, document_id: int, language: str, state: State | None = None
) -> list[tuple[Unit, Translation, list[CheckFailure]]]:
    """An edition's rows (see `rows`), each with its translation's stored failing checks."""
    query = (
        select(CheckFailure)
        .join(Translation, Translation.id == CheckFailure.translation_id)
        .join(Unit, Unit.id == Translation.unit_id)
        .where(Unit.document_id == document_id, Translation.language == language)
        .order_by(CheckFailure.id)
    )
    failures: dict[int, list[CheckFailure]] = {}
    for failure in session.scalars(query):
        failures.setdefault(failure.translation_id, []).append(failure)
    return [
        (unit, translation, failures.get(translation.id, []))
        for unit, translation in rows(session, document_id, language, state)
    ]


def find(session: Session, unit_id: int, language: str) -> tuple[Unit, Translation]:
    if language not in languages.TARGET_LANGUAGES:
        raise NotFound(f"no language {language!r}")
    unit = session.get(Unit, unit_id) if 0 < unit_id <= MAX_ID else None
    if unit is None or unit.obsolete:
        raise NotFound(f"no unit {unit_id}")
    translation = session.scalar(
        select(Translation).where(Translation.unit_id == unit_id, Translation.language == language)
    )
    if translation is None:
        raise NotFound(f"unit {unit_id} has no {language} translation")
    return unit, translation


def save(
    session: Session,
    who: policy.Actor | User,
    unit_id: int,
    language: str,
    text: str,
    *,
    version: int,
    state: State | None = None,
) -> SaveResult:
    """Save a translation made from `version`; returns the result, or the conflict. The policy
    decides by what the save does: translate, approve, or change approved text."""
    actor = policy.actor_of(session, who)
    unit, translation = find(session, unit_id, language)
    wanted = State.TRANSLATED if state is None else state
    with policy.acting(
        session, actor, action_of(translation, text, wanted), language=language, unit=unit_id
    ) as act:
        result = store(session, actor, unit, translation, text, version=version, state=wanted)
        act.done = not result.conflict  # someone saved in between: nothing happened
    return result


def action_of(translation: Translation, text: str, wanted: State) -> policy.Action:
    """What saving `text` as `wanted` over `translation` does, in the policy's terms."""
    if translation.state == State.APPROVED and (
        text.replace("\r\n", "\n") != translation.text or wanted != State.APPROVED
    ):
        return policy.Action.CHANGE_APPROVED
    if wanted == State.APPROVED:
        return policy.Action.APPROVE
    return policy.Action.TRANSLATE


def store(
    session: Session,
    actor: policy.Actor,
    unit: Unit,
    translation: Translation,
    text: str,
    *,
    version: int,
    state: State,
) -> SaveResult:
    """Write a save the policy has allowed (see `save`): checked, versioned, in the history."""
    policy.limit_translation(unit, text)
    if translation.version != version:
        return SaveResult(translation, conflict=True)
    text = text.replace("\r\n", "\n")
    language = translation.language
    failures = run_unit(unit.source, unit.source_plural, text, checking.contexts(session)(language))
    new_state = _state_for(text, state, failures)
    old_text, old_state = translation.text, translation.state
    swapped = session.execute(
        update(Translation)
        .where(Translation.id == translation.id, Translation.version == version)
        .values(
            text=text,
            state=new_state,
            version=version + 1,
            updated_at=utcnow(),
            previous_source=translation.previous_source
            if new_state == State.NEEDS_EDITING
            else None,
        )
        .execution_options(synchronize_session=False)
    )
    if swapped.rowcount != 1:  # type: ignore[attr-defined]  # someone saved in between
        session.refresh(translation)
        return SaveResult(translation, conflict=True)
    session.add(
        Change(
            unit_id=unit.id,
            language=language,
            user_id=actor.user_id,
            action="approve" if new_state == State.APPROVED else "edit",
            old_text=old_text,
            new_text=text,
            old_state=old_state,
            new_state=new_state,
        )
    )
    session.flush()
    session.refresh(translation)
    checking.keep(session, translation.id, failures)  # found above, on the text just saved
    return SaveResult(translation, failures=failures)


def text_of_forms(unit: Unit, language: str, forms: list[str]) -> str:
    """A plural unit's translation from its forms, one per plural form of the language."""
    if not unit.plural:
        raise Invalid(f"unit {unit.id} has no plural forms; send its text")
    wanted = languages.get(language).nplurals
    if len(forms) != wanted or not all(isinstance(form, str) for form in forms):
        raise Invalid(
            f"{language} has {wanted} plural forms: send {wanted} texts, not {len(forms)}"
        )
    return plurals.join([form.replace("\r\n", "\n") for form in forms])


def save_forms(
    session: Session,
    user: policy.Actor | User,
    unit_id: int,
    language: str,
    forms: list[str],
    *,
    version: int,
    state: State | None = None,
) -> SaveResult:
    """Save a plural unit's forms (msgstr[0], msgstr[1], ...), as `save` saves a text."""
    unit, _ = find(session, unit_id, language)
    text = text_of_forms(unit, language, forms)
    return save(session, user, unit_id, language, text, version=version, state=state)


def save_sent(
    session: Session,
    user: policy.Actor | User,
    unit_id: int,
    language: str,
    *,
    text: str | None,
    forms: list[str] | None,
    version: int,
    state: State | None = None,
) -> SaveResult:
    """Save what a client sent for a unit: forms (msgstr[0], msgstr[1], ...) for a plural unit,
    a text for an ordinary one; the other way round is Invalid, and nothing is saved."""
    unit, _ = find(session, unit_id, language)
    if forms is not None:
        return save_forms(session, user, unit_id, language, forms, version=version, state=state)
    if unit.plural or text is None:
        raise Invalid(f"unit {unit_id} has plural forms: send them as forms")
    return save(session, user, unit_id, language, text, version=version, state=state)


def check_sent(
    session: Session,
    who: policy.Actor | User,
    unit_id: int,
    language: str,
    *,
    text: str | None,
    forms: list[str] | None,
) -> list[Failure]:
    """The failures a text (or a plural unit's forms) would have if saved now. What saving
    would refuse (forms that do not fit the unit) is itself the failure of the plural check."""
    policy.require(
        session, policy.actor_of(session, who), policy.Action.CHECK_TEXT, language=language
    )
    unit, _ = find(session, unit_id, language)
    for sent in [text, *(forms or [])]:
        if sent is not None:
            policy.limit_text(sent)  # every text sent, whichever is used
    try:
        if forms is not None:
            text = text_of_forms(unit, language, forms)
        elif unit.plural or text is None:
            raise Invalid(f"unit {unit_id} has plural forms: send them as forms")
    except Invalid as exc:
        # the refusal's English as it is (a message id with no values: said as written)
        return [Failure(PLURALS, Severity.ERROR, Message(str(exc), code="plurals.forms"))]
    return _failures(session, unit, language, text)


def _state_for(text: str, wanted: State, failures: list[Failure]) -> State:
    if not text:
        return State.UNTRANSLATED
    if wanted >= State.TRANSLATED and any(f.severity == Severity.ERROR for f in failures):
        return State.NEEDS_EDITING  # kept, never lost; the failures say why
    return wanted


def check(
    session: Session, who: policy.Actor | User, unit_id: int, language: str, text: str
) -> list[Failure]:
    """The failures a text would have if it were saved now: the editor's live checks. Nothing
    is written; a text no save would take is refused as a save refuses it."""
    policy.require(
        session, policy.actor_of(session, who), policy.Action.CHECK_TEXT, language=language
    )
    unit, _ = find(session, unit_id, language)
    return _failures(session, unit, language, text)


def _failures(session: Session, unit: Unit, language: str, text: str) -> list[Failure]:
    """The checks' failures of a text a save would take (one it would refuse is refused)."""
    policy.limit_translation(unit, text)
    context = checking.contexts(session)(language)
    return run_unit(unit.source, unit.source_plural, text.replace("\r\n", "\n"), context)


def fold(text: str, language: str) -> str:
    """Text as a search compares it, folded the way the language folds: Turkish dotted and
    dotless i (İ→i, I→ı), Persian and Arabic yeh and kaf (ي→ی, ك→ک), no ZWNJ, any case."""
    if language in ("tr", "az"):
        text = text.replace("İ", "i").replace("I", "ı")
    text = text.translate(_PERSIAN_FOLD)
    return text.casefold()


_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "\u200c": None})


def matches(query: str, source: str, translation: str, language: str) -> bool:
    """Whether a search finds a unit: in its translation (folded as its language) or in its
    English (the query folded as English or as its language: "İRAN" typed on a Turkish keyboard
    finds "Iran")."""
    english = fold(source, "en")
    return (
        fold(query, language) in fold(translation, language)
        or fold(query, "en") in english
        or fold(query, language) in english
    )


def sorted_rows(found: list[tuple[Unit, Translation]], sort: str) -> list[tuple[Unit, Translation]]:
    """An edition's rows in the unit list's order: document order, least done first, or the
    most recently changed first (each keeping document order among equals)."""
    if sort == "state":
        return sorted(found, key=lambda row: row[1].state)
    if sort == "recent":
        return sorted(found, key=lambda row: row[1].updated_at, reverse=True)
    return found
