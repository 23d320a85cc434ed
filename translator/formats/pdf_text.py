"""Gives each invisible character of an edition's PDF (the half-space ZWNJ of «می‌خواهیم» above
all) a blank glyph named in the ToUnicode map, so that it copies out of the PDF with its word."""

from __future__ import annotations

import html
import re
import struct
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

# HarfBuzz, through Pango, shapes every default-ignorable character into Pango's empty glyph, and
# WeasyPrint writes that as a zero-width step in a TJ array (`0.0`), with no glyph and so nothing
# for a reader to copy: «می‌خواهیم» comes out as «میخواهیم». Run as WeasyPrint's finisher, on the
# PDF objects before they are written, this puts in each step a glyph of the same font that the
# subset left without outline, of width 0, mapped to the character: nothing moves or prints
# differently (docs/decisions.md, "Persian that copies out of the PDF").
#
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): what HarfBuzz hides
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
# the zero-width step WeasyPrint writes for an empty glyph (its other numbers are integers or
# non-zero), or a glyph string
_TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|(?<![0-9.])(-?0\.0)(?![0-9])")
_FONT_SET = re.compile(rb"^/(\S+) \S+ Tf$")
_BFCHAR = re.compile(rb"^<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>$")


def finisher(page: str) -> Callable[[Any, Any], None]:
    """A WeasyPrint finisher for the PDF of `page` (the HTML it lays out)."""
    text = html.unescape(page)
    kinds = [kind for kind, _ in Counter(_INVISIBLE.findall(text)).most_common()]

    def finish(_document: Any, pdf: Any) -> None:
        if kinds:
            name_invisible_characters(pdf, text, kinds)

    return finish


def name_invisible_characters(pdf: Any, text: str, kinds: list[str]) -> None:
    """Give every zero-width empty step of the PDF's text a blank glyph named after its character
    (kinds: the invisible characters of `text`, the most frequent first)."""
    fonts = _fonts(pdf)
    for stream in _content_streams(pdf):
        font: _Font | None = None
        for index, item in enumerate(stream):
            if not isinstance(item, bytes):
                continue
            if item.endswith(b" Tf"):
                match = _FONT_SET.match(item)
                font = fonts.get(match.group(1)) if match else None
            elif font and item.endswith(b"] TJ") and b"0.0" in item:
                stream[index] = _named(item, font, text, kinds)
    for font in fonts.values():
        font.write()


class _Font:
    """A Type 0 font of the PDF: its glyphs' text, and the blank glyphs given to characters."""

    def __init__(self, pdf: Any, type0: Any) -> None:
        self.cid_font = _get(pdf, type0["DescendantFonts"][0])
        self.to_unicode = _get(pdf, type0["ToUnicode"]).stream
        self.text = {
            int(match.group(1), 16): bytes.fromhex(match.group(2).decode()).decode("utf-16-be")
            for line in self.to_unicode
            if isinstance(line, bytes) and (match := _BFCHAR.match(line))
        }
        descriptor = _get(pdf, self.cid_font["FontDescriptor"])
        program = descriptor.get("FontFile2")
        self.blanks = _blank_glyphs(_get(pdf, program).stream[0]) if program else iter(())
        widths = self.cid_font["W"]
        self.used = set(self.text) | {
            start + offset
            for start, run in zip(widths[::2], widths[1::2], strict=True)
            for offset in range(len(run))
        }
        self.given: dict[str, int] = {}

    def glyph(self, character: str) -> int | None:
        """The blank glyph standing for `character` (None when the font has no blank to spare)."""
        if character not in self.given:
            spare = next((g for g in self.blanks if g not in self.used), None)
            if spare is None:
                return None
            self.given[character] = spare
        return self.given[character]

    def write(self) -> None:
        if not self.given:
            return
        widths = self.cid_font["W"]
        run = type(widths[1]) if widths else list
        for glyph in sorted(self.given.values()):
            starts = [i for i in range(0, len(widths), 2) if widths[i] > glyph]
            at = starts[0] if starts else len(widths)
            widths[at:at] = [glyph, run([0])]  # kept in order: c [w] c [w] ...
        entries = [
            f"<{glyph:04x}> <{character.encode('utf-16-be').hex()}>".encode()
            for character, glyph in sorted(self.given.items(), key=lambda item: item[1])
        ]
        end = self.to_unicode.index(b"endcmap")
        self.to_unicode[end:end] = [f"{len(entries)} beginbfchar".encode(), *entries, b"endbfchar"]


def _named(item: bytes, font: _Font, text: str, kinds: list[str]) -> bytes:
    """A TJ operation with its zero-width steps turned into named blank glyphs."""
    tokens = list(_TOKEN.finditer(item))
    out, last = [], 0
    for index, token in enumerate(tokens):
        if token.group(2) is None:
            continue
        before = _neighbour(tokens[:index][::-1], font, last=True)
        after = _neighbour(tokens[index + 1 :], font, last=False)
        character = _which(before, after, text, kinds)
        glyph = font.glyph(character) if character else None
        if glyph is not None:
            out += [item[last : token.start()], f"<{glyph:04x}>".encode()]
            last = token.end()
    return b"".join([*out, item[last:]])


def _neighbour(tokens: list[re.Match[bytes]], font: _Font, *, last: bool) -> str:
    """The text of the glyph next to a step: the nearest glyph string's last or first glyph."""
    for token in tokens:
        glyphs = token.group(1)
        if glyphs:
            code = glyphs[-4:] if last else glyphs[:4]
            return font.text.get(int(code, 16), "")
    return ""


def _which(before: str, after: str, text: str, kinds: list[str]) -> str | None:
    """The invisible character a step stands for: the page's only kind (every shipped Farsi
    edition has ZWNJ alone), else the kind the page has between the glyphs around the step (they
    run in visual order: in right-to-left text `after` comes first), else none."""
    if len(kinds) == 1:
        return kinds[0]
    if not (before or after):
        return None
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in before[-1:] + after[:1]):
        before, after = after, before
    return next((kind for kind in kinds if f"{before}{kind}{after}" in text), None)


def _fonts(pdf: Any) -> dict[bytes, _Font]:
    """The Type 0 fonts of the PDF by the names its content streams use."""
    fonts: dict[bytes, _Font] = {}
    for resources in pdf.objects:
        if not isinstance(resources, dict) or "Font" not in resources:
            continue
        for name, reference in _get(pdf, resources["Font"]).items():
            font = _get(pdf, reference)
            key = str(name).encode()
            if key in fonts or font.get("Subtype") != "/Type0":
                continue
            if font.get("Encoding") == "/Identity-H" and "ToUnicode" in font:
                fonts[key] = _Font(pdf, font)
    return fonts


def _content_streams(pdf: Any) -> Iterator[list[Any]]:
    for item in pdf.objects:
        stream = getattr(item, "stream", None)
        if isinstance(stream, list) and any(
            isinstance(op, bytes) and op.endswith(b"] TJ") for op in stream
        ):
            yield stream


def _get(pdf: Any, reference: Any) -> Any:
    """The object a reference (b"12 0 R") points to; anything else as it is."""
    if isinstance(reference, bytes) and reference.endswith(b" 0 R"):
        return pdf.objects[int(reference.split()[0])]
    return reference


def _blank_glyphs(program: bytes) -> Iterator[int]:
    """The glyphs of a TrueType font program that draw nothing (no outline), after .notdef."""
    if program[:4] not in (b"\x00\x01\x00\x00", b"true"):
        return
    (count,) = struct.unpack(">H", program[4:6])
    tables = {}
    for index in range(count):
        tag, _, offset, _ = struct.unpack(">4sIII", program[12 + 16 * index : 28 + 16 * index])
        tables[tag] = offset
    if not {b"head", b"loca", b"maxp"} <= tables.keys():
        return
    (glyph_count,) = struct.unpack(">H", program[tables[b"maxp"] + 4 : tables[b"maxp"] + 6])
    (long_offsets,) = struct.unpack(">h", program[tables[b"head"] + 50 : tables[b"head"] + 52])
    size = 4 if long_offsets else 2
    start = tables[b"loca"]
    offsets = struct.unpack(
        f">{glyph_count + 1}{'I' if long_offsets else 'H'}",
        program[start : start + size * (glyph_count + 1)],
    )
    for glyph in range(1, glyph_count):
        if offsets[glyph] == offsets[glyph + 1]:
            yield glyph
