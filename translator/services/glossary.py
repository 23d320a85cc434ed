"""The campaign's glossary in the store: import and export (CSV, TBX), and terms for the checks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from translator.checks import Term
from translator.formats import glossary as glossary_format
from translator.models import GlossaryTerm, User
from translator.services import DeskError, audit, policy

SHIPPED = Path("glossary") / "campaign.csv"


def terms(session: Session) -> list[Term]:
    """Every term, in English alphabetical order, as the checks take them."""
    rows = session.scalars(select(GlossaryTerm).order_by(GlossaryTerm.english))
    return [
        Term(row.english, row.type, {k: tuple(v) for k, v in row.forms.items()}, row.note)
        for row in rows
    ]


def read_file(data: bytes, filename: str) -> list[Term]:
    """Terms from a CSV or TBX file (by its extension), or a DeskError naming file and line."""
    try:
        if filename.lower().endswith(".tbx"):
            return glossary_format.read_tbx(data, filename)
        return glossary_format.read_csv(data.decode("utf-8"), filename)
    except glossary_format.GlossaryError as exc:
        raise DeskError(str(exc)) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeskError(f"{filename}:{line}: not valid UTF-8") from None


def import_terms(
    session: Session, new: list[Term], replace: bool = False, *, by: User | None = None
) -> tuple[int, int]:
    """Add new terms and update known ones (by their English); with replace, drop the others.
    Returns (added, updated)."""
    policy.require(
        session, policy.by_whom(session, by), policy.Action.CHANGE_GLOSSARY, audited=False
    )
    if replace:
        session.execute(
            delete(GlossaryTerm).where(GlossaryTerm.english.not_in([t.english for t in new]))
        )
    known = {row.english: row for row in session.scalars(select(GlossaryTerm))}
    added = updated = 0
    for term in new:
        forms = {code: list(values) for code, values in term.forms.items()}
        row = known.get(term.english)
        if row is None:
            session.add(
                GlossaryTerm(english=term.english, type=term.type, note=term.note, forms=forms)
            )
            added += 1
        elif (row.type, row.note, row.forms) != (term.type, term.note, forms):
            row.type, row.note, row.forms = term.type, term.note, forms
            updated += 1
    session.flush()
    audit.record(
        session, "glossary-import", actor=by, added=added, updated=updated, replace=replace
    )
    return added, updated


def load_shipped(session: Session, root: Path) -> int:
    """Load root/glossary/campaign.csv into an empty glossary; the number of terms loaded."""
    path = Path(root) / SHIPPED
    if not path.is_file() or session.scalar(select(GlossaryTerm.id).limit(1)) is not None:
        return 0
    added, _ = import_terms(session, read_file(path.read_bytes(), str(path)))
    return added


def export(session: Session, file_format: str) -> str:
    if file_format == "tbx":
        return glossary_format.write_tbx(terms(session))
    if file_format == "csv":
        return glossary_format.write_csv(terms(session))
    raise DeskError(f"unknown glossary format {file_format!r}: use csv or tbx")


def matching(all_terms: list[Term], source: str) -> list[Term]:
    """The terms that occur in an English unit, as the glossary check finds them: what a
    translator sees beside the unit."""
    from translator.checks.glossary import terms_in

    return list(terms_in(source, tuple(all_terms)))
