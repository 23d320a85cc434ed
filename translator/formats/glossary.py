"""The glossary as files: CSV (one row a term, one column a language) and TBX (ISO 30042).

Pure functions over `Term`: `read_csv`/`write_csv`, `read_tbx`/`write_tbx`. A cell holds the
approved form first, then accepted variants, separated by " | ". Errors name the file and line.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

from translator.checks import TERM_TYPES, Term
from translator.languages import TARGET_LANGUAGES

CSV_COLUMNS = ("en", "type", "note", *TARGET_LANGUAGES)
VARIANT_SEPARATOR = " | "
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PREFERRED, _ADMITTED = "preferredTerm-admn-sts", "admittedTerm-admn-sts"


class GlossaryError(ValueError):
    def __init__(self, filename: str, line: int, message: str) -> None:
        super().__init__(f"{filename}:{line}: {message}")


def read_csv(text: str, filename: str = "<csv>") -> list[Term]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("en", "type") if c not in (reader.fieldnames or [])]
    if missing:
        raise GlossaryError(
            filename,
            1,
            f"the header needs the columns {', '.join(missing)} "
            f"(expected: {','.join(CSV_COLUMNS)})",
        )
    terms: list[Term] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        english = (row.get("en") or "").strip()
        term_type = (row.get("type") or "").strip()
        if not english:
            raise GlossaryError(filename, line, "the English term is empty")
        if term_type not in TERM_TYPES:
            raise GlossaryError(
                filename, line, f"type {term_type!r} is not one of {', '.join(TERM_TYPES)}"
            )
        if english in seen:
            raise GlossaryError(filename, line, f"{english!r} is already on line {seen[english]}")
        seen[english] = line
        forms = {code: _split(row.get(code) or "") for code in TARGET_LANGUAGES}
        terms.append(
            Term(
                english,
                term_type,
                {k: v for k, v in forms.items() if v},
                (row.get("note") or "").strip(),
            )
        )
    return terms


def _split(cell: str) -> tuple[str, ...]:
    return tuple(form.strip() for form in cell.split("|") if form.strip())


def write_csv(terms: Sequence[Term]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for term in terms:
        writer.writerow(
            [
                term.english,
                term.type,
                term.note,
                *(VARIANT_SEPARATOR.join(term.forms.get(code, ())) for code in TARGET_LANGUAGES),
            ]
        )
    return out.getvalue()


def write_tbx(terms: Sequence[Term]) -> str:
    """A TBX-Basic document: one termEntry per term, the approved form as preferred term."""
    root = ElementTree.Element("martif", {"type": "TBX-Basic", _XML_LANG: "en"})
    header = ElementTree.SubElement(root, "martifHeader")
    source = ElementTree.SubElement(ElementTree.SubElement(header, "fileDesc"), "sourceDesc")
    ElementTree.SubElement(source, "p").text = "Glossary of the IEC translation desk"
    body = ElementTree.SubElement(ElementTree.SubElement(root, "text"), "body")
    for number, term in enumerate(terms, start=1):
        entry = ElementTree.SubElement(body, "termEntry", {"id": f"term-{number}"})
        ElementTree.SubElement(entry, "descrip", {"type": "subjectField"}).text = term.type
        if term.note:
            ElementTree.SubElement(entry, "note").text = term.note
        _lang_set(entry, "en", (term.english,))
        for code in TARGET_LANGUAGES:
            if term.forms.get(code):
                _lang_set(entry, code, term.forms[code])
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def _lang_set(entry: ElementTree.Element, code: str, forms: Sequence[str]) -> None:
    lang_set = ElementTree.SubElement(entry, "langSet", {_XML_LANG: code})
    for position, form in enumerate(forms):
        tig = ElementTree.SubElement(lang_set, "tig")
        ElementTree.SubElement(tig, "term").text = form
        status = _PREFERRED if position == 0 else _ADMITTED
        ElementTree.SubElement(tig, "termNote", {"type": "administrativeStatus"}).text = status


def read_tbx(data: bytes, filename: str = "<tbx>") -> list[Term]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise GlossaryError(filename, exc.position[0], f"not well-formed XML: {exc}") from None
    terms: list[Term] = []
    for entry in root.iter("termEntry"):
        forms: dict[str, tuple[str, ...]] = {}
        for lang_set in entry.iter("langSet"):
            code = (lang_set.get(_XML_LANG) or "").split("-")[0].lower()
            texts = tuple((t.text or "").strip() for t in lang_set.iter("term") if t.text)
            if texts:
                forms[code] = texts
        english = forms.pop("en", ("",))[0]
        if not english:
            raise GlossaryError(filename, 1, f"term entry {entry.get('id')!r} has no English")
        subject = entry.find("descrip[@type='subjectField']")
        term_type = (subject.text or "").strip() if subject is not None else "term"
        note = entry.find("note")
        terms.append(
            Term(
                english,
                term_type if term_type in TERM_TYPES else "term",
                {k: v for k, v in forms.items() if k in TARGET_LANGUAGES},
                (note.text or "").strip() if note is not None else "",
            )
        )
    return terms
