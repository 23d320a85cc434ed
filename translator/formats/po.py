"""Read and write gettext PO files as GNU gettext does, and check one strictly before import.

`read` accepts what GNU gettext's reader accepts (any declared charset, converted to UTF-8 as
`msgconv` would; every escape; CRLF, CR-only and BOM; `domain` lines; several keywords and strings
on one line, or a keyword's string on the next; previous `#|` fields; locations as GNU parses
them) and refuses, with file and line, what `msgfmt --check` refuses and more that would lose
work: a duplicate entry, a msgid without msgstr, a keyword without its string, translated plural
forms that do not match the file's own `Plural-Forms`, a `Plural-Forms` that is not a gettext
expression.
`write` produces the bytes GNU `msgcat` writes for the same content (its wrapping, its order of
flags, obsolete entries last, never a line broken inside a format directive), so a catalogue never
churns. `check_translation` adds the checks a translator's file must pass before the desk takes
anything from it, among them msgfmt --check's format checks (`format_strings`).

Shaped like Babel's `babel/messages`: the catalogue model (`catalogue.py`), the reader
(`po_reader.py`), the writer (`po_writer.py`) and the import checks (`po_checks.py`) are modules of
their own; this one gives them their public names, so that callers import `formats.po` only.
"""

from translator.formats import catalogue, po_writer
from translator.formats.catalogue import (
    APPROVED,
    DEFAULT_DOMAIN,
    Catalogue,
    Entry,
    PoError,
    parse_header,
)
from translator.formats.po_checks import check_translation
from translator.formats.po_reader import DEFAULT_MAX_BYTES, read
from translator.formats.po_writer import (
    FORMAT_LANGUAGES,
    PAGE_WIDTH,
    ordered_flags,
    prepare,
    write,
)

__all__ = [
    "APPROVED",
    "DEFAULT_DOMAIN",
    "DEFAULT_MAX_BYTES",
    "FORMAT_LANGUAGES",
    "PAGE_WIDTH",
    "Catalogue",
    "Entry",
    "PoError",
    "check_translation",
    "clear_caches",
    "ordered_flags",
    "parse_header",
    "prepare",
    "read",
    "write",
]


def clear_caches() -> None:
    """Forget what reading and writing remember (for benchmarks that must start cold)."""
    po_writer.clear_caches()
    catalogue.forget_plural_forms()
