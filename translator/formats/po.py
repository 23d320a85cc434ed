"""Read, write, update and compile gettext catalogues, strictly and deterministically.

`read` refuses anything GNU gettext would refuse, and more that would lose work (a duplicate entry,
a msgid without msgstr, a wrong number of plural forms), always naming the file and line. `write`
produces the same bytes as GNU msgcat for the same content (translate-toolkit's gettext-compatible
wrapping), so a catalogue never churns. `update` merges a template with msgmerge's semantics, and
`write_mo` compiles in linear time.
"""

from __future__ import annotations

import bisect
import gc
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache

from rapidfuzz import fuzz, process
from unicode_segmentation_rs import line_break_units

FUZZY_THRESHOLD = 60.0  # GNU msgmerge's FUZZY_THRESHOLD (0.6), on rapidfuzz's 0-100 scale
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
APPROVED = "approved"  # our flag for reviewed translations; GNU tools drop it, which only demotes

_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "?": "?",
    "'": "'",
}
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")
_WORD = re.compile(r"\w{3,}")
PAGE_WIDTH = 79
_NEEDS_ESCAPE = re.compile(r'[\\"\n\t\r\a\b\f\v]')
_AFTER_STOP = re.compile(r"(?<=[^\W\d_]\.)(?=[^\W\d_])")
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


class PoError(ValueError):
    """A catalogue that cannot be read, with the file and line where the problem is."""

    def __init__(self, filename: str, line: int, message: str) -> None:
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line
        self.message = message


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

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        forms = self.msgstr_plural if self.msgid_plural is not None else [self.msgstr]
        return bool(forms) and all(forms)


@dataclass
class Catalogue:
    """A PO or POT file: the header's fields, the comments above it, and the messages."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    header_comments: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def nplurals(self) -> int | None:
        match = re.search(r"nplurals\s*=\s*(\d+)", self.header("Plural-Forms") or "")
        return int(match.group(1)) if match else None


# Reading


def read(
    data: bytes,
    filename: str = "<po>",
    nplurals: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Catalogue:
    """Parse a PO file strictly. Raises PoError with the file and line of the first problem."""
    if len(data) > max_bytes:
        raise PoError(
            filename,
            0,
            f"file is {len(data) / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB",
        )
    text = _decode(data, filename)
    with _no_cycle_collection():
        catalogue = _Parser(filename).parse(text)
    _check_charset(catalogue, filename)
    _check_entries(catalogue, filename, nplurals or catalogue.nplurals())
    return catalogue


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector: reading and writing make many objects but no reference
    cycles, so it finds nothing and only costs time (a third of a parse)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _decode(data: bytes, filename: str) -> str:
    if data[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde"):
        raise PoError(filename, 1, "this is a compiled MO file, not a PO file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PoError(
            filename,
            line,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); convert the file to UTF-8",
        ) from None
    if "\x00" in text:
        raise PoError(
            filename,
            text[: text.index("\x00")].count("\n") + 1,
            "contains a NUL byte: this is not a text PO file",
        )
    return text


class _Parser:
    """A line-by-line state machine over one PO file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.catalogue = Catalogue()
        self.entry: Entry | None = None
        self.comments: list[tuple[str, str]] = []
        self.field: str | None = None  # the keyword whose string continues on the next line
        self.seen: set[str] = set()
        self.line = 0
        self.last_previous: str | None = None

    def error(self, message: str, line: int | None = None) -> PoError:
        return PoError(self.filename, self.line if line is None else line, message)

    def parse(self, text: str) -> Catalogue:
        for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
            self.line = number
            self.feed(raw.rstrip("\r"))
        self.finish()
        return self.catalogue

    def feed(self, raw: str) -> None:
        line = raw.strip()
        first = line[:1]
        if first == '"':  # the commonest line: a string continuing the last keyword's
            self.continuation(line)
            return
        if not first:
            self.field = None  # a blank line ends the strings of an entry
            return
        obsolete = False
        if line.startswith("#~"):
            obsolete, line = True, line[2:].strip()
            first = line[:1]
            if first == "|":
                self.comment("|", line[1:].strip())
                return
            if first == '"':
                self.continuation(line)
                return
            if not first:
                return
        if first == "#" and not obsolete:
            kind = line[1:2] if line[1:2] in (".", ":", ",", "|") else " "
            body = line[2:] if kind != " " else line[1:]
            self.comment(kind, body[1:] if body.startswith(" ") else body)
        else:
            self.keyword(line, obsolete)

    def comment(self, kind: str, body: str) -> None:
        if self.entry is not None and "msgstr" in self.seen:
            self.finish()
        self.comments.append((kind, body))

    def keyword(self, line: str, obsolete: bool) -> None:
        match = _KEYWORD.match(line)
        if not match:
            word = line.split()[0] if line.split() else line
            raise self.error(
                f"unexpected {word!r}: expected a comment, a keyword "
                "(msgctxt, msgid, msgid_plural, msgstr) or a quoted string"
            )
        keyword, index, rest = match.group(1), match.group(2), match.group(3)
        base = "msgstr" if keyword.startswith("msgstr") else keyword
        starts_entry = base in ("msgctxt", "msgid") and (
            self.entry is None or "msgstr" in self.seen or base in self.seen
        )
        if starts_entry:
            if self.entry is not None and "msgstr" not in self.seen:
                raise self.error("entry has a msgid but no msgstr", self.entry.line)
            self.finish()
            self.start(obsolete)
        if self.entry is None:
            raise self.error(f"{keyword} without a msgid before it")
        self.store(keyword, base, index, self.string(rest))

    def start(self, obsolete: bool) -> None:
        self.entry = Entry(msgid="", obsolete=obsolete, line=self.line)
        self.seen = set()
        previous: dict[str, str] = {}
        for kind, body in self.comments:
            self.attach(kind, body, previous)
        if previous:
            self.entry.previous_msgid = previous.get("msgid")
            self.entry.previous_msgctxt = previous.get("msgctxt")
        self.comments = []

    def attach(self, kind: str, body: str, previous: dict[str, str]) -> None:
        assert self.entry is not None
        if kind == ".":
            self.entry.extracted.append(body)
        elif kind == ":":
            self.entry.locations.extend(body.split())
        elif kind == ",":
            self.entry.flags.extend(f.strip() for f in body.split(",") if f.strip())
        elif kind == "|":
            self.previous(body, previous)
        else:
            self.entry.comments.append(body)

    def previous(self, body: str, previous: dict[str, str]) -> None:
        match = _KEYWORD.match(body)
        if match and match.group(1) in ("msgid", "msgctxt", "msgid_plural"):
            self.last_previous = match.group(1)
            previous[match.group(1)] = self.string(match.group(3))
        elif body.startswith('"') and self.last_previous in previous:
            previous[self.last_previous] += self.string(body)

    def store(self, keyword: str, base: str, index: str | None, value: str) -> None:
        assert self.entry is not None
        if keyword in self.seen:
            hint = " (is the msgid of a new entry missing?)" if base == "msgstr" else ""
            raise self.error(f"{keyword} appears twice in one entry{hint}")
        if base == "msgstr" and "msgid" not in self.seen:
            raise self.error(f"{keyword} without a msgid before it")
        if keyword == "msgid_plural" and "msgid" not in self.seen:
            raise self.error("msgid_plural without a msgid before it")
        self.seen.add(keyword)
        self.seen.add(base)
        if keyword == "msgctxt":
            self.entry.msgctxt = value
        elif keyword == "msgid":
            self.entry.msgid = value
        elif keyword == "msgid_plural":
            self.entry.msgid_plural = value
        elif index is None:
            self.entry.msgstr = value
            self.seen.add("msgstr-singular")
        else:
            self.plural(int(index), value)
        self.field = keyword

    def plural(self, index: int, value: str) -> None:
        assert self.entry is not None
        if index != len(self.entry.msgstr_plural):
            raise self.error(
                f"msgstr[{index}] out of order: expected msgstr[{len(self.entry.msgstr_plural)}]"
            )
        self.entry.msgstr_plural.append(value)

    def continuation(self, line: str) -> None:
        if self.entry is None or self.field is None:
            raise self.error("a quoted string with no keyword before it (after a blank line?)")
        value = self.string(line)
        entry, keyword = self.entry, self.field
        if keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif keyword == "msgid":
            entry.msgid += value
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif keyword == "msgstr":
            entry.msgstr += value
        else:
            entry.msgstr_plural[-1] += value

    def string(self, text: str) -> str:
        text = text.strip()
        inner = text[1:-1]
        if len(text) > 1 and text[0] == text[-1] == '"' and '"' not in inner and "\\" not in inner:
            return inner  # no escapes: the common case, without a regular expression
        match = _STRING.match(text)
        if not match:
            if text.startswith('"'):
                raise self.error("unterminated string: a closing quote is missing")
            raise self.error(f"expected a quoted string, found {text[:40]!r}")
        return _ESCAPE.sub(self.unescape, match.group(1))

    def unescape(self, match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise self.error(f"unknown escape sequence '\\{char}'")
        return _ESCAPES[char]

    def finish(self) -> None:
        entry = self.entry
        if entry is None:
            return
        if "msgstr" not in self.seen:
            raise self.error("entry has a msgid but no msgstr", entry.line)
        if entry.msgid_plural is not None and "msgstr-singular" in self.seen:
            raise self.error("entry with msgid_plural needs msgstr[0], msgstr[1], ...", entry.line)
        if entry.msgid_plural is None and entry.msgstr_plural:
            raise self.error("msgstr[n] without a msgid_plural", entry.line)
        self.entry, self.field, self.seen = None, None, set()
        if entry.msgid == "" and entry.msgctxt is None and not entry.obsolete:
            self.header(entry)
        else:
            self.catalogue.entries.append(entry)

    def header(self, entry: Entry) -> None:
        if self.catalogue.headers or self.catalogue.entries:
            raise self.error("a second header entry (empty msgid)", entry.line)
        self.catalogue.header_comments = entry.comments
        self.catalogue.headers = _parse_header(entry.msgstr)


def _parse_header(text: str) -> list[tuple[str, str]]:
    fields = []
    for line in text.split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            fields.append((key.strip(), value.strip()))
    return fields


def _check_charset(catalogue: Catalogue, filename: str) -> None:
    content_type = catalogue.header("Content-Type") or ""
    match = re.search(r"charset=([\w.-]+)", content_type)
    if match and match.group(1).upper().replace("_", "-") not in (
        "UTF-8",
        "CHARSET",
        "ASCII",
        "US-ASCII",
    ):
        raise PoError(
            filename,
            1,
            f"charset {match.group(1)}: convert the file to UTF-8 (msgconv --to-code=UTF-8)",
        )


def _check_entries(catalogue: Catalogue, filename: str, nplurals: int | None) -> None:
    seen: dict[tuple[str | None, str], int] = {}
    for entry in catalogue.entries:
        if entry.obsolete:
            continue
        if entry.key in seen:
            raise PoError(
                filename,
                entry.line,
                f"duplicate entry for msgid {entry.msgid[:40]!r} (first at line {seen[entry.key]})",
            )
        seen[entry.key] = entry.line
        if (
            nplurals is not None
            and entry.msgid_plural is not None
            and len(entry.msgstr_plural) != nplurals
        ):
            raise PoError(
                filename,
                entry.line,
                f"{len(entry.msgstr_plural)} plural forms, but the language has {nplurals}",
            )


# Writing


def write(catalogue: Catalogue) -> str:
    """Serialise a catalogue as GNU msgcat would, wrapped at 79 columns."""
    with _no_cycle_collection():
        parts = [_write_header(catalogue)]
        parts.extend(_write_entry(entry) for entry in catalogue.entries)
        return "\n".join(parts)


def _write_header(catalogue: Catalogue) -> str:
    lines = [f"# {c}" if c else "#" for c in catalogue.header_comments]
    lines.append('msgid ""')
    lines.extend(_field("", "msgstr", _header_bytes(catalogue).decode()))
    return "\n".join(lines) + "\n"


def _write_entry(entry: Entry) -> str:
    lines = [f"# {c}" if c else "#" for c in entry.comments]
    lines.extend(f"#. {c}" if c else "#." for c in entry.extracted)
    lines.extend(_wrap_locations(entry.locations))
    if entry.flags:
        lines.append("#, " + ", ".join(entry.flags))
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt is not None:
        lines.extend(_field(previous, "msgctxt", entry.previous_msgctxt))
    if entry.previous_msgid is not None:
        lines.extend(_field(previous, "msgid", entry.previous_msgid))
    if entry.msgctxt is not None:
        lines.extend(_field(prefix, "msgctxt", entry.msgctxt))
    lines.extend(_field(prefix, "msgid", entry.msgid))
    if entry.msgid_plural is not None:
        lines.extend(_field(prefix, "msgid_plural", entry.msgid_plural))
        for index, form in enumerate(entry.msgstr_plural):
            lines.extend(_field(prefix, f"msgstr[{index}]", form))
    else:
        lines.extend(_field(prefix, "msgstr", entry.msgstr))
    return "\n".join(lines) + "\n"


def _field(prefix: str, keyword: str, value: str) -> tuple[str, ...]:
    """A keyword and its string, wrapped as GNU gettext does (write-po.c).

    A template and its six catalogues repeat every msgid, and a store writes them together, so
    msgids are wrapped once and remembered; translations are not repeated, so they are not.

    The string goes on the keyword's line when it fits in 79 columns and has no newline before its
    end; otherwise the keyword gets "" and the string follows, split after each newline and wrapped
    at Unicode line-break opportunities (UAX #14: never before '?', '!', ':', ';' or ')'). A string
    with nowhere to break stays on the keyword's line, however long.
    """
    if keyword in ("msgid", "msgid_plural"):
        return _shared_field(prefix, keyword, value)
    return _wrapped_field(prefix, keyword, value)


@lru_cache(maxsize=1 << 17)
def _shared_field(prefix: str, keyword: str, value: str) -> tuple[str, ...]:
    return _wrapped_field(prefix, keyword, value)


def _wrapped_field(prefix: str, keyword: str, value: str) -> tuple[str, ...]:
    head = f"{prefix}{keyword} "
    escaped = _escape(value)
    inner_newline = "\n" in value[:-1]
    first_width = PAGE_WIDTH - _width(head) - 2
    if not inner_newline and (
        _width(escaped) <= first_width or len(_wrap(value, first_width)) == 1
    ):  # nowhere to break
        return (f'{head}"{escaped}"',)
    width = PAGE_WIDTH - _width(prefix) - 2
    lines = [f'{head}""']
    for portion in _portions(value):
        lines.extend(f'{prefix}"{line}"' for line in _wrap(portion, width))
    return tuple(lines)


def _portions(value: str) -> list[str]:
    parts = value.split("\n")
    portions = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        portions.append(parts[-1])
    return portions


def _wrap(text: str, width: int) -> list[str]:
    """Greedy filling of UAX #14 units, measured escaped, as libunistring's linebreaking does."""
    units = _break_units(text)
    if _NEEDS_ESCAPE.search(text):
        units = [_escape(unit) for unit in units]
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for unit in units:
        size = _width(unit)
        if current and used + size > width:
            lines.append("".join(current))
            current, used = [], 0
        current.append(unit)
        used += size
    if current or not lines:
        lines.append("".join(current))
    return lines


def _break_units(text: str) -> list[str]:
    """UAX #14 units, adjusted to the older rules of GNU's libunistring: a break may follow a full
    stop before a letter ("www." / "instagram"), and none follows a tab."""
    units: list[str] = line_break_units(text)
    if "." in text:
        units = [piece for unit in units for piece in _AFTER_STOP.split(unit) if piece]
    if "\t" in text:
        merged: list[str] = []
        for unit in units:
            if merged and merged[-1].endswith("\t"):
                merged[-1] += unit
            else:
                merged.append(unit)
        units = merged
    return units


@lru_cache(maxsize=1 << 18)
def _width(text: str) -> int:
    """Columns as libunistring counts them: code point by code point (a lam-alef is two).

    Cached: the same words and break units come back again and again in a catalogue.
    """
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


@cache
def _char_width(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _escape(text: str) -> str:
    return text.translate(_WRITE_ESCAPES)


def _wrap_locations(locations: Sequence[str]) -> list[str]:
    """Location comments as msgcat writes them: as many as fit in 79 columns per line."""
    lines: list[str] = []
    current = "#:"
    for location in locations:
        if current != "#:" and len(current) + 1 + len(location) > 79:
            lines.append(current)
            current = "#:"
        current += " " + location
    if current != "#:":
        lines.append(current)
    return lines


def clear_caches() -> None:
    """Forget cached wrapping (for benchmarks that must start cold)."""
    _shared_field.cache_clear()
    _width.cache_clear()


# Compiling


def write_mo(catalogue: Catalogue) -> bytes:
    """Compile to a GNU MO file (little-endian, no hash table): translated, non-fuzzy entries only.

    Built from a list of parts joined once, so the time grows linearly with the catalogue.
    """
    pairs = [(b"", _header_bytes(catalogue))]
    for entry in catalogue.entries:
        if entry.obsolete or entry.fuzzy or not entry.translated:
            continue
        pairs.append((_mo_key(entry), _mo_value(entry)))
    pairs.sort(key=lambda pair: pair[0])
    count = len(pairs)
    originals_at = 28
    translations_at = originals_at + 8 * count
    data_at = translations_at + 8 * count
    index: list[bytes] = []
    blobs: list[bytes] = []
    offset = data_at
    for column in (0, 1):
        for pair in pairs:
            index.append(struct.pack("<II", len(pair[column]), offset))
            blobs.append(pair[column] + b"\0")
            offset += len(pair[column]) + 1
    header = struct.pack("<7I", 0x950412DE, 0, count, originals_at, translations_at, 0, data_at)
    return b"".join([header, *index, *blobs])


def _header_bytes(catalogue: Catalogue) -> bytes:
    return "".join(f"{key}: {value}\n" for key, value in catalogue.headers).encode()


def _mo_key(entry: Entry) -> bytes:
    msgid = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\0{entry.msgid_plural}"
    return (msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{msgid}").encode()


def _mo_value(entry: Entry) -> bytes:
    return (
        "\0".join(entry.msgstr_plural) if entry.msgid_plural is not None else entry.msgstr
    ).encode()


# Updating


class FuzzyIndex:
    """Finds, for a changed English string, the most similar known string, as msgmerge would.

    Similarity is rapidfuzz's normalised Indel ratio, the measure GNU gettext's fstrcmp computes
    (2 x common characters / total length); a match needs 0.6, msgmerge's threshold. Instead of
    comparing each query with every candidate (msgmerge's quadratic search), candidates come from
    an inverted index of their rarer words, plus the strings the caller says were just removed. A
    short query shares few words with anything, so it is compared with every candidate short enough
    to reach 0.6 (at most 7/3 of its length): few, and cheap to compare.
    """

    SHORT = 60

    def __init__(self, candidates: Iterable[str], probe_words: int = 8, max_postings: int = 400):
        self.candidates = list(dict.fromkeys(candidates))
        self.probe_words = probe_words
        self.max_postings = max_postings
        self.postings: dict[str, list[int]] = {}
        for number, text in enumerate(self.candidates):
            for word in set(_WORD.findall(text.lower())):
                self.postings.setdefault(word, []).append(number)
        self.number = {text: n for n, text in enumerate(self.candidates)}
        self.by_length = sorted(self.candidates, key=len)
        self.lengths = [len(text) for text in self.by_length]

    def best(self, query: str, also: Sequence[str] = ()) -> str | None:
        """The most similar candidate (or string in `also`) scoring at least 0.6, or None.

        Of equally similar ones, the first in the catalogue wins, as in msgmerge.
        """
        words = sorted(
            set(_WORD.findall(query.lower())), key=lambda w: (len(self.postings.get(w, ())), w)
        )
        chosen: set[int] = set()
        for word in words[: self.probe_words]:
            posting = self.postings.get(word, [])
            if len(posting) <= self.max_postings:
                chosen.update(posting)
        pools: list[Sequence[str]] = [[self.candidates[n] for n in chosen], also]
        if len(query) <= self.SHORT:
            pools.append(self.by_length[: bisect.bisect_right(self.lengths, len(query) * 7 // 3)])
        found = [
            match
            for pool in pools
            if pool
            for match in process.extract(
                query, pool, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
            )
        ]
        if not found:
            return None
        top = max(score for _, score, _ in found)
        return min(
            (text for text, score, _ in found if score == top),
            key=lambda text: self.number.get(text, len(self.number)),
        )


def update(catalogue: Catalogue, template: Catalogue) -> Catalogue:
    """Merge a new template into a catalogue with msgmerge --previous semantics.

    Unchanged messages keep their translation; a new message similar to an old translated one gets
    that translation marked fuzzy with the old msgid as previous; old messages no longer in the
    template become obsolete when they had a translation and are dropped when they had none.
    """
    old = {entry.key: entry for entry in catalogue.entries}
    translated = [e.msgid for e in catalogue.entries if e.translated and e.msgctxt is None]
    index: FuzzyIndex | None = None
    wanted = {entry.key for entry in template.entries}
    removed = [e.msgid for e in catalogue.entries if e.translated and e.key not in wanted]
    used: set[tuple[str | None, str]] = set()
    entries: list[Entry] = []
    for new in template.entries:
        previous = old.get(new.key)
        if previous is not None and not previous.obsolete:
            entries.append(_merged(new, previous, fuzzy_from=None))
            used.add(new.key)
            continue
        if previous is not None:  # an obsolete message comes back as it was
            entries.append(_merged(new, previous, fuzzy_from=None))
            used.add(new.key)
            continue
        index = index or FuzzyIndex(translated)
        match = index.best(new.msgid, removed) if new.msgctxt is None else None
        if match is not None:
            entries.append(_merged(new, old[(None, match)], fuzzy_from=match))
            used.add((None, match))
        else:
            entries.append(_merged(new, None, fuzzy_from=None))
    for entry in catalogue.entries:
        if entry.key not in used and entry.translated:
            entries.append(_obsolete(entry))
    return Catalogue(list(catalogue.headers), list(catalogue.header_comments), entries)


def _merged(new: Entry, old: Entry | None, fuzzy_from: str | None) -> Entry:
    entry = Entry(
        msgid=new.msgid,
        msgctxt=new.msgctxt,
        msgid_plural=new.msgid_plural,
        locations=list(new.locations),
        extracted=list(new.extracted),
        flags=[f for f in new.flags if f != "fuzzy"],
    )
    if old is None:
        entry.msgstr_plural = ["", ""] if new.msgid_plural is not None else []
        return entry
    entry.msgstr, entry.msgstr_plural = old.msgstr, list(old.msgstr_plural)
    entry.comments = list(old.comments)
    entry.flags = [f for f in old.flags if f not in ("fuzzy", APPROVED)] + entry.flags
    if fuzzy_from is not None or old.fuzzy:
        entry.flags.insert(0, "fuzzy")
        entry.previous_msgid = fuzzy_from if fuzzy_from is not None else old.previous_msgid
    elif APPROVED in old.flags:
        entry.flags.append(APPROVED)
    return entry


def _obsolete(entry: Entry) -> Entry:
    return Entry(
        msgid=entry.msgid,
        msgstr=entry.msgstr,
        msgctxt=entry.msgctxt,
        msgid_plural=entry.msgid_plural,
        msgstr_plural=list(entry.msgstr_plural),
        flags=list(entry.flags),
        comments=list(entry.comments),
        obsolete=True,
        previous_msgid=entry.previous_msgid,
    )
