"""Read and write gettext PO files as GNU gettext does, and check one strictly before import.

`read` accepts what GNU gettext's reader accepts (any declared charset, converted to UTF-8 as
`msgconv` would; every escape; CRLF, CR-only and BOM; `domain` lines; several keywords and strings
on one line; previous `#|` fields) and refuses, with file and line, what `msgfmt --check` refuses
and more that would lose work: a duplicate entry, a msgid without msgstr, plural forms that do not
match the file's own `Plural-Forms`, a `Plural-Forms` that is not a gettext expression.
`write` produces the bytes GNU `msgcat` writes for the same content (its wrapping, its order of
flags, obsolete entries last), so a catalogue never churns. `check_translation` adds the checks a
translator's file must pass before the desk takes anything from it.
"""

from __future__ import annotations

import codecs
import gc
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache

from unicode_segmentation_rs import line_break_units

from translator.formats import plural_forms

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
APPROVED = "approved"  # our flag for reviewed translations; GNU tools drop it, which only demotes
DEFAULT_DOMAIN = "messages"

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
_STRING = re.compile(r'\s*"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)", re.S)
_KEYWORD = re.compile(r"(domain|msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)(?![\w\[])\s*(.*)$")
_CHARSET = re.compile(rb"charset=([A-Za-z0-9._:-]+)")
_PLACEHOLDER_PLURALS = re.compile(r"nplurals\s*=\s*INTEGER|plural\s*=\s*EXPRESSION")
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
_LATE_FLAGS = {"wrap": 1000, "no-wrap": 1000}
_FLAG_KIND = {"wrap": "wrap", "no-wrap": "wrap"} | {
    flag: language
    for language in FORMAT_LANGUAGES
    for flag in (f"{language}-format", f"no-{language}-format")
}


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
    previous_msgid_plural: str | None = None
    domain: str | None = None  # None: the catalogue's first domain (usually "messages")

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
    """A PO or POT file: the header's fields, the comments above it, and the messages.

    `has_header` is False for a file without a header entry, which is then written without one.
    `header_raw` keeps the header's text as read, so that it is written back unchanged unless
    `headers` is changed. `charset` is the charset the file declared (it is UTF-8 once read).
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
        return plural_forms.parse(value)

    def header_text(self) -> str:
        """The header entry's msgstr: as read when the fields are unchanged, else rebuilt."""
        if self.header_raw is not None and parse_header(self.header_raw) == self.headers:
            return self.header_raw
        return "".join(f"{key}: {value}\n" for key, value in self.headers)


# Reading


def read(
    data: bytes,
    filename: str = "<po>",
    nplurals: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Catalogue:
    """Parse a PO file strictly. Raises PoError with the file and line of the first problem.

    Plural entries must have as many forms as the file's own `Plural-Forms` says (`nplurals` is
    used only for a file that says nothing)."""
    if len(data) > max_bytes:
        raise PoError(
            filename,
            0,
            f"file is {len(data) / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:.1f} MB",
        )
    text, charset = _decode(data, filename)
    with _no_cycle_collection():
        catalogue = _Parser(filename, charset).parse(text)
    catalogue.charset = charset
    if charset not in ("UTF-8", "CHARSET", "ASCII"):
        _declare_utf8(catalogue)
    _check_plural_forms(catalogue, filename)
    own = catalogue.nplurals()
    _check_entries(
        catalogue,
        filename,
        own or nplurals,
        "the file's Plural-Forms says" if own else "the language has",
    )
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


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The file as text and the charset it declared (normalised), as GNU reads it: the header's
    charset, UTF-8 when it declares none (or the template's placeholder CHARSET)."""
    if data[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde"):
        raise PoError(filename, 1, "this is a compiled MO file, not a PO file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    charset, codec = _declared_charset(data, filename)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PoError(
            filename,
            line,
            f"not valid {charset} (byte 0x{data[exc.start]:02x}), the charset its header declares",
        ) from None
    if "\x00" in text:
        raise PoError(
            filename,
            text[: text.index("\x00")].count("\n") + 1,
            "contains a NUL byte: this is not a text PO file",
        )
    return text, charset


def _declared_charset(data: bytes, filename: str) -> tuple[str, str]:
    """The charset named in the header (the first `charset=` before the first real msgid)."""
    end = data.find(b'\nmsgid "', data.find(b'msgid ""') + 1)
    match = _CHARSET.search(data, 0, end if end > 0 else len(data))
    if not match:
        return "UTF-8", "utf-8"
    name = match.group(1).decode("ascii").upper()
    if name == "CHARSET":
        return "CHARSET", "utf-8"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        line = data[: match.start()].count(b"\n") + 1
        raise PoError(filename, line, f"unknown charset {name!r} in Content-Type") from None
    if codec == "utf-8":
        return "UTF-8", codec
    return ("ASCII", codec) if codec == "ascii" else (name, codec)


def _declare_utf8(catalogue: Catalogue) -> None:
    """After conversion the text is UTF-8, and the header says so, as msgconv writes it."""
    old = re.compile(r"charset=[A-Za-z0-9._:-]+")
    catalogue.headers = [
        (key, old.sub("charset=UTF-8", value) if key.lower() == "content-type" else value)
        for key, value in catalogue.headers
    ]
    if catalogue.header_raw is not None:
        catalogue.header_raw = old.sub("charset=UTF-8", catalogue.header_raw, count=1)


class _Parser:
    """A line-by-line state machine over one PO file."""

    def __init__(self, filename: str, charset: str = "UTF-8") -> None:
        self.filename = filename
        self.codec = "utf-8" if charset in ("UTF-8", "CHARSET", "ASCII") else charset
        self.catalogue = Catalogue(has_header=False)
        self.entry: Entry | None = None
        self.comments: list[tuple[str, str]] = []
        self.field: str | None = None  # the keyword whose string continues on the next line
        self.seen: set[str] = set()
        self.line = 0
        self.last_previous: str | None = None
        self.domain: str | None = None
        self.first_domain: str | None = None
        self.started = False

    def error(self, message: str, line: int | None = None) -> PoError:
        return PoError(self.filename, self.line if line is None else line, message)

    def parse(self, text: str) -> Catalogue:
        if "\n" not in text:  # CR-only line endings (old Mac files): each CR ends a line
            text = text.replace("\r", "\n")
        for number, raw in enumerate(text.split("\n"), start=1):
            self.line = number
            self.feed(raw.rstrip("\r"))
        self.finish()
        self.catalogue.domain = self.first_domain
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
        """One keyword and its strings; GNU also reads several on one line (`msgid "a" msgstr
        "b"`), so whatever follows the strings is read as the next keyword."""
        while line:
            match = _KEYWORD.match(line)
            if not match:
                word = line.split()[0] if line.split() else line
                raise self.error(
                    f"unexpected {word!r}: expected a comment, a keyword "
                    "(msgctxt, msgid, msgid_plural, msgstr) or a quoted string"
                )
            keyword, index = match.group(1), match.group(2)
            value, line = self.strings(match.group(3))
            if keyword == "domain":
                self.set_domain(value)
                continue
            self.begin(keyword, obsolete)
            base = "msgstr" if keyword.startswith("msgstr") else keyword
            self.store(keyword, base, index, value)

    def set_domain(self, name: str) -> None:
        if self.entry is not None:
            if "msgstr" not in self.seen:
                raise self.error("entry has a msgid but no msgstr", self.entry.line)
            self.finish()
        self.domain = None if name == DEFAULT_DOMAIN else name
        if not self.started:
            self.first_domain = self.domain

    def begin(self, keyword: str, obsolete: bool) -> None:
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

    def start(self, obsolete: bool) -> None:
        if not self.started:
            self.started, self.first_domain = True, self.domain
        domain = None if self.domain == self.first_domain else self.domain
        self.entry = Entry(msgid="", obsolete=obsolete, line=self.line, domain=domain)
        self.seen = set()
        previous: dict[str, str] = {}
        for kind, body in self.comments:
            self.attach(kind, body, previous)
        if previous:
            self.entry.previous_msgid = previous.get("msgid")
            self.entry.previous_msgctxt = previous.get("msgctxt")
            self.entry.previous_msgid_plural = previous.get("msgid_plural")
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
            previous[match.group(1)] = self.strings(match.group(3))[0]
        elif body.startswith('"') and self.last_previous in previous:
            previous[self.last_previous] += self.strings(body)[0]

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
        value, rest = self.strings(line)
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
        if rest:
            self.keyword(rest, entry.obsolete)

    def strings(self, text: str) -> tuple[str, str]:
        """The strings at the start of `text`, joined as GNU joins adjacent strings, and the
        rest of the line after them."""
        text = text.strip()
        inner = text[1:-1]
        if len(text) > 1 and text[0] == text[-1] == '"' and '"' not in inner and "\\" not in inner:
            return inner, ""  # one string without escapes: the common case, without a regex
        values: list[str] = []
        position = 0
        while (match := _STRING.match(text, position)) is not None:
            values.append(self.unescape(match.group(1)))
            position = match.end()
        rest = text[position:].strip()
        if not values:
            if text.startswith('"'):
                raise self.error("unterminated string: a closing quote is missing")
            raise self.error(f"expected a quoted string, found {text[:40]!r}")
        if rest.startswith('"'):
            raise self.error("unterminated string: a closing quote is missing")
        if rest.startswith("#"):
            rest = ""  # a comment after the strings, which GNU's lexer skips as well
        return "".join(values), rest

    def unescape(self, body: str) -> str:
        if "\\" not in body:
            return body
        if not re.search(r"\\(?:x[0-9A-Fa-f]|[0-7])", body):
            return _ESCAPE.sub(self.simple_escape, body)
        # Octal and hex escapes name bytes of the file's charset, so unescape as bytes.
        raw = body.encode(self.codec)
        out = re.sub(rb"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.)", self.byte_escape, raw, flags=re.S)
        try:
            return out.decode(self.codec)
        except UnicodeDecodeError:
            raise self.error(f"escaped bytes that are not valid {self.codec}") from None

    def simple_escape(self, match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise self.error(f"unknown escape sequence '\\{char}'")
        return _ESCAPES[char]

    def byte_escape(self, match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1] == b"x":
            return bytes([int(code[1:], 16) & 0xFF])
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        if code.decode("latin-1") not in _ESCAPES:
            raise self.error(f"unknown escape sequence '\\{code.decode('latin-1')}'")
        return _ESCAPES[code.decode("latin-1")].encode()

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
        catalogue = self.catalogue
        if entry.domain is not None:  # another domain's header is one of its messages
            catalogue.entries.append(entry)
            return
        if catalogue.has_header:
            raise self.error("a second header entry (empty msgid)", entry.line)
        catalogue.has_header = True
        catalogue.header_comments = entry.comments
        catalogue.header_flags = entry.flags
        catalogue.header_extracted = entry.extracted
        catalogue.header_raw = entry.msgstr
        catalogue.header_line = entry.line
        catalogue.headers = parse_header(entry.msgstr)


def parse_header(text: str) -> list[tuple[str, str]]:
    fields = []
    for line in text.split("\n"):
        if ":" in line:
            key, value = line.split(":", 1)
            fields.append((key.strip(), value.strip()))
    return fields


def _check_plural_forms(catalogue: Catalogue, filename: str) -> None:
    try:
        catalogue.plural_forms()
    except plural_forms.PluralFormsError as exc:
        raise PoError(filename, catalogue.header_line, f"Plural-Forms: {exc}") from None


def _check_entries(catalogue: Catalogue, filename: str, nplurals: int | None, source: str) -> None:
    seen: dict[tuple[str | None, str | None, str], int] = {}
    for entry in catalogue.entries:
        if entry.obsolete:
            continue
        key = (entry.domain, entry.msgctxt, entry.msgid)
        if key in seen:
            raise PoError(
                filename,
                entry.line,
                f"duplicate entry for msgid {entry.msgid[:40]!r} (first at line {seen[key]})",
            )
        seen[key] = entry.line
        if (
            nplurals is not None
            and entry.msgid_plural is not None
            and len(entry.msgstr_plural) != nplurals
        ):
            raise PoError(
                filename,
                entry.line,
                f"{len(entry.msgstr_plural)} plural forms, but {source} nplurals={nplurals}",
            )


# What a translator's file must also pass before the desk takes anything from it


def check_translation(catalogue: Catalogue, filename: str) -> None:
    """Refuse, with file and line, what `read` accepts but the desk must not import: a file with
    no messages, a header still saying charset=CHARSET, a control character in a translation, or
    format directives that a translation's format flag says it must keep but does not."""
    if not any(not entry.obsolete for entry in catalogue.entries):
        raise PoError(filename, 1, "the file has no messages (is it empty, or only a header?)")
    if catalogue.charset == "CHARSET":
        raise PoError(
            filename,
            catalogue.header_line,
            "the header still says charset=CHARSET: fill in the charset the file is written in",
        )
    forms = catalogue.plural_forms()
    for entry in catalogue.entries:
        if entry.obsolete:
            continue
        for text in entry.msgstr_plural if entry.msgid_plural is not None else [entry.msgstr]:
            control = next((c for c in text if _is_control(c)), None)
            if control is not None:
                raise PoError(
                    filename,
                    entry.line,
                    f"the translation contains the control character U+{ord(control):04X}",
                )
        problem = _format_problem(entry, forms)
        if problem:
            raise PoError(filename, entry.line, problem)


def _is_control(char: str) -> bool:
    return char not in "\n\t" and unicodedata.category(char) == "Cc"


# Writing


def write(catalogue: Catalogue) -> str:
    """Serialise a catalogue as GNU msgcat would: the header first, then each domain's messages
    with its obsolete ones last (those without a translation left out), wrapped at 79 columns."""
    with _no_cycle_collection():
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
            parts.extend(_write_entry(e) for e in entries if e.obsolete and _first_form(e))
        if not any(not e.obsolete or _first_form(e) for e in catalogue.entries):
            return ""  # GNU writes no file for a catalogue with no messages (without --force-po)
        return "\n".join(parts)


def _first_form(entry: Entry) -> str:
    """msgstr, or msgstr[0]: msgcat drops an obsolete message where it is empty."""
    if entry.msgid_plural is None:
        return entry.msgstr
    return entry.msgstr_plural[0] if entry.msgstr_plural else ""


def _header_entry(catalogue: Catalogue) -> Entry:
    return Entry(
        msgid="",
        msgstr=catalogue.header_text(),
        comments=catalogue.header_comments,
        extracted=catalogue.header_extracted,
        flags=catalogue.header_flags,
    )


def _write_entry(entry: Entry) -> str:
    lines = [f"# {c}" if c else "#" for c in entry.comments]
    lines.extend(f"#. {c}" if c else "#." for c in entry.extracted)
    lines.extend(_wrap_locations(entry.locations))
    flags = entry.flags
    if "fuzzy" in flags and not _first_form(entry) and entry.msgid:
        flags = [flag for flag in flags if flag != "fuzzy"]  # GNU: nothing there to be fuzzy
    if flags:
        lines.append("#, " + ", ".join(ordered_flags(flags)))
    wrap = "no-wrap" not in entry.flags
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt is not None:
        lines.extend(_field(previous, "msgctxt", entry.previous_msgctxt, wrap))
    if entry.previous_msgid is not None:
        lines.extend(_field(previous, "msgid", entry.previous_msgid, wrap))
    if entry.previous_msgid_plural is not None:
        lines.extend(_field(previous, "msgid_plural", entry.previous_msgid_plural, wrap))
    if entry.msgctxt is not None:
        lines.extend(_field(prefix, "msgctxt", entry.msgctxt, wrap))
    lines.extend(_field(prefix, "msgid", entry.msgid, wrap))
    if entry.msgid_plural is not None:
        lines.extend(_field(prefix, "msgid_plural", entry.msgid_plural, wrap))
        for index, form in enumerate(entry.msgstr_plural):
            lines.extend(_field(prefix, f"msgstr[{index}]", form, wrap))
    else:
        lines.extend(_field(prefix, "msgstr", entry.msgstr, wrap))
    return "\n".join(lines) + "\n"


def ordered_flags(flags: Sequence[str]) -> list[str]:
    """Flags once each, in the order GNU writes them: fuzzy, format flags, range, wrapping;
    flags GNU does not know (our `approved`) last."""
    last: dict[str, str] = {}  # of c-format and no-c-format (or wrap and no-wrap) the last counts
    for flag in flags:
        last[_FLAG_KIND.get(flag, flag)] = flag
    return sorted(last.values(), key=lambda flag: _FLAG_RANK.get(flag, _late_rank(flag)))


def _late_rank(flag: str) -> int:
    if flag.startswith("range:"):
        return 999
    return _LATE_FLAGS.get(flag, 2000)


def _field(prefix: str, keyword: str, value: str, wrap: bool = True) -> tuple[str, ...]:
    """A keyword and its string, wrapped as GNU gettext does (write-po.c).

    A template and its six catalogues repeat every msgid, and a store writes them together, so
    msgids are wrapped once and remembered; translations are not repeated, so they are not.

    The string goes on the keyword's line when it fits in 79 columns and has no newline before its
    end; otherwise the keyword gets "" and the string follows, split after each newline and wrapped
    at Unicode line-break opportunities (UAX #14: never before '?', '!', ':', ';' or ')'). A string
    with nowhere to break stays on the keyword's line, however long. With the `no-wrap` flag the
    string is split only after its newlines.
    """
    if keyword in ("msgid", "msgid_plural"):
        return _shared_field(prefix, keyword, value, wrap)
    return _wrapped_field(prefix, keyword, value, wrap)


@lru_cache(maxsize=1 << 17)
def _shared_field(prefix: str, keyword: str, value: str, wrap: bool) -> tuple[str, ...]:
    return _wrapped_field(prefix, keyword, value, wrap)


def _wrapped_field(prefix: str, keyword: str, value: str, wrap: bool = True) -> tuple[str, ...]:
    head = f"{prefix}{keyword} "
    escaped = _escape(value)
    inner_newline = "\n" in value[:-1]
    first_width = PAGE_WIDTH - _width(head) - 2
    if not inner_newline and (
        not wrap or _width(escaped) <= first_width or len(_wrap(value, first_width)) == 1
    ):  # nowhere to break
        return (f'{head}"{escaped}"',)
    width = PAGE_WIDTH - _width(prefix) - 2
    lines = [f'{head}""']
    for portion in _portions(value):
        if wrap:
            lines.extend(f'{prefix}"{line}"' for line in _wrap(portion, width))
        else:
            lines.append(f'{prefix}"{_escape(portion)}"')
    return tuple(lines)


def _portions(value: str) -> list[str]:
    parts = value.split("\n")
    portions = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        portions.append(parts[-1])
    return portions


def _wrap(text: str, width: int) -> list[str]:
    """Greedy filling of UAX #14 units, as libunistring's linebreaking does on the escaped text
    (so no break follows "\\f" or "\\t": GNU sees the letter after the backslash)."""
    units = _break_units(_escape(text)) if _NEEDS_ESCAPE.search(text) else _break_units(text)
    if len(units) > 1 and units[-1] == "\\n":  # GNU never breaks just before the final \n
        units[-2:] = [units[-2] + units[-1]]
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
    stop before a letter ("www." / "instagram")."""
    units: list[str] = line_break_units(text)
    if "." in text:
        units = [piece for unit in units for piece in _AFTER_STOP.split(unit) if piece]
    if "\\" in text:  # never break inside an escape sequence
        units = _join_escapes(units)
    if len(units) > 1 and units[0].isspace():  # libunistring: no break after leading spaces
        units[:2] = [units[0] + units[1]]
    return units


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
    for location in dict.fromkeys(locations):  # GNU keeps each location once
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


# Format directives, compared as `msgfmt --check-format` compares them

_C_DIRECTIVE = re.compile(
    r"%(?:(\d+)\$)?[-+ #0']*(?:\*(?:\d+\$)?|\d+)?(?:\.(?:\*(?:\d+\$)?|\d+))?"
    r"(hh|h|ll|l|L|q|j|z|Z|t)?([diouxXeEfFgGaAcCsSpn%])"
)
_PYTHON_DIRECTIVE = re.compile(
    r"%(?:\(([^)]*)\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)
_C_TYPES = (
    dict.fromkeys("di", "int")
    | dict.fromkeys("ouxX", "unsigned")
    | dict.fromkeys("eEfFgGaA", "double")
)
_PY_TYPES = dict.fromkeys("diuoxX", "int") | dict.fromkeys("eEfFgG", "float") | {"c": "char"}


def _directives(flag: str, text: str) -> dict[str, str]:
    """The arguments a format string consumes: argument (number or name) -> type."""
    found: dict[str, str] = {}
    if flag == "c-format":
        for number, (position, length, conversion) in enumerate(_c_directives(text), start=1):
            found[position or str(number)] = (length or "") + _C_TYPES.get(conversion, conversion)
    else:
        number = 0
        for match in _PYTHON_DIRECTIVE.finditer(text):
            if match.group(2) == "%":
                continue
            number += 1
            name, conversion = match.group(1), match.group(2)
            found[name if name is not None else str(number)] = _PY_TYPES.get(conversion, "any")
    return found


def _c_directives(text: str) -> list[tuple[str | None, str | None, str]]:
    return [
        (m.group(1), m.group(2), m.group(3))
        for m in _C_DIRECTIVE.finditer(text)
        if m.group(3) != "%"
    ]


def _format_problem(entry: Entry, forms: plural_forms.PluralForms | None) -> str | None:
    """Why a translation breaks the format directives its flag promises, or None. As msgfmt,
    every form is compared with msgid_plural, and a form chosen for only a few counts (at most 4
    of 0..1000, as French msgstr[0] for 0 and 1) may leave out a directive; nothing may differ."""
    flag = next((f for f in entry.flags if f in ("c-format", "python-format")), None)
    if flag is None or entry.fuzzy:
        return None
    if entry.msgid_plural is None:
        pairs = [("msgstr", entry.msgstr, entry.msgid, True)]
    else:
        single = _single_count_forms(forms) if forms else set()
        pairs = [
            (f"msgstr[{n}]", text, entry.msgid_plural, n not in single)
            for n, text in enumerate(entry.msgstr_plural)
        ]
    wanted_by: dict[str, dict[str, str]] = {}
    for name, text, source, strict in pairs:
        if not text:
            continue
        wanted = wanted_by.setdefault(source, _directives(flag, source))
        got = _directives(flag, text)
        extra = [key for key in got if wanted.get(key) != got[key]]
        missing = [key for key in wanted if key not in got]
        if extra or (strict and missing):
            origin = "msgid" if entry.msgid_plural is None else "msgid_plural"
            return f"{flag}: the format directives of {name} differ from those of {origin}"
    return None


_FEW_COUNTS = 4  # found by trying msgfmt 0.21: a form chosen for 5 counts is checked strictly


@lru_cache(maxsize=64)
def _single_count_forms(forms: plural_forms.PluralForms) -> set[int]:
    counts: dict[int, int] = {}
    for n in range(1001):
        index = forms.index(n)
        counts[index] = counts.get(index, 0) + 1
    return {index for index, count in counts.items() if count <= _FEW_COUNTS}
