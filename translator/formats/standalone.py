"""Pages that need nothing but themselves, and the subset fonts a folder of pages shares.

`standalone(html, assets)` puts a page's stylesheet (an edition's or an index's) inline and, as
`data:` URIs, only the fonts its text needs, each cut down to the characters the page shows:
one file that works opened from disk, mailed or mirrored, and asks for nothing else. Its own
Content-Security-Policy (a `<meta>`, since a file from disk has no server) lets in that one
style element, by its hash, and `data:` fonts. The desk serves such a file as a download
(`Content-Disposition: attachment`): the browser saves it rather than showing it under the
desk's own header, so it is always read under its own policy.

`shared(pages, assets)` makes one stylesheet and one set of subset fonts for a folder of pages
(a pulled site), and `linked(html, href)` turns a standalone page back into one that links a
stylesheet, so that the pages of a site share their fonts.

Which fonts a page needs: a face of the stylesheet (`@font-face`) whose font has a letter the
page shows (Noto Naskh Arabic only for Persian, not for the digits it also has); italic faces
only in left-to-right pages that slant something (edition.css keeps emphasis and quotes upright
in Persian, which has no italic). Each is subset with fontTools (what WeasyPrint subsets PDFs
with), its layout features kept so that Persian joins and Latin kerns, and written as WOFF2.

`assets` is a folder laid out as services/builds.copy_assets makes it: edition.css and fonts/.
Pure: no database, no Flask.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]*)">')
_INLINE = re.compile(r'<style data-stylesheet="([^"]*)">.*?</style>', re.S)
_POLICY = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(">)')
_FACE = re.compile(r"@font-face\s*\{[^}]*\}\n?")
_SOURCE = re.compile(r'url\("([^"]+)"\)')
_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.S)
_TAG = re.compile(r"<[^>]*>")
_HTML = re.compile(r"<html\b[^>]*>")
_SLANTED = re.compile(r"<(em|i|cite|blockquote)\b")
# what the browser may show beyond the page's text: list counters and the hyphens it adds
_ALWAYS = " \u00a0-\u20100123456789."
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # edition.css counts Farsi lists in them


@dataclass(frozen=True)
class Face:
    """One `@font-face` rule of a stylesheet and the font file it names."""

    rule: str
    source: str  # as the stylesheet names it: fonts/NotoSerif-Regular.ttf
    italic: bool


@dataclass(frozen=True)
class Shown:
    """What a page asks of its fonts: the characters it shows, and whether anything is slanted."""

    characters: frozenset[str]
    slanted: bool


def standalone(html_text: str, assets: Path) -> str:
    """The page with its stylesheet inline and the fonts it needs as data: URIs (see above)."""
    link = _STYLESHEET.search(html_text)
    if link is None:
        return html_text
    name = PurePosixPath(link.group(1)).name
    css = (assets / name).read_text(encoding="utf-8")
    wanted = _fonts(css, assets, [shown(html_text)])
    css = _rewritten(css, {face: _data_uri(assets / face.source, text) for face, text in wanted})
    style = f'<style data-stylesheet="{name}">{css}</style>'
    page = html_text[: link.start()] + style + html_text[link.end() :]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return _with_policy(page, {"style-src": f"'sha256-{digest}'", "font-src": "data:"})


def linked(html_text: str, href: str) -> str:
    """A standalone page linking the stylesheet at `href` again, its policy to match."""
    if _INLINE.search(html_text) is None:
        return html_text
    page = _INLINE.sub(lambda _: f'<link rel="stylesheet" href="{href}">', html_text, count=1)
    return _with_policy(page, {"style-src": "'self'", "font-src": "'self'"})


def shared(
    pages: Iterable[str], assets: Path, *, css_name: str = "edition.css"
) -> dict[str, bytes]:
    """One stylesheet and the subset fonts that every page of a folder needs, by their names in
    the folder of assets: {"edition.css": ..., "fonts/NotoSerif-Regular.woff2": ...}."""
    css = (assets / css_name).read_text(encoding="utf-8")
    wanted = _fonts(css, assets, [shown(page) for page in pages])
    names = {face: f"fonts/{PurePosixPath(face.source).stem}.woff2" for face, _ in wanted}
    files = {names[face]: _subset(str(assets / face.source), text) for face, text in wanted}
    return {css_name: _rewritten(css, names).encode(), **files}


def shown(page: str) -> Shown:
    """The characters a page shows (its body's text, in both cases, with what the browser adds:
    list counters, hyphens) and whether it slants anything."""
    opening = _HTML.search(page)
    head = opening.group(0) if opening else ""
    body = _BODY.search(page)
    text = html.unescape(_TAG.sub("", body.group(1) if body else page))
    characters = set(text) | set(_ALWAYS)
    characters |= {c for letter in text for c in letter.upper() + letter.lower()}
    if 'lang="fa"' in head:
        characters |= set(_PERSIAN_DIGITS)
    if 'lang="tr"' in head and "i" in characters:
        characters.add("İ")  # text-transform: uppercase in Turkish
    slanted = bool(_SLANTED.search(page)) and 'dir="rtl"' not in head
    kept = frozenset(c for c in characters if c.isprintable() or c in "\u200c\u200d")
    return Shown(kept, slanted)


def faces(css: str) -> list[Face]:
    """The stylesheet's `@font-face` rules, each with its font file."""
    found = []
    for match in _FACE.finditer(css):
        source = _SOURCE.search(match.group(0))
        if source is not None:
            found.append(Face(match.group(0), source.group(1), "italic" in match.group(0)))
    return found


def _fonts(css: str, assets: Path, pages: list[Shown]) -> list[tuple[Face, str]]:
    """Each face some page needs, with the characters (sorted) it must hold for them all."""
    wanted = []
    for face in faces(css):
        path = assets / face.source
        if not path.is_file():
            continue
        covered = _covered(str(path))
        text: set[str] = set()
        for page in pages:
            if face.italic and not page.slanted:
                continue
            mine = {c for c in page.characters if ord(c) in covered}
            if any(unicodedata.category(c).startswith("L") for c in mine):
                text |= mine
        if text:
            wanted.append((face, "".join(sorted(text))))
    return wanted


def _rewritten(css: str, sources: dict[Face, str]) -> str:
    """The stylesheet with each face given its new source, and the faces without one left out
    (a rule pointing at a file that is not there would be a request, and a refused one)."""

    by_rule = {face.rule: source for face, source in sources.items()}

    def face(match: re.Match[str]) -> str:
        source = by_rule.get(match.group(0))
        if source is None:
            return ""
        return _SOURCE.sub(lambda _: f'url("{source}") format("woff2")', match.group(0), count=1)

    return _FACE.sub(face, css)


def _with_policy(page: str, directives: dict[str, str]) -> str:
    """The page's own Content-Security-Policy with these directives set (the rest kept)."""

    def rewrite(match: re.Match[str]) -> str:
        policy = {}
        for part in match.group(2).split(";"):
            name, _, value = part.strip().partition(" ")
            if name:
                policy[name] = value
        policy.update(directives)
        content = "; ".join(f"{name} {value}".strip() for name, value in policy.items())
        return f"{match.group(1)}{content}{match.group(3)}"

    return _POLICY.sub(rewrite, page, count=1)


def _data_uri(font: Path, text: str) -> str:
    data = base64.b64encode(_subset(str(font), text)).decode()
    return f"data:font/woff2;base64,{data}"


@functools.lru_cache(maxsize=16)
def _covered(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


@functools.lru_cache(maxsize=64)
def _subset(path: str, text: str) -> bytes:
    """The font cut down to `text` (and the glyphs its layout reaches from them), as WOFF2;
    the same font and text give the same bytes. Kept per process: a page made again (or the
    pages of one language) asks for the same subsets."""
    from fontTools import subset  # imported here: only pages being made need it

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # a third smaller; browsers set unhinted outlines well
    options.name_IDs = ["*"]  # the font's names and licence travel with it (SIL OFL)
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()
