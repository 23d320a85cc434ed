"""The content of a PO file as the desk holds it: its messages, its header, and the error a
file that cannot be read gives (with the file and line), shared by the reader, the writer, the MO
compiler and the merge."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from translator.formats import plural_forms
from translator.messages import N_, Message, message

APPROVED = "approved"  # our flag for reviewed translations; GNU tools drop it, which only demotes
DEFAULT_DOMAIN = "messages"
_PLACEHOLDER_PLURALS = re.compile(r"nplurals\s*=\s*INTEGER|plural\s*=\s*EXPRESSION")


class PoError(ValueError):
    """A catalogue that cannot be read, with the file and line where the problem is: `message`
    in English, `said` the whole as a message id (the problem too, when it is given as one), so
    that a page says it in its reader's language."""

    def __init__(self, filename: str, line: int, problem: str | Message) -> None:
        english = problem.english if isinstance(problem, Message) else problem
        super().__init__(f"{filename}:{line}: {english}")
        self.filename = filename
        self.line = line
        self.message = english
        self.said = message(
            N_("%(file)s:%(line)d: %(problem)s"),
            "po.malformed",
            file=filename,
            line=line,
            problem=problem,
        )


@dataclass
class Entry:
    """One message of a catalogue."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    extracted: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    previous_msgid: str | None = None
    previous_msgctxt: str | None = None
    obsolete: bool = False
    line: int = 0
    previous_msgid_plural: str | None = None
    domain: str | None = None  # None: the catalogue's first domain (usually "messages")

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def first_form(self) -> str:
        """msgstr, or msgstr[0] of a plural message: GNU's test of a message worth keeping
        (msgcat drops an obsolete message, msgfmt and msgmerge a translation, where it is empty)."""
        if self.msgid_plural is None:
            return self.msgstr
        return self.msgstr_plural[0] if self.msgstr_plural else ""

    @property
    def translated(self) -> bool:
        forms = self.msgstr_plural if self.msgid_plural is not None else [self.msgstr]
        return bool(forms) and all(forms)


@dataclass
class Catalogue:
    """A PO or POT file: the header's fields, the comments above it, and the messages.

    `has_header` is False for a file without a header entry, which is then written without one.
    `header_raw` keeps the header's text as read, so that it is written back unchanged unless
    `headers` is changed. `charset` is the charset the file declared (it is UTF-8 once read).
    The header entry's comments, flags, locations and previous fields (`#| msgctxt`, `#| msgid`,
    `#| msgid_plural`) are kept as read, as msgcat keeps them.
    """

    headers: list[tuple[str, str]] = field(default_factory=list)
    header_comments: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    has_header: bool = True
    header_flags: list[str] = field(default_factory=list)
    header_extracted: list[str] = field(default_factory=list)
    header_raw: str | None = None
    header_line: int = 1
    charset: str | None = None
    domain: str | None = None
    header_locations: list[str] = field(default_factory=list)
    header_previous: tuple[str | None, str | None, str | None] = (None, None, None)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def nplurals(self) -> int | None:
        match = re.search(r"nplurals\s*=\s*(\d+)", self.header("Plural-Forms") or "")
        return int(match.group(1)) if match else None

    def plural_forms(self) -> plural_forms.PluralForms | None:
        """The file's own plural rule, None when it has none (or a template's placeholder)."""
        value = self.header("Plural-Forms")
        if not value or _PLACEHOLDER_PLURALS.search(value):
            return None
        return _parsed_plural_forms(value)

    def header_text(self) -> str:
        """The header entry's msgstr: as read when the fields are unchanged, else rebuilt."""
        if self.header_raw is not None and parse_header(self.header_raw) == self.headers:
            return self.header_raw
        return "".join(f"{key}: {value}\n" for key, value in self.headers)


@lru_cache(maxsize=256)
def _parsed_plural_forms(value: str) -> plural_forms.PluralForms:
    """Parsing tries the expression on a thousand counts; a store's catalogues (or a project's,
    a thousand for Django) share a few dozen rules, so each is parsed once."""
    return plural_forms.parse(value)


def forget_plural_forms() -> None:
    _parsed_plural_forms.cache_clear()


def parse_header(text: str) -> list[tuple[str, str]]:
    fields = []
    for line in text.split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            fields.append((key.strip(), value.strip()))
    return fields


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector: reading and writing make many objects but no reference
    cycles, so it finds nothing and only costs time (a third of a parse)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
