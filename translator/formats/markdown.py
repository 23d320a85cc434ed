"""Segment campaign documents (Markdown with YAML front matter) into units, and render them back.

One parser, used both ways: `segment` walks markdown-it's block tokens and yields a unit per block;
`render` walks the same tokens and writes each unit's translation back over the lines it came from,
so everything that is not a unit (list markers, quote markers, indentation, tables, blank lines,
front matter other than the title) stays exactly as it was.

The rules:

- The front matter is YAML between a first line ``---`` and the next ``---`` line. Its ``title`` is
  a unit of type ``title``; other keys are metadata, never translated.
- Each heading (ATX or setext) is one unit of type ``heading``.
- Each paragraph is one unit: ``list-item`` when its nearest container is a list item (nested
  lists included, each item on its own), ``quote`` when it is a block quote (each paragraph of a
  quote on its own), otherwise ``paragraph``.
- Each table cell, header cells included, is one unit of type ``table-cell``.
- Code blocks, fenced code, raw HTML and thematic breaks are not translated.
- Inline markup (emphasis, links, images, inline code) stays in the unit as Markdown, so the
  translator sees it and keeps it.
- A soft line break inside a block becomes one space; a hard line break becomes a backslash and a
  newline. Blocks whose text is empty yield no unit.
- CRLF and CR line endings are read as LF; a byte order mark is ignored.
- Line numbers are 1-based and count the front matter, so ``emergency-appeal.md:12`` points at the
  line where the block starts in the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

BLOCK_TYPES = ("title", "heading", "paragraph", "list-item", "quote", "table-cell")

_PARSER = MarkdownIt("commonmark").enable("table")
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class MarkdownError(ValueError):
    """A source text that cannot be read, with the file and line where the problem is."""

    def __init__(self, filename: str, line: int, message: str) -> None:
        super().__init__(f"{filename}:{line}: {message}")
        self.filename = filename
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Block:
    """One translatable unit of a document, as it stands in the source."""

    text: str
    type: str
    line: int


@dataclass(frozen=True)
class SourceDocument:
    """A parsed source text: its front matter and its units in document order."""

    meta: dict[str, Any]
    blocks: list[Block]


@dataclass(frozen=True)
class _Span:
    """Where a block's text sits: 0-based body lines [start, end), and its text as written."""

    start: int
    end: int
    raw: str
    type: str


def normalise_newlines(text: str) -> str:
    """Read CRLF and CR as LF and drop a byte order mark."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str, filename: str = "<string>") -> SourceDocument:
    """Parse a document into its front matter and its units."""
    text = normalise_newlines(text)
    meta, title_line, body, offset = _split_front_matter(text, filename)
    blocks: list[Block] = []
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        blocks.append(Block(unit_text(title), "title", title_line))
    for span in _spans(body):
        text_ = unit_text(span.raw)
        if text_:
            blocks.append(Block(text_, span.type, span.start + offset + 1))
    return SourceDocument(meta, blocks)


def segment(text: str, filename: str = "<string>") -> list[Block]:
    """The units of a document, in order."""
    return parse(text, filename).blocks


def render(text: str, lookup: Callable[[str], str], filename: str = "<string>") -> str:
    """Rebuild a document with each unit replaced by ``lookup(unit text)``.

    A unit whose lookup returns its own text keeps its original lines byte for byte, so an identity
    lookup gives back the document unchanged (with LF line endings).
    """
    text = normalise_newlines(text)
    meta, title_line, body, offset = _split_front_matter(text, filename)
    head = text[: len(text) - len(body)]
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        head = _render_title(head, title_line - 1, title, lookup)
    lines = body.split("\n")
    edits: dict[int, tuple[int, list[str]]] = {}
    for start, group in _group_by_row(_spans(body)):
        edit = _render_spans(lines, group, lookup)
        if edit is not None:
            edits[start] = edit
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in edits:
            end, new_lines = edits[index]
            out.extend(new_lines)
            index = end
        else:
            out.append(lines[index])
            index += 1
    return head + "\n".join(out)


def unit_text(raw: str) -> str:
    """A block's text as a unit: soft breaks become spaces, hard breaks a backslash and newline."""
    parts = raw.strip().split("\n")
    pieces: list[str] = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        stripped = part.strip()
        if not last and _HARD_BREAK.search(part):
            pieces.append(stripped.rstrip("\\").rstrip() + "\\\n")
        else:
            pieces.append(stripped + ("" if last else " "))
    return "".join(pieces)


def _split_front_matter(text: str, filename: str) -> tuple[dict[str, Any], int, str, int]:
    """Return (metadata, 1-based line of the title, body, number of lines before the body)."""
    if not text.startswith("---\n"):
        return {}, 0, text, 0
    lines = text.split("\n")
    try:
        close = lines.index("---", 1)
    except ValueError:
        raise MarkdownError(filename, 1, "front matter opened with '---' is never closed") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:close])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise MarkdownError(filename, line, f"front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise MarkdownError(filename, 2, "front matter must be a mapping of keys to values")
    title_line = next(
        (n + 1 for n, line in enumerate(lines[1:close], start=1) if line.startswith("title:")), 0
    )
    body = "\n".join(lines[close + 1 :])
    return meta, title_line, body, close + 1


def _spans(body: str) -> Iterator[_Span]:
    """Every translatable block of a Markdown body, with its lines and raw text."""
    containers: list[str] = []
    block_type = "paragraph"
    for token in _PARSER.parse(body):
        if token.type in ("list_item_open", "blockquote_open"):
            containers.append(token.type)
        elif token.type in ("list_item_close", "blockquote_close"):
            containers.pop()
        elif token.type == "heading_open":
            block_type = "heading"
        elif token.type in ("th_open", "td_open"):
            block_type = "table-cell"
        elif token.type == "paragraph_open":
            block_type = _paragraph_type(containers)
        elif token.type == "inline":
            yield _span(token, block_type)


def _paragraph_type(containers: list[str]) -> str:
    if not containers:
        return "paragraph"
    return "list-item" if containers[-1] == "list_item_open" else "quote"


def _span(token: Token, block_type: str) -> _Span:
    assert token.map is not None, "markdown-it gives every inline token its lines"
    return _Span(token.map[0], token.map[1], token.content, block_type)


def _group_by_row(spans: Iterator[_Span]) -> Iterator[tuple[int, list[_Span]]]:
    """Group spans that share their first line (the cells of one table row)."""
    group: list[_Span] = []
    for span in spans:
        if group and span.start != group[0].start:
            yield group[0].start, group
            group = []
        group.append(span)
    if group:
        yield group[0].start, group


def _render_spans(
    lines: list[str], group: list[_Span], lookup: Callable[[str], str]
) -> tuple[int, list[str]] | None:
    """The new lines for one block (or one table row), or None when nothing changes."""
    translations = []
    for span in group:
        source = unit_text(span.raw)
        translated = lookup(source) if source else source
        translations.append(translated)
    if all(t == unit_text(s.raw) for t, s in zip(translations, group, strict=True)):
        return None
    first = group[0]
    if first.type == "table-cell":
        return first.end, [_render_row(lines[first.start], group, translations)]
    prefix, suffix = _affixes(lines[first.start], first.raw.split("\n")[0])
    continuation = re.sub(r"[^>]", " ", prefix)
    new = _BLANK_LINES.sub("\n", translations[0].strip()).split("\n")
    rendered = [prefix + new[0] + suffix] + [continuation + line for line in new[1:]]
    return first.end, rendered


def _affixes(line: str, first_content_line: str) -> tuple[str, str]:
    """What stands before and after a block's text on its first line (markers, closing #s)."""
    content = first_content_line.strip()
    position = line.rfind(content)
    if position < 0:
        raise ValueError(f"cannot place block text {content!r} in line {line!r}")
    # Only an ATX heading's closing #s stand after the text; trailing spaces of a hard break do not.
    return line[:position], line[position + len(content) :].rstrip()


def _render_row(line: str, cells: list[_Span], translations: list[str]) -> str:
    """A table row with each cell's text replaced, the pipes and padding kept."""
    out: list[str] = []
    position = 0
    for cell, translated in zip(cells, translations, strict=True):
        content = cell.raw.strip()
        found = line.find(content, position) if content else -1
        if found < 0:
            continue
        out.append(line[position:found])
        out.append(" ".join(translated.split()).replace("|", "\\|"))
        position = found + len(content)
    out.append(line[position:])
    return "".join(out)


def _render_title(head: str, index: int, title: str, lookup: Callable[[str], str]) -> str:
    translated = lookup(unit_text(title))
    if translated == unit_text(title):
        return head
    lines = head.split("\n")
    lines[index] = "title: " + json.dumps(" ".join(translated.split()), ensure_ascii=False)
    return "\n".join(lines)


def metadata_date(meta: dict[str, Any], key: str) -> date | None:
    """A date from the front matter (YAML reads ISO dates as dates), or None when absent."""
    value = meta.get(key)
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
