"""Running the checks over the store: on demand, after an import, and keeping the results."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from translator import db
from translator.checks import Context, Failure, Severity, Term, run_unit
from translator.models import CheckFailure, Document, Translation, Unit
from translator.services import forks, glossary


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
    workers: int = 1,
) -> list[Finding]:
    """Run every check on every translated current unit (of one language or document, or of
    the units given by id), keep the failures in the store, and return them in document order.

    With `workers` above one, a large run is shared among as many processes (forked: only from
    a command, never from a server's threads)."""
    if units is not None:
        found: list[Finding] = []
        ids = sorted(units)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found += _check(session, language, slug, Unit.id.in_(chunk))
        return found
    return _check(session, language, slug, None, workers)


def _check(
    session: Session, language: str | None, slug: str | None, where: Any, workers: int = 1
) -> list[Finding]:
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
    terms = tuple(glossary.terms(session))
    # Plain rows, not ORM objects: a store-wide run reads every translation once.
    rows = session.execute(query).all()
    work = [(row.source, row.source_plural, row.text, row.language) for row in rows]
    found = _failures(work, terms, workers)
    findings: list[Finding] = []
    checked: list[int] = []
    stored: list[dict[str, object]] = []
    for (document, unit_id, source, _, places, translation_id, code, text), failures in zip(
        rows, found, strict=True
    ):
        checked.append(translation_id)
        for failure in failures:
            findings.append(
                Finding(
                    document,
                    code,
                    unit_id,
                    places.split(" ")[0],
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


# (source, source plural, translation, language) of one translation
Work = tuple[str, str | None, str, str]
PARALLEL_FROM = 5000  # translations: fewer are checked faster than processes start
_CHUNK = 2000


def _failures(work: Sequence[Work], terms: tuple[Term, ...], workers: int) -> list[list[Failure]]:
    """Each translation's failures, in order: in this process, or shared among `workers`
    forked ones when there is enough work (and the platform forks)."""
    if workers < 2 or len(work) < PARALLEL_FROM:
        return failures_of(work, terms)
    with forks.forks(workers) as pool:
        if pool is None:
            return failures_of(work, terms)
        chunks = [work[start : start + _CHUNK] for start in range(0, len(work), _CHUNK)]
        results = pool.map(failures_of, chunks, [terms] * len(chunks))
        return [failures for chunk in results for failures in chunk]


def failures_of(work: Sequence[Work], terms: tuple[Term, ...]) -> list[list[Failure]]:
    """Each translation's failures, in order, in this process: a pure function (forks run it)."""
    contexts = {code: Context(code, terms) for code in {code for *_, code in work}}
    return [run_unit(source, plural, text, contexts[code]) for source, plural, text, code in work]


# A failure found before its translation was stored, as plain values (a fork sends them back):
# (unit id, language, check, severity, message, message id, message code, values as JSON)
Found = tuple[int, str, str, str, str, str, str, str]


def found(unit_id: int, language: str, failure: Failure) -> Found:
    said = failure.said
    values = json.dumps(said.stored(), ensure_ascii=False)
    return (unit_id, language, failure.check, failure.severity.value, said.english, said.text,
            said.code, values)  # fmt: skip


def keep_found(session: Session, failures: list[Found]) -> int:
    """Store failures found before their translations were in the store (`translator init`
    checks each catalogue as it reads it); their number. Each failure's translation is looked
    up by the database as the failure is inserted, in one statement for them all."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    mark = db.marker(connection.dialect)
    if failures and connection.dialect.name == "postgresql":
        # The translations were inserted in this transaction. An ANALYZE by any other session
        # meanwhile (autovacuum, a database-wide one) counts none of them, and the planner then
        # looks each one up through the (language, state) index, reading every translation of
        # the language: 2.6 ms a failure instead of 26 µs at 60,000 translations, over an hour for
        # `init` at 1.2 million. Its own ANALYZE counts them.
        connection.exec_driver_sql("ANALYZE translations")
    if failures:
        connection.exec_driver_sql(
            f"INSERT INTO check_failures (translation_id, {quote('check')}, severity, message, "
            "message_id, message_code, message_values) "
            f"SELECT id, {', '.join([mark] * 6)} FROM translations "
            f"WHERE unit_id = {mark} AND language = {mark}",
            [(*said, unit, language) for unit, language, *said in failures],
        )
    return len(failures)


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
    said = failure.said
    return {
        "translation_id": translation_id,
        "check": failure.check,
        "severity": failure.severity.value,
        "message": said.english,
        "message_id": said.text,
        "message_code": said.code,
        "message_values": json.dumps(said.stored(), ensure_ascii=False),
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
    # straight to the driver: a store-wide run keeps tens of thousands
    db.insert_rows(session, CheckFailure.metadata.tables["check_failures"], rows)
