"""Running the checks over the store: on demand, after an import, and keeping the results."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from translator.checks import Context, Failure, Severity, run_unit
from translator.models import CheckFailure, Document, Translation, Unit
from translator.services import glossary


@dataclass(frozen=True)
class Finding:
    """One failing check, with where it is: the shape of `translator check --json`."""

    document: str
    language: str
    unit: int
    location: str
    source: str
    translation: str
    check: str
    severity: str
    message: str


def check_store(
    session: Session,
    language: str | None = None,
    slug: str | None = None,
    *,
    units: Collection[int] | None = None,
) -> list[Finding]:
    """Run every check on every translated current unit (of one language or document, or of
    the units given by id), keep the failures in the store, and return them in document order."""
    if units is not None:
        found: list[Finding] = []
        ids = sorted(units)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found += _check(session, language, slug, Unit.id.in_(chunk))
        return found
    return _check(session, language, slug, None)


def _check(session: Session, language: str | None, slug: str | None, where: Any) -> list[Finding]:
    query = (
        select(
            Document.slug,
            Unit.id,
            Unit.source,
            Unit.source_plural,
            Unit.locations,
            Translation.id,
            Translation.language,
            Translation.text,
        )
        .join(Unit, Unit.document_id == Document.id)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(Unit.obsolete.is_(False), Translation.text != "")
        .order_by(Document.slug, Translation.language, Unit.position)
    )
    if language:
        query = query.where(Translation.language == language)
    if slug:
        query = query.where(Document.slug == slug)
    if where is not None:
        query = query.where(where)
    context_for = contexts(session)
    findings: list[Finding] = []
    checked: list[int] = []
    stored: list[dict[str, object]] = []
    # Plain rows, not ORM objects: a store-wide run reads every translation once.
    for document, unit_id, source, plural, where, translation_id, code, text in session.execute(
        query
    ):
        checked.append(translation_id)
        for failure in run_unit(source, plural, text, context_for(code)):
            findings.append(
                Finding(
                    document,
                    code,
                    unit_id,
                    where.split(" ")[0],
                    source,
                    text,
                    failure.check,
                    failure.severity,
                    failure.message,
                )
            )
            stored.append(_row(translation_id, failure))
    _replace_failures(session, checked, stored)
    return findings


def refresh(session: Session, changed: Iterable[tuple[Unit, Translation]]) -> None:
    """Re-run the checks on translations that changed, given with their unit, and keep the
    failures."""
    context_for = contexts(session)
    pairs = list(changed)
    stored: list[dict[str, object]] = []
    for unit, translation in pairs:
        context = context_for(translation.language)
        for failure in run_unit(unit.source, unit.source_plural, translation.text, context):
            stored.append(_row(translation.id, failure))
    _replace_failures(session, [translation.id for _, translation in pairs], stored)


def keep(session: Session, translation_id: int, failures: Iterable[Failure]) -> None:
    """Keep the failures just found on one translation, in place of its earlier ones."""
    _replace_failures(session, [translation_id], [_row(translation_id, f) for f in failures])


def _row(translation_id: int, failure: Failure) -> dict[str, object]:
    return {
        "translation_id": translation_id,
        "check": failure.check,
        "severity": failure.severity.value,
        "message": failure.message,
    }


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == Severity.ERROR for finding in findings)


def contexts(session: Session) -> Callable[[str], Context]:
    terms = tuple(glossary.terms(session))
    cache: dict[str, Context] = {}

    def context(language: str) -> Context:
        if language not in cache:
            cache[language] = Context(language, terms)
        return cache[language]

    return context


def _replace_failures(
    session: Session, translation_ids: list[int], rows: list[dict[str, object]]
) -> None:
    for start in range(0, len(translation_ids), 500):
        chunk = translation_ids[start : start + 500]
        session.execute(
            delete(CheckFailure)
            .where(CheckFailure.translation_id.in_(chunk))
            .execution_options(synchronize_session=False)  # no scan of the session's objects
        )
    if rows:  # a Core insert of plain rows: ORM bulk inserts cost twice as much per row
        session.execute(insert(CheckFailure.metadata.tables["check_failures"]), rows)
