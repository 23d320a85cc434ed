"""Read a PO file as GNU gettext's reader does, strictly: what `read` accepts, what it converts
and what it refuses (with file and line) are described in `translator.formats.po`."""

from __future__ import annotations

import codecs
import re

from translator.formats import plural_forms
from translator.formats.catalogue import (
    DEFAULT_DOMAIN,
    Catalogue,
    Entry,
    PoError,
    no_cycle_collection,
    parse_header,
)
from translator.messages import N_, Message, message

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

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


def read(
    data: bytes,
    filename: str = "<po>",
    nplurals: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Catalogue:
    """Parse a PO file strictly. Raises PoError with the file and line of the first problem.

    Translated plural entries must have as many forms as the file's own `Plural-Forms` says
    (`nplurals` is used only for a file that says nothing); as `msgfmt --check`, fuzzy and
    untranslated ones are not counted."""
    if len(data) > max_bytes:
        raise PoError(
            filename,
            0,
            message(
                N_("file is %(size)s MB, over the limit of %(limit)s MB"),
                "po.too-big",
                size=f"{len(data) / 1e6:.1f}",
                limit=f"{max_bytes / 1e6:.1f}",
            ),
        )
    text, charset = _decode(data, filename)
    with no_cycle_collection():
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
        N_("%(found)d plural forms, but the file's Plural-Forms says nplurals=%(nplurals)s")
        if own
        else N_("%(found)d plural forms, but the language has nplurals=%(nplurals)s"),
    )
    return catalogue


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """The file as text and the charset it declared (normalised), as GNU reads it: the header's
    charset, UTF-8 when it declares none (or the template's placeholder CHARSET)."""
    if data[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde"):
        raise PoError(
            filename, 1, message(N_("this is a compiled MO file, not a PO file"), "po.mo-file")
        )
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
            message(
                N_("not valid %(charset)s (byte 0x%(byte)s), the charset its header declares"),
                "po.bad-bytes",
                charset=charset,
                byte=f"{data[exc.start]:02x}",
            ),
        ) from None
    if "\x00" in text:
        raise PoError(
            filename,
            text[: text.index("\x00")].count("\n") + 1,
            message(N_("contains a NUL byte: this is not a text PO file"), "po.nul"),
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
        unknown = message(
            N_("unknown charset '%(charset)s' in Content-Type"), "po.charset", charset=name
        )
        raise PoError(filename, line, unknown) from None
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
    for entry in catalogue.entries:  # the headers of the other domains
        if entry.domain is not None and entry.msgid == "" and entry.msgctxt is None:
            entry.msgstr = old.sub("charset=UTF-8", entry.msgstr, count=1)


_STRINGS = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"(?:\n"[^"\\\n]*(?:\\.[^"\\\n]*)*")*'
# An entry as writers lay it out: comments other than `#|` and `#~`, then each keyword at the
# start of its line, one space, its strings (on that line and the next ones), nothing after them.
_SIMPLE_ENTRY = re.compile(
    rf"""(?P<comments>(?:\#(?![|~])[^\n]*\n)*)
    (?:msgctxt\ (?P<msgctxt>{_STRINGS})\n)?
    msgid\ (?P<msgid>{_STRINGS})
    (?:\nmsgstr\ (?P<msgstr>{_STRINGS})
      |\nmsgid_plural\ (?P<plural>{_STRINGS})(?P<forms>(?:\nmsgstr\[\d+\]\ {_STRINGS})+))
    \n?""",
    re.X,
)
_FORM = re.compile(rf"\nmsgstr\[(\d+)\] ({_STRINGS})")


def _comment(raw: str) -> tuple[str, str]:
    """A comment line's kind (" ", ".", ":", ",", "|") and text, as GNU dispatches it: `#!` is
    a flags line too, and a translator comment in the SunOS or Solaris form `# File: x, line: 12`
    is a location; GNU keeps trailing spaces."""
    line = raw.lstrip()
    kind = line[1:2] if line[1:2] in (".", ":", ",", "|", "!") else " "
    if kind == "!":
        return ",", line[2:]
    if kind == " " and (sun := _SUN_LOCATION.fullmatch(line, 1)) is not None:
        return ":", f"{sun.group(1)}:{sun.group(2)}"
    body = line[2:] if kind != " " else line[1:]
    return kind, body[1:] if body.startswith(" ") else body


_SUN_LOCATION = re.compile(
    r" [Ff]ile:[ \t]*(.*?)[ \t]*,[ \t]*line[ \t]*(?:number[ \t]*)?:([0-9]+)\s*"
)
# A file name in a location may hold spaces when written between these (GNU 0.22 and later).
_ISOLATE_START, _ISOLATE_END = "\u2068", "\u2069"
_REFERENCE_SPACE = " \t\n"
_REFERENCE_SPACES = re.compile("[ \t\n]+")
_PLAIN_LOCATION = re.compile(r"(.+?):([0-9]+)")


def references(text: str) -> list[str]:
    """The locations of a `#:` line as GNU reads them, each `file:line` (or `file` alone): a
    line number after spaces or a colon with spaces around it (`file : 12`) is the file's; a
    file name between U+2068 and U+2069 may hold spaces. Leading zeros of a line number go."""
    spaces = " " if "\t" not in text and "\n" not in text else None
    parts = text.split(spaces) if spaces else _REFERENCE_SPACES.split(text)
    tokens = [token for token in parts if token]
    if _ISOLATE_START in text or any(token[0] == ":" or token[-1] == ":" for token in tokens):
        return _references(text)
    return tokens if ":0" not in text else [_location(token) for token in tokens]


def _location(token: str) -> str:
    found = _PLAIN_LOCATION.fullmatch(token)
    if found is None:
        return token
    return f"{found.group(1)}:{int(found.group(2))}"


def _references(text: str) -> list[str]:
    """`references` character by character, as GNU's po_parse_comment_filepos reads them."""
    found: list[str] = []
    at, end = 0, len(text)
    while True:
        while at < end and text[at] in _REFERENCE_SPACE:
            at += 1
        if at >= end:
            return found
        isolated = text.startswith(_ISOLATE_START, at)
        name, at = _reference_name(text, at)
        number, after = _line_after(text, at)
        if number is None and not isolated and name.endswith(":"):
            number, after = _digits_after(text, at)
            name = name[:-1] if number is not None else name
        if number is not None:
            found.append(f"{name}:{number}")
            at = after
        else:
            found.append(name if isolated else _location(name))


def _reference_name(text: str, at: int) -> tuple[str, int]:
    """A file name and where it ends: between isolates, or up to the next space."""
    if text.startswith(_ISOLATE_START, at):
        close = text.find(_ISOLATE_END, at + 1)
        if close < 0:
            return text[at + 1 :], len(text)
        return text[at + 1 : close], close + 1
    stop = at
    while stop < len(text) and text[stop] not in _REFERENCE_SPACE:
        stop += 1
    return text[at:stop], stop


def _line_after(text: str, at: int) -> tuple[int | None, int]:
    """A line number written after a file name as ` : 12`, `: 12` or ` :12`."""
    while at < len(text) and text[at] in _REFERENCE_SPACE:
        at += 1
    if text[at : at + 1] != ":":
        return None, at
    return _digits_after(text, at + 1)


def _digits_after(text: str, at: int) -> tuple[int | None, int]:
    while at < len(text) and text[at] in _REFERENCE_SPACE:
        at += 1
    stop = at
    while stop < len(text) and text[stop] in "0123456789":
        stop += 1
    if stop == at or (stop < len(text) and text[stop] not in _REFERENCE_SPACE):
        return None, at
    return int(text[at:stop]), stop


class _Parser:
    """A state machine over one PO file, line by line; blocks between blank lines that hold a
    plain entry are read whole (`blocks`: a third less time on our catalogues, and the same
    result, which a property test holds)."""

    def __init__(self, filename: str, charset: str = "UTF-8", blocks: bool = True) -> None:
        self.blocks = blocks
        self.filename = filename
        self.codec = "utf-8" if charset in ("UTF-8", "CHARSET", "ASCII") else charset
        self.catalogue = Catalogue(has_header=False)
        self.entry: Entry | None = None
        self.comments: list[tuple[str, str]] = []
        self.field: str | None = None  # the keyword whose string continues on the next line
        self.waiting: int | None = None  # the line of a keyword whose string is still to come
        self.seen: set[str] = set()
        self.line = 0
        self.last_previous: str | None = None
        self.domain: str | None = None
        self.first_domain: str | None = None
        self.started = False

    def error(self, problem: Message, line: int | None = None) -> PoError:
        return PoError(self.filename, self.line if line is None else line, problem)

    def parse(self, text: str) -> Catalogue:
        if "\n" not in text:  # CR-only line endings (old Mac files): each CR ends a line
            text = text.replace("\r", "\n")
        if self.blocks and "\r" not in text:
            self.read_blocks(text)
        else:
            self.read_lines(text.split("\n"), 1)
        self.expect_no_keyword_waiting("")
        self.finish()
        self.catalogue.domain = self.first_domain
        return self.catalogue

    def read_blocks(self, text: str) -> None:
        """The file block by block (the text between blank lines): an entry as our writer, msgcat
        and most tools write it is taken whole by one pattern (`simple`), any other block line
        by line, so that both leave the reader in the same state."""
        first = 1
        for block in text.split("\n\n"):
            found = _SIMPLE_ENTRY.fullmatch(block)
            if found is None or not self.simple(found, first):
                self.read_lines(block.split("\n"), first)
            first += block.count("\n") + 2
            self.expect_no_keyword_waiting("")
            self.field = None  # the blank line after the block

    def simple(self, found: re.Match[str], first: int) -> bool:
        """One plain entry: comments (no previous msgid, not obsolete), msgctxt, msgid, then
        msgstr or msgid_plural and msgstr[0..n], each keyword on its own line followed by its
        strings. False, having changed nothing, where the line-by-line reading must decide:
        comments before a blank line wait for this entry, or a string is wrong (its error
        names its line)."""
        if self.comments:
            return False
        plural, forms = found["plural"], None
        if plural is not None and (forms := self.forms(found["forms"])) is None:
            return False
        try:
            msgctxt = None if found["msgctxt"] is None else self.joined(found["msgctxt"])
            msgid = self.joined(found["msgid"])
            msgstr = "" if plural is not None else self.joined(found["msgstr"])
            plural = None if plural is None else self.joined(plural)
            forms = None if forms is None else [self.joined(strings) for strings in forms]
        except PoError:
            return False
        self.finish()
        comments = found["comments"]
        self.comments = [_comment(raw) for raw in comments.split("\n")[:-1]]
        self.line = first + comments.count("\n")  # where msgctxt or msgid starts the entry
        self.start(False)
        entry = self.entry
        assert entry is not None
        entry.msgctxt, entry.msgid, entry.msgstr = msgctxt, msgid, msgstr
        self.seen = {"msgid", "msgstr"}
        if msgctxt is not None:
            self.seen.add("msgctxt")
        if forms is None:
            self.seen.add("msgstr-singular")
        else:
            entry.msgid_plural, entry.msgstr_plural = plural, forms
            self.seen.update(["msgid_plural", *(f"msgstr[{n}]" for n in range(len(forms)))])
        return True

    def joined(self, strings: str) -> str:
        """The text of a keyword's strings, one per line (`"a"\\n"b"`); a string cannot hold a
        newline, so each quote-newline-quote is a boundary."""
        inner = strings[1:-1]
        if "\\" not in inner:
            return inner.replace('"\n"', "")
        return "".join(self.unescape(part) for part in inner.split('"\n"'))

    @staticmethod
    def forms(text: str) -> list[str] | None:
        """The strings of msgstr[0], msgstr[1], ... when they come in order; else None (the
        line-by-line reading reports it)."""
        found = _FORM.findall(text)
        if [int(index) for index, _ in found] != list(range(len(found))):
            return None
        return [strings for _, strings in found]

    def read_lines(self, lines: list[str], first: int) -> None:
        for number, raw in enumerate(lines, start=first):
            self.line = number
            line = raw.strip()
            inner = line[1:-1]
            if (  # the commonest line: one more plain string of the keyword being read
                self.field is not None
                and line[:1] == '"' == line[-1:]
                and len(line) > 1
                and '"' not in inner
                and "\\" not in inner
            ):
                self.append(inner)
            else:
                self.feed(raw.rstrip("\r"))

    def feed(self, raw: str) -> None:
        line = raw.strip()
        first = line[:1]
        if first == '"':  # the commonest line: a string continuing the last keyword's
            self.continuation(line)
            return
        obsolete = line.startswith("#~")
        if obsolete and line[2:].strip()[:1] == '"':
            self.continuation(line[2:].strip())
            return
        self.expect_no_keyword_waiting(line)
        if not first:
            self.field = None  # a blank line ends the strings of an entry
            return
        if obsolete:
            line = line[2:].strip()
            first = line[:1]
            if first == "|":
                self.comment("|", line[1:].strip())
                return
            if not first:
                return
        if first == "#" and not obsolete:
            self.comment(*_comment(raw))
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
                    message(
                        N_(
                            "unexpected '%(word)s': expected a comment, a keyword "
                            "(msgctxt, msgid, msgid_plural, msgstr) or a quoted string"
                        ),
                        "po.unexpected",
                        word=word,
                    )
                )
            keyword, index = match.group(1), match.group(2)
            # As GNU reads tokens, not lines, a keyword's string may begin on the next line.
            waiting = keyword != "domain" and not match.group(3).strip()
            value, line = ("", "") if waiting else self.strings(match.group(3))
            if keyword == "domain":
                self.set_domain(value)
                continue
            self.begin(keyword, obsolete)
            base = "msgstr" if keyword.startswith("msgstr") else keyword
            self.store(keyword, base, index, value)
            self.waiting = self.line if waiting else None

    def expect_no_keyword_waiting(self, line: str) -> None:
        """Refuse, at the keyword's line, a keyword whose string never came (`msgstr` then a
        blank line, another keyword, a comment or the end of the file), as GNU refuses it."""
        if self.waiting is not None:
            found = repr(line[:40])
            raise self.error(
                message(
                    N_("expected a quoted string, found %(found)s"),
                    "po.not-a-string",
                    found=found,
                ),
                self.waiting,
            )

    def set_domain(self, name: str) -> None:
        if self.entry is not None:
            if "msgstr" not in self.seen:
                raise self.error(_NO_MSGSTR, self.entry.line)
            self.finish()
        self.comments = []  # as GNU: comments before a domain line belong to no message
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
                raise self.error(_NO_MSGSTR, self.entry.line)
            self.finish()
            self.start(obsolete)
        if self.entry is None:
            raise self.error(_no_msgid(keyword))

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
            locations = self.entry.locations
            for location in references(body):
                if location not in locations:  # each once, as GNU keeps them
                    locations.append(location)
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
            twice = (
                N_("%(keyword)s appears twice in one entry (is the msgid of a new entry missing?)")
                if base == "msgstr"
                else N_("%(keyword)s appears twice in one entry")
            )
            raise self.error(message(twice, "po.twice", keyword=keyword))
        if base == "msgstr" and "msgid" not in self.seen:
            raise self.error(_no_msgid(keyword))
        if keyword == "msgid_plural" and "msgid" not in self.seen:
            raise self.error(_no_msgid(keyword))
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
                message(
                    N_("msgstr[%(index)s] out of order: expected msgstr[%(expected)s]"),
                    "po.plural-order",
                    index=str(index),
                    expected=str(len(self.entry.msgstr_plural)),
                )
            )
        self.entry.msgstr_plural.append(value)

    def continuation(self, line: str) -> None:
        if self.entry is None or self.field is None:
            raise self.error(
                message(
                    N_("a quoted string with no keyword before it (after a blank line?)"),
                    "po.stray-string",
                )
            )
        value, rest = self.strings(line)
        self.append(value)
        if rest:
            self.keyword(rest, self.entry.obsolete)

    def append(self, value: str) -> None:
        """A string continuing the keyword being read."""
        self.waiting = None
        entry, keyword = self.entry, self.field
        assert entry is not None
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
                raise self.error(_UNTERMINATED)
            raise self.error(
                message(
                    N_("expected a quoted string, found %(found)s"),
                    "po.not-a-string",
                    found=repr(text[:40]),
                )
            )
        if rest.startswith('"'):
            raise self.error(_UNTERMINATED)
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
            raise self.error(
                message(
                    N_("escaped bytes that are not valid %(codec)s"),
                    "po.bad-escaped-bytes",
                    codec=self.codec,
                )
            ) from None

    def simple_escape(self, match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise self.error(_unknown_escape(char))
        return _ESCAPES[char]

    def byte_escape(self, match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1] == b"x":
            return bytes([int(code[1:], 16) & 0xFF])
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        if code.decode("latin-1") not in _ESCAPES:
            raise self.error(_unknown_escape(code.decode("latin-1")))
        return _ESCAPES[code.decode("latin-1")].encode()

    def finish(self) -> None:
        entry = self.entry
        if entry is None:
            return
        if "msgstr" not in self.seen:
            raise self.error(_NO_MSGSTR, entry.line)
        if entry.msgid_plural is not None and "msgstr-singular" in self.seen:
            needs = N_("entry with msgid_plural needs msgstr[0], msgstr[1], ...")
            raise self.error(message(needs, "po.plural-needs-forms"), entry.line)
        if entry.msgid_plural is None and entry.msgstr_plural:
            stray = N_("msgstr[n] without a msgid_plural")
            raise self.error(message(stray, "po.forms-without-plural"), entry.line)
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
            second = N_("a second header entry (empty msgid)")
            raise self.error(message(second, "po.second-header"), entry.line)
        catalogue.has_header = True
        catalogue.header_comments = entry.comments
        catalogue.header_flags = entry.flags
        catalogue.header_extracted = entry.extracted
        catalogue.header_locations = entry.locations
        catalogue.header_previous = (
            entry.previous_msgctxt,
            entry.previous_msgid,
            entry.previous_msgid_plural,
        )
        catalogue.header_raw = entry.msgstr
        catalogue.header_line = entry.line
        catalogue.headers = parse_header(entry.msgstr)


def _check_plural_forms(catalogue: Catalogue, filename: str) -> None:
    try:
        catalogue.plural_forms()
    except plural_forms.PluralFormsError as exc:
        raise PoError(filename, catalogue.header_line, f"Plural-Forms: {exc}") from None


def _compiled(entry: Entry) -> bool:
    """A message msgfmt puts in the MO file, the only ones `msgfmt --check` holds to the plural
    count: neither fuzzy nor untranslated (Django's Kannada files have one form of two where
    msgstr[0] is empty)."""
    return bool(entry.first_form) and not entry.fuzzy and not entry.obsolete


def _check_entries(catalogue: Catalogue, filename: str, nplurals: int | None, source: str) -> None:
    # As GNU: an obsolete message may not repeat a live one (or the header), nor another obsolete
    seen: dict[tuple[str | None, str | None, str], int] = {}
    if catalogue.has_header:
        seen[(None, None, "")] = catalogue.header_line
    for entry in catalogue.entries:
        key = (entry.domain, entry.msgctxt, entry.msgid)
        if key in seen:
            raise PoError(
                filename,
                entry.line,
                message(
                    N_("duplicate entry for msgid %(msgid)s (first at line %(first)d)"),
                    "po.duplicate",
                    msgid=repr(entry.msgid[:40]),
                    first=seen[key],
                ),
            )
        seen[key] = entry.line
        if (
            nplurals is not None
            and entry.msgid_plural is not None
            and len(entry.msgstr_plural) != nplurals
            and _compiled(entry)
        ):
            raise PoError(
                filename,
                entry.line,
                message(
                    source,
                    "po.plural-count",
                    found=len(entry.msgstr_plural),
                    nplurals=str(nplurals),
                ),
            )


_NO_MSGSTR = message(N_("entry has a msgid but no msgstr"), "po.no-msgstr")
_UNTERMINATED = message(N_("unterminated string: a closing quote is missing"), "po.unterminated")


def _no_msgid(keyword: str) -> Message:
    return message(N_("%(keyword)s without a msgid before it"), "po.no-msgid", keyword=keyword)


def _unknown_escape(sequence: str) -> Message:
    return message(N_("unknown escape sequence '\\%(sequence)s'"), "po.escape", sequence=sequence)
