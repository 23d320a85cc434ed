"""Write a catalogue as GNU `msgcat` writes it (write-po.c): its order of entries and flags and
its line wrapping, byte for byte, so that a catalogue never churns."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import accumulate

from unicode_segmentation_rs import line_break_units

from translator.formats import format_strings
from translator.formats.catalogue import (
    APPROVED,
    DEFAULT_DOMAIN,
    Catalogue,
    Entry,
    no_cycle_collection,
)

PAGE_WIDTH = 79
_NEEDS_ESCAPE = re.compile(r'[\\"\n\t\r\a\b\f\v]')
# Infix separators (UAX #14 class IS). libunistring's older rules break after one before a letter
# ("HH:" / "MM", "ss[." / "uuuuuu" in Django's catalogues), which Unicode's LB29 now forbids.
_INFIX = ".,:;\u037e\u0589\u060c\u060d\u07f8\u2044\ufe10\ufe13\ufe14"
# A separator followed by something that could be a letter (not a space, not an ASCII digit):
# only a unit with one can need splitting after it.
_INFIX_BEFORE = re.compile(f"[{_INFIX}](?=[^\\s0-9])")
_AFTER_INFIX = re.compile(f"(?<=[{_INFIX}])")
# Where libunistring's widths differ from Unicode's categories today: Hangul vowel and final
# jamo join the syllable before them (width 0); a few vowel signs that were spacing marks when
# its tables were made still count one column.
_JAMO = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF))
_SPACING_SIGNS = frozenset("\u0cbf\u0cc6\U00011a07\U00011a08\U00011c3f")
_WRITE_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        '"': '\\"',
        "\n": "\\n",
        "\t": "\\t",
        "\r": "\\r",
        "\a": "\\a",
        "\b": "\\b",
        "\f": "\\f",
        "\v": "\\v",
    }
)
# GNU's order of format flags (gettext-tools/src/message.c, format_language[]).
FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript", "scheme",
    "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "object-pascal", "smalltalk", "qt",
    "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace", "php", "gcc-internal",
    "gfc-internal", "ycp",
)  # fmt: skip
_FLAG_RANK = {"fuzzy": 0} | {
    flag: 1 + rank
    for rank, language in enumerate(FORMAT_LANGUAGES)
    for flag in (f"{language}-format", f"no-{language}-format")
}
_LATE_FLAGS = {"wrap": 1000, "no-wrap": 1000, APPROVED: 2000}
_FLAG_KIND = {"fuzzy": "fuzzy", "wrap": "wrap", "no-wrap": "wrap", APPROVED: APPROVED} | {
    flag: language
    for language in FORMAT_LANGUAGES
    for flag in (
        f"{language}-format",
        f"no-{language}-format",
        f"possible-{language}-format",
        f"impossible-{language}-format",
    )
}
# How msgcat writes what it read: a possible format as the format, an impossible one and `wrap`
# (the default) not at all.
_FLAG_WRITTEN = {"wrap": ""} | {
    flag: written
    for language in FORMAT_LANGUAGES
    for flag, written in (
        (f"possible-{language}-format", f"{language}-format"),
        (f"impossible-{language}-format", ""),
    )
}


def write(catalogue: Catalogue) -> str:
    """Serialise a catalogue as GNU msgcat would: the header first, then each domain's messages
    with its obsolete ones last (those without a translation left out), wrapped at 79 columns."""
    with no_cycle_collection():
        groups: dict[str | None, list[Entry]] = {catalogue.domain: []}
        for entry in catalogue.entries:
            groups.setdefault(entry.domain or catalogue.domain, []).append(entry)
        parts: list[str] = []
        for number, (domain, entries) in enumerate(groups.items()):
            if number > 0 and not entries:
                continue
            if number > 0 or domain is not None:
                parts.append(f'domain "{_escape(domain or DEFAULT_DOMAIN)}"\n')
            if number == 0 and catalogue.has_header:
                parts.append(_write_entry(_header_entry(catalogue)))
            parts.extend(_write_entry(entry) for entry in entries if not entry.obsolete)
            parts.extend(_write_entry(e) for e in entries if e.obsolete and e.first_form)
        if not any(not e.obsolete or e.first_form for e in catalogue.entries):
            return ""  # GNU writes no file for a catalogue with no messages (without --force-po)
        return "\n".join(parts)


def _header_entry(catalogue: Catalogue) -> Entry:
    return Entry(
        msgid="",
        msgstr=catalogue.header_text(),
        comments=catalogue.header_comments,
        extracted=catalogue.header_extracted,
        flags=catalogue.header_flags,
        locations=catalogue.header_locations,
        previous_msgctxt=catalogue.header_previous[0],
        previous_msgid=catalogue.header_previous[1],
        previous_msgid_plural=catalogue.header_previous[2],
    )


def _write_entry(entry: Entry) -> str:
    lines = [f"# {c}" if c else "#" for c in entry.comments]
    lines.extend(f"#. {c}" if c else "#." for c in entry.extracted)
    lines.extend(_wrap_locations(entry.locations))
    flags = entry.flags
    if "fuzzy" in flags and not entry.first_form and entry.msgid:
        flags = [flag for flag in flags if flag != "fuzzy"]  # GNU: nothing there to be fuzzy
    written = ordered_flags(flags) if flags else []
    if written:
        lines.append("#, " + ", ".join(written))
    wrap = "no-wrap" not in written
    # GNU never breaks a line inside a directive of the first format the message may be of
    format = next((flag[:-7] for flag in written if _FORMAT_FLAG.fullmatch(flag)), None)
    style = (wrap, format if format in format_strings.LANGUAGES else None)
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt is not None:
        lines.extend(_field(previous, "msgctxt", entry.previous_msgctxt, style))
    if entry.previous_msgid is not None:
        lines.extend(_field(previous, "msgid", entry.previous_msgid, style))
    if entry.previous_msgid_plural is not None:
        lines.extend(_field(previous, "msgid_plural", entry.previous_msgid_plural, style))
    if entry.msgctxt is not None:
        lines.extend(_field(prefix, "msgctxt", entry.msgctxt, style))
    lines.extend(_field(prefix, "msgid", entry.msgid, style))
    if entry.msgid_plural is not None:
        lines.extend(_field(prefix, "msgid_plural", entry.msgid_plural, style))
        for index, form in enumerate(entry.msgstr_plural):
            lines.extend(_field(prefix, f"msgstr[{index}]", form, style))
    else:
        lines.extend(_field(prefix, "msgstr", entry.msgstr, style))
    return "\n".join(lines) + "\n"


_FORMAT_FLAG = re.compile(r"(?!no-)[a-z-]+-format")
_Style = tuple[bool, str | None]  # whether to wrap, and the format whose directives stay whole


def ordered_flags(flags: Sequence[str]) -> list[str]:
    """Flags as GNU writes them: once each, the last of a kind counting (`c-format` or
    `no-c-format`, one `range:`), in its order (fuzzy, format flags, range, wrapping), and only
    those it knows; our own `approved` is kept, last."""
    last: dict[str, str] = {}
    for flag in flags:
        kind = "range" if flag.startswith("range:") else _FLAG_KIND.get(flag)
        if kind is not None:
            last[kind] = _FLAG_WRITTEN.get(flag, flag)
    return sorted(
        (flag for flag in last.values() if flag),
        key=lambda flag: _FLAG_RANK[flag] if flag in _FLAG_RANK else _late_rank(flag),
    )


def _late_rank(flag: str) -> int:
    if flag.startswith("range:"):
        return 999
    return _LATE_FLAGS[flag]


def _field(prefix: str, keyword: str, value: str, style: _Style = (True, None)) -> tuple[str, ...]:
    """A keyword and its string, wrapped as GNU gettext does (write-po.c).

    A template and its six catalogues repeat every msgid, and a store writes them together, so
    msgids are wrapped once and remembered; translations are not repeated, so they are not.

    The string goes on the keyword's line when it fits in 79 columns and has no newline before its
    end; otherwise the keyword gets "" and the string follows, split after each newline and wrapped
    at Unicode line-break opportunities (UAX #14: never before '?', '!', ':', ';' or ')'), but
    never inside a directive of the message's format (`%.*s`, `% d`, `%(name) s`). A string
    with nowhere to break stays on the keyword's line, however long. With the `no-wrap` flag the
    string is split only after its newlines.
    """
    if keyword in ("msgid", "msgid_plural"):
        return _shared_field(prefix, keyword, value, style)
    return _wrapped_field(prefix, keyword, value, style)


@lru_cache(maxsize=1 << 17)
def _shared_field(prefix: str, keyword: str, value: str, style: _Style) -> tuple[str, ...]:
    return _wrapped_field(prefix, keyword, value, style)


def _wrapped_field(prefix: str, keyword: str, value: str, style: _Style) -> tuple[str, ...]:
    wrap, format = style
    head = f"{prefix}{keyword} "
    escaped = _escape(value)
    inner_newline = "\n" in value[:-1]
    units: list[str] = []
    if not inner_newline and (not wrap or _width(escaped) <= PAGE_WIDTH - _width(head) - 2):
        return (f'{head}"{escaped}"',)
    spans = _directives(format, value, keyword.startswith("msgstr")) if wrap else ()
    if not inner_newline:
        units = _kept_whole(_units(value), value, 0, spans) if spans else _units(value)
        if len(units) == 1:  # nowhere to break
            return (f'{head}"{escaped}"',)
    width = PAGE_WIDTH - _width(prefix) - 2
    lines = [f'{head}""']
    if units:  # the value is one portion, its units already found
        lines.extend(f'{prefix}"{line}"' for line in _fill(units, width, value.isascii()))
        return tuple(lines)
    start = 0
    for portion in _portions(value):
        if wrap:
            portion_units = _units(portion)
            if spans:
                portion_units = _kept_whole(portion_units, portion, start, spans)
            lines.extend(
                f'{prefix}"{line}"' for line in _fill(portion_units, width, portion.isascii())
            )
        else:
            lines.append(f'{prefix}"{_escape(portion)}"')
        start += len(portion)
    return tuple(lines)


def _directives(format: str | None, value: str, translated: bool) -> tuple[tuple[int, int], ...]:
    if format is None or "%" not in value:
        return ()
    return format_strings.parse(format, value, translated=translated).spans


def _kept_whole(
    units: list[str], text: str, start: int, spans: Sequence[tuple[int, int]]
) -> list[str]:
    """The units of a portion of the value (beginning at `start`), joined where a line would
    otherwise break inside a format directive (after its first character)."""
    inside = {
        at - start
        for first, end in spans
        for at in range(max(first + 1, start + 1), min(end, start + len(text)))
    }
    if not inside:
        return units
    if _NEEDS_ESCAPE.search(text):
        escaped_at = list(accumulate((2 if char in _ESCAPED else 1 for char in text), initial=0))
        inside = {escaped_at[at] for at in inside}
    kept: list[str] = []
    position = 0
    for unit in units:
        if kept and position in inside:
            kept[-1] += unit
        else:
            kept.append(unit)
        position += len(unit)
    return kept


_ESCAPED = frozenset('\\"\n\t\r\a\b\f\v')


def _portions(value: str) -> list[str]:
    parts = value.split("\n")
    portions = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        portions.append(parts[-1])
    return portions


def _units(text: str) -> list[str]:
    """The escaped text's units, between which a line may break."""
    units = _break_units(_escape(text))
    if len(units) > 1 and units[-1] == "\\n":  # GNU never breaks just before the final \n
        units[-2:] = [units[-2] + units[-1]]
    return units


def _fill(units: list[str], width: int, ascii_only: bool) -> list[str]:
    """As many units on each line as fit in `width` columns (at least one): where each line ends
    is found by bisecting the running widths, not by walking every unit."""
    if not units:
        return [""]
    ends = list(accumulate(map(len, units) if ascii_only else map(_width, units), initial=0))
    lines: list[str] = []
    start = 0
    while start < len(units):
        end = max(bisect_right(ends, ends[start] + width) - 1, start + 1)
        lines.append("".join(units[start:end]))
        start = end
    return lines


def _break_units(text: str) -> list[str]:
    """UAX #14 units, adjusted to the older rules of GNU's libunistring: a break may follow a full
    stop before a letter ("www." / "instagram")."""
    units: list[str] = line_break_units(text)
    if _INFIX_BEFORE.search(text):
        units = [
            piece
            for unit in units
            for piece in (_split_after_infix(unit) if _INFIX_BEFORE.search(unit) else (unit,))
        ]
    if "\\" in text:  # never break inside an escape sequence
        units = _join_escapes(units)
    if len(units) > 1 and units[0].isspace():  # libunistring: no break after leading spaces
        units[:2] = [units[0] + units[1]]
    return units


def _split_after_infix(unit: str) -> list[str]:
    """A unit split after each infix separator that is followed by a letter."""
    pieces: list[str] = []
    start = 0
    for match in _AFTER_INFIX.finditer(unit, 1, len(unit) - 1):
        at = match.start()
        if _letter(unit[at]):
            pieces.append(unit[start:at])
            start = at
    pieces.append(unit[start:])
    return pieces


@cache
def _letter(char: str) -> bool:
    """Of UAX #14 class AL or HL: Unicode breaks after a solidus (class SY) before an AL, as
    libunistring did after an infix separator; Hebrew letters (HL) are named."""
    return len(line_break_units("/" + char)) == 2 or unicodedata.name(char, "").startswith(
        "HEBREW LETTER"
    )


def _join_escapes(units: list[str]) -> list[str]:
    joined: list[str] = []
    escaping = False
    for unit in units:
        if escaping:
            joined[-1] += unit
        else:
            joined.append(unit)
        trailing = len(joined[-1]) - len(joined[-1].rstrip("\\"))
        escaping = trailing % 2 == 1
    return joined


@lru_cache(maxsize=1 << 18)
def _width(text: str) -> int:
    """Columns as libunistring counts them: code point by code point (a lam-alef is two).

    Cached: the same words and break units come back again and again in a catalogue.
    """
    if text.isascii():
        return len(text)
    if _ASTRAL.search(text):
        return sum(map(_char_width, text))
    zero, wide = _width_classes()
    return len(text) - len(zero.findall(text)) + len(wide.findall(text))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _width_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The characters of the Basic Multilingual Plane that take no column and those that take
    two, as `_char_width` counts them, as two patterns: a Farsi text's width is then counted by
    two searches, not character by character. Made once, on the first text that needs it."""
    zero: list[int] = []
    wide: list[int] = []
    for code in range(0x80, 0x10000):
        if not 0xD800 <= code < 0xE000:
            width = _char_width(chr(code))
            if width != 1:
                (zero if width == 0 else wide).append(code)
    return re.compile(_char_class(zero)), re.compile(_char_class(wide))


def _char_class(codes: list[int]) -> str:
    """A pattern matching any of `codes` (ascending), as ranges."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]"


@cache
def _char_width(char: str) -> int:
    if char in _SPACING_SIGNS:
        return 1
    if unicodedata.category(char) in ("Mn", "Me", "Cf") or _jamo(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _jamo(char: str) -> bool:
    return any(first <= ord(char) <= last for first, last in _JAMO)


def _escape(text: str) -> str:
    return text.translate(_WRITE_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def _wrap_locations(locations: Sequence[str]) -> list[str]:
    """Location comments as msgcat writes them: each once, without a leading `./`, a file name
    with a space between U+2068 and U+2069 (as GNU 0.22 and later write it), as many as fit in
    79 columns per line, counted in bytes and without those two characters, as GNU counts."""
    lines: list[str] = []
    current, column = "#:", 2
    for location in dict.fromkeys(locations):
        written, width = _location(location)
        if column > 2 and column + width > PAGE_WIDTH:
            lines.append(current)
            current, column = "#:", 2
        current += " " + written
        column += width
    if column > 2:
        lines.append(current)
    return lines


def _location(location: str) -> tuple[str, int]:
    """A location as written, and the columns GNU counts for it (with the space before it)."""
    if location.isascii() and " " not in location and "\t" not in location and "./" not in location:
        return location, len(location) + 1
    found = _LINE_NUMBER.search(location)
    name, line = (location[: found.start()], found.group()) if found else (location, "")
    while name.startswith("./"):
        name = name[2:]
    width = len(name.encode()) + len(line) + 1
    if " " in name or "\t" in name:
        name = f"\u2068{name}\u2069"
    return name + line, width


_LINE_NUMBER = re.compile(r"(?<=.):[0-9]+$", re.S)


def prepare() -> None:
    """Make now the tables that the first text outside ASCII needs (a fifth of a second): before
    forking, so that the forks share them rather than each making its own."""
    _width_classes()


def clear_caches() -> None:
    """Forget cached wrapping (for benchmarks that must start cold)."""
    _shared_field.cache_clear()
    _width.cache_clear()
