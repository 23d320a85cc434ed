"""Share images: an alert or the palm card as one 1080 x 1350 PNG for Instagram and messengers.

Pure functions over an edition, like editions.py. `card(edition, campaign)` takes what the image
shows: the kind, the title, the first paragraphs after it, the date as the edition's date line
writes it (Solar Hijri and Persian digits in Farsi), a corrected edition's "Corrected on" line
and the campaign's name. `render_html(card)`
lays it out on one 1080px x 1350px page; `render_pdf` sets that page with WeasyPrint, with the
edition's bundled fonts only, and cuts what does not fit at the end of its last line that does,
with an ellipsis (measured on WeasyPrint's own layout: its `line-clamp` ellipsis is drawn in the
wrong place in right-to-left lines); `to_png` turns the page into exactly 1080 x 1350 pixels with
poppler's pdftoppm at 96 dpi. The same input gives the same bytes: the PNG carries no time.
"""

from __future__ import annotations

import hashlib
import html
import re
import struct
import subprocess
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from translator.formats import editions
from translator.languages import Language

SHARED_KINDS = ("alert", "palm-card")  # the documents that get a share image
CAMPAIGN = "International Emergency Campaign to Free Iran's Political Prisoners Now"
LEAD_PARAGRAPHS = 3
TITLE_LINES = 4
FOOTER_GAP = 40  # pixels between the last line of text and the footer's rule
MAX_CUTS = 5
ELLIPSIS = "…"
RENDERER_VERSION = "1"  # bump when the card's layout changes in a way its inputs do not show

# A piece of a block of text: ("text", raw text), ("open", tag, its end tag) or ("close", tag).
Piece = tuple[str, ...]
Block = tuple[Piece, ...]

_PARSER = MarkdownIt("commonmark", {"html": False, "typographer": False})
_MARKS: dict[str, Piece] = {
    editions.UNTRANSLATED[0]: (
        "open",
        '<span class="untranslated" lang="en" dir="ltr">',
        "</span>",
    ),
    editions.NEEDS_EDITING[0]: ("open", '<span class="needs-editing">', "</span>"),
    editions.UNTRANSLATED[1]: ("close", "</span>"),
    editions.NEEDS_EDITING[1]: ("close", "</span>"),
}
_INLINE: dict[str, Piece] = {
    "strong_open": ("open", "<strong>", "</strong>"),
    "strong_close": ("close", "</strong>"),
    "em_open": ("open", "<em>", "</em>"),
    "em_close": ("close", "</em>"),
    "softbreak": ("text", " "),
    "hardbreak": ("text", " "),
}
_DANGLING = " ,;:·—–-،؛"  # what a cut line never ends with before its ellipsis

_FACES = (  # family, file (the editions' bundled fonts), weight, style
    ("Card Serif", "NotoSerif-Regular.ttf", 400, "normal"),
    ("Card Serif", "NotoSerif-Bold.ttf", 700, "normal"),
    ("Card Serif", "NotoSerif-Italic.ttf", 400, "italic"),
    ("Card Serif", "NotoSerif-BoldItalic.ttf", 700, "italic"),
    ("Card Sans", "NotoSans-Regular.ttf", 400, "normal"),
    ("Card Sans", "NotoSans-Bold.ttf", 700, "normal"),
    ("Card Naskh", "NotoNaskhArabic-Regular.ttf", 400, "normal"),
    ("Card Naskh", "NotoNaskhArabic-Bold.ttf", 700, "normal"),
)
STYLE = (
    "".join(
        f'@font-face {{ font-family: "{family}"; src: url("fonts/{file}"); font-weight: {weight}; '
        f"font-style: {style}; }}\n"
        for family, file, weight, style in _FACES
    )
    + """
@page { size: 1080px 1350px; margin: 0; }
html { font-family: "Card Serif", serif; color: #1b1b1f; background: #fffdf9; }
html[lang="fa"] { font-family: "Card Naskh", "Card Sans", serif; }
html[lang="de"] .lead { hyphens: auto; }  /* the text; never a title or the campaign's name */
body { margin: 0; width: 1080px; height: 1350px; position: relative;
  border-top: 24px solid #a3161a; box-sizing: border-box; }
.top { position: absolute; top: 64px; left: 88px; right: 88px; height: 52px; }
.kind { font-family: "Card Sans", "Card Naskh", sans-serif; font-weight: 700; font-size: 34px;
  line-height: 52px; letter-spacing: .08em; text-transform: uppercase; color: #a3161a; margin: 0; }
.draft { position: absolute; top: 0; inset-inline-end: 0; margin: 0; padding: 0 22px;
  font-family: "Card Sans", "Card Naskh", sans-serif; font-weight: 700; font-size: 28px;
  line-height: 52px; color: #fff; background: #b08900; letter-spacing: .06em; }
html[lang="fa"] .kind, html[lang="fa"] .draft { font-family: "Card Naskh", sans-serif;
  letter-spacing: 0; }  /* spacing letters apart would break the joins of Persian script */
html[lang="fa"] .kind { font-size: 38px; }
main { position: absolute; top: 150px; left: 88px; right: 88px; bottom: 0; overflow: hidden; }
h1 { font-family: "Card Sans", "Card Naskh", sans-serif; font-weight: 700; margin: 0 0 44px;
  line-height: 1.14; }
html[lang="fa"] h1 { font-family: "Card Naskh", "Card Sans", sans-serif; line-height: 1.55; }
h1.size-l { font-size: 80px; } h1.size-m { font-size: 68px; } h1.size-s { font-size: 58px; }
.lead p { font-size: 38px; line-height: 1.45; margin: 0 0 22px; }
html[lang="fa"] .lead p { line-height: 1.8; }
html[lang="fa"] em { font-style: normal; font-weight: 700; }
.untranslated { background: #fff1b8; }
.needs-editing { background: #ffe3d6; }
footer { position: absolute; left: 88px; right: 88px; bottom: 72px; padding-top: 30px;
  border-top: 4px solid #a3161a; font-family: "Card Sans", "Card Naskh", sans-serif; }
html[lang="fa"] footer { font-family: "Card Naskh", "Card Sans", sans-serif; }
.date { font-size: 30px; line-height: 1.4; color: #5a5a63; margin: 0 0 14px; }
html[lang="fa"] .date { line-height: 1.6; margin-bottom: 8px; }
.campaign { font-size: 34px; font-weight: 700; line-height: 1.3; color: #a3161a; margin: 0; }
html[lang="fa"] .campaign { line-height: 1.7; }
"""
)


@dataclass(frozen=True)
class Card:
    """What a share image shows, in the edition's language."""

    language: Language
    kind: str
    label: str  # the kind, as the edition names it ("Urgent alert")
    title: Block
    lead: tuple[Block, ...]
    dates: tuple[str, ...]  # the date, and an alert's deadline, as the edition writes them
    campaign: str
    draft: str  # "Draft" in the language, or empty


def has_card(kind: str) -> bool:
    """Whether a document of this kind gets a share image."""
    return kind in SHARED_KINDS


def fingerprint() -> str:
    """What the image depends on beyond its inputs: the stylesheet and this module's version."""
    return hashlib.sha256(f"{RENDERER_VERSION}:{STYLE}".encode()).hexdigest()


def card(edition: editions.Edition, campaign: str = CAMPAIGN) -> Card:
    """The share image's content, from an edition (a draft keeps its marks)."""
    code = edition.language.code
    labels = editions.KINDS.get(edition.kind, {})
    return Card(
        language=edition.language,
        kind=edition.kind,
        label=labels.get(code) or labels.get("en") or edition.kind,
        title=_pieces(edition.title),
        lead=tuple(lead_of(edition.body)),
        dates=_dates(edition),
        campaign=campaign,
        draft=editions.word("draft", code) if edition.draft else "",
    )


def lead_of(body: str) -> list[Block]:
    """The first paragraphs after the title (an alert's lead and what follows it; the palm
    card's front): headings and lists are passed over, a rule (the card's back) ends them.
    Links keep only their text and images their description: a card loads nothing."""
    found: list[Block] = []
    in_lists = 0  # a list's items are not a lead's sentences
    tokens = _PARSER.parse(body)
    for index, token in enumerate(tokens):
        if token.type == "hr" or len(found) == LEAD_PARAGRAPHS:
            break
        if token.type in ("bullet_list_open", "ordered_list_open"):
            in_lists += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            in_lists -= 1
        elif token.type == "inline" and tokens[index - 1].type == "paragraph_open" and not in_lists:
            found.append(_inline(token.children or []))
    return found


def render_html(shown: Card) -> str:
    """The card as a standalone page; fonts come from `fonts/` beside the page's base URL."""
    lang = shown.language
    title = _html(shown.title, lang)
    lead = "".join(
        f'<p id="lead-{n}">{_html(block, lang)}</p>' for n, block in enumerate(shown.lead)
    )
    campaign = html.escape(shown.campaign)
    if lang.rtl:
        campaign = editions.isolate_latin(campaign, True)
    parts = [
        "<!doctype html>",
        f'<html lang="{lang.code}" dir="{lang.direction}" class="{shown.kind}">',
        '<head><meta charset="utf-8">',
        f"<title>{html.escape(_text(shown.title))}</title>",
        f"<style>{STYLE}</style></head>",
        "<body>",
        f'<div class="top"><p class="kind">{html.escape(shown.label)}</p>',
        f'<p class="draft">{html.escape(shown.draft)}</p></div>' if shown.draft else "</div>",
        f'<main><h1 id="title" class="size-{_title_size(shown.title)}">{title}</h1>',
        f'<div class="lead">{lead}</div></main>',
        "<footer>",
        *(f'<p class="date">{html.escape(line)}</p>' for line in shown.dates),
        f'<p class="campaign">{campaign}</p></footer>',
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def render_pdf(shown: Card, base_url: str) -> bytes:
    """The card set by WeasyPrint on its one page, reading files only under base_url: laid out,
    measured, and laid out again with what does not fit cut at a word, with an ellipsis."""
    # the package whole, first: jobs run in threads, and a thread importing one of its parts
    # while another imports the package can deadlock (seen once: _DeadlockError in a job)
    import weasyprint  # noqa: F401
    from weasyprint.text.fonts import FontConfiguration

    # one set of fonts for every layout of the card: each layout loading the eight faces again
    # was a sixth of the time of a card laid out three times (docs/decisions.md, "Edition speed")
    fonts = FontConfiguration()
    document = _layout(render_html(shown), base_url, fonts)
    # a cut each time: the title, the lead, a word more where an ellipsis took a line of its own
    for _ in range(MAX_CUTS):
        cut = _first_cut(shown, document.pages[0])
        if cut is None:
            break
        shown = _shortened(shown, *cut)
        document = _layout(render_html(shown), base_url, fonts)
    return bytes(document.copy(document.pages[:1]).write_pdf())


def to_png(pdf: bytes, run: Callable[..., Any] = subprocess.run) -> bytes:
    """The PDF's first page as a PNG of 1080 x 1350 pixels: poppler's pdftoppm rasterises it at
    96 dpi (as PPM, on standard output) and the PNG is written here, with nothing in it but the
    pixels (no time, no text), in half the time pdftoppm's own PNG writer takes."""
    done = run(
        ["pdftoppm", "-r", "96", "-singlefile", "-f", "1", "-l", "1", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return _png_of_ppm(done.stdout)


def _layout(page: str, base_url: str, fonts: Any) -> Any:
    from weasyprint import HTML  # imported here: it is slow to load and only files need it
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(base_url):
                raise ValueError(f"a share image loads nothing from elsewhere: {url}")
            return super().fetch(url, headers)

    fetcher = LocalOnly(allowed_protocols=("file",), fail_on_errors=True)
    return HTML(string=page, base_url=base_url, url_fetcher=fetcher).render(font_config=fonts)


def _first_cut(shown: Card, page: Any) -> tuple[str, int] | None:
    """The first block (`title`, `lead-<n>`) that did not fit, and how many of its characters
    (not counting spaces) did: the title in its first lines, the rest inside <main>."""
    shown_chars = _chars_shown(page)
    for name, block in [("title", shown.title)] + [
        (f"lead-{n}", b) for n, b in enumerate(shown.lead)
    ]:
        kept = shown_chars.get(name, 0)
        if kept < _count(_text(block)):
            return name, kept
    return None


def _chars_shown(page: Any) -> dict[str, int]:
    """For each block of the page, the characters on its lines that fit: the title's first
    lines, and every line above the footer (which grows upwards with what it holds)."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox

    boxes = list(page._page_box.descendants(placeholders=True))
    footer = next(box for box in boxes if box.element_tag == "footer")
    bottom = footer.position_y - FOOTER_GAP + 0.5
    counts: dict[str, int] = {}
    for box in boxes:
        name = box.element.get("id", "") if box.element_tag in ("h1", "p") else ""
        if name != "title" and not name.startswith("lead-"):
            continue
        lines = [line for line in box.children if isinstance(line, LineBox)]
        for line in lines[: TITLE_LINES if name == "title" else None]:
            if line.position_y + line.height <= bottom:
                texts = (t.text for t in line.descendants() if isinstance(t, TextBox))
                counts[name] = counts.get(name, 0) + _count("".join(texts))
    return counts


def _shortened(shown: Card, name: str, kept: int) -> Card:
    """The card with block `name` cut to its first `kept` characters at a word, an ellipsis
    after; the lead's later paragraphs are dropped (and this one too when none of it fit)."""
    if name == "title":
        return replace(shown, title=_cut(shown.title, kept))
    index = int(name.removeprefix("lead-"))
    kept_lead = shown.lead[:index] + ((_cut(shown.lead[index], kept),) if kept else ())
    return replace(shown, lead=kept_lead)


def _cut(block: Block, kept: int) -> Block:
    """The block's first `kept` non-space characters, back to the last whole word (when one
    ends before), without dangling punctuation, then an ellipsis and the tags left open."""
    text = _text(block)
    end, seen = 0, 0
    while end < len(text) and seen < kept:
        seen += _shows(text[end])
        end += 1
    if end < len(text) and not text[end].isspace():
        word_start = max(text.rfind(" ", 0, end), text.rfind("\u00a0", 0, end))
        end = word_start if word_start > 0 else end
    while end > 0 and (text[end - 1] in _DANGLING or text[end - 1] == ELLIPSIS):
        end -= 1
    out: list[Piece] = []
    open_tags: list[str] = []
    at = 0
    for piece in block:
        if piece[0] == "text":
            take = piece[1][: max(0, end - at)]
            at += len(piece[1])
            if take:
                out.append(("text", take))
        elif piece[0] == "open" and at < end:
            out.append(piece)
            open_tags.append(piece[2])
        elif piece[0] == "close" and open_tags:
            out.append(piece)
            open_tags.pop()
        if at >= end:
            break
    out.append(("text", ELLIPSIS))
    out.extend(("close", tag) for tag in reversed(open_tags))
    return tuple(out)


def _pieces(text: str) -> Block:
    """A plain text (a title) as pieces, its draft marks turned into tags."""
    out: list[Piece] = []
    start = 0
    for index, char in enumerate(text):
        if char in _MARKS:
            if index > start:
                out.append(("text", text[start:index]))
            out.append(_MARKS[char])
            start = index + 1
    if start < len(text):
        out.append(("text", text[start:]))
    return tuple(out)


def _inline(children: list[Token]) -> Block:
    out: list[Piece] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.extend(_pieces(child.content))
        elif child.type == "image":  # its description, as the editions show it
            out.extend(_pieces("".join(c.content for c in child.children or [])))
        elif child.type in _INLINE:
            out.append(_INLINE[child.type])
        # links: their text alone (link_open and link_close are left out)
    return tuple(out)


def _html(block: Block, language: Language) -> str:
    rendered = "".join(
        html.escape(piece[1], quote=False) if piece[0] == "text" else piece[1] for piece in block
    )
    # Latin names and untranslated English keep their own order in right-to-left text
    return editions.isolate_latin(rendered, True) if language.rtl else rendered


def _text(block: Block) -> str:
    return "".join(piece[1] for piece in block if piece[0] == "text")


def _count(text: str) -> int:
    return sum(map(_shows, text))


def _shows(char: str) -> bool:
    """Whether a character is counted where the text is measured: neither a space nor a format
    character (a ZWNJ) nor a hyphen, which WeasyPrint adds where it hyphenates a word."""
    return not char.isspace() and char not in "-\u2010" and unicodedata.category(char) != "Cf"


def _title_size(title: Block) -> str:
    """Short titles large, long ones smaller, so that most fit in their lines whole."""
    length = len(_text(title))
    return "l" if length <= 40 else "m" if length <= 70 else "s"


def _dates(edition: editions.Edition) -> tuple[str, ...]:
    """The date (and an alert's deadline) as the edition's date line writes them; a corrected
    edition's "Corrected on" line (its note is too long for a card: the edition has it)."""
    lines = []
    if edition.date:
        lines.append(editions.format_day(edition.date, edition.language))
    if edition.deadline and edition.kind == "alert":
        act_by = editions.word("deadline", edition.language.code)
        lines.append(f"{act_by} {editions.format_day(edition.deadline, edition.language)}")
    if edition.correction:
        day = editions.format_day(edition.correction.date, edition.language)
        lines.append(editions.word("corrected", edition.language.code, date=day))
    return tuple(lines)


def _png_of_ppm(ppm: bytes) -> bytes:
    """A binary PPM (P6, 8 bits) as an RGB PNG: each row unfiltered, deflated at level 6."""
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    if header is None:
        raise ValueError("pdftoppm gave no 8-bit PPM image")
    width, height = int(header.group(1)), int(header.group(2))
    pixels, stride = ppm[header.end() :], width * 3
    rows = b"".join(b"\0" + pixels[y * stride : (y + 1) * stride] for y in range(height))
    return b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in (
            (b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
            (b"IDAT", zlib.compress(rows, 6)),
            (b"IEND", b""),
        )
    )
