"""At the edge, direction: the one helper that isolates content and user text inside the
interface, so that a text whose direction is not the page's keeps its own order (an English
glossary note in the Farsi interface, a Farsi note in the French one, a slug, a file:line, a
URL, a date in Latin digits, a Markdown link inside a Farsi translation).

In a template:

    {{ text|isolate }}                   <bdi>: its direction found from the text itself
    {{ slug|isolate("ltr") }}            <bdi dir="ltr">: a text known to be Latin
    {{ text|isolate(lang="fa") }}        <bdi lang="fa" dir="rtl">, its Latin runs isolated
    {{ note|isolate_block("p", class="note") }}
                                         <p class="note" dir="auto">: a note, a comment

A text is escaped; a `Markup` (a text already prepared, as the editor's `readable`) is taken as
it is. What becomes a PDF is not made here: WeasyPrint ignores `<bdi>`, and the editions isolate
with `dir` spans (translator.formats.editions.isolate_latin)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from translator import languages
from translator.formats.editions import isolate_latin

DIRECTIONS = ("auto", "ltr", "rtl")


def init_app(app: Flask) -> None:
    app.add_template_filter(isolate)
    app.add_template_filter(isolate_block)


def isolated(text: str) -> str:
    """A right-to-left text, escaped, its Latin runs isolated so that "%(days)d" or a link
    keeps its order inside Farsi."""
    return isolate_latin(str(escape(text)), False)


def inside(value: Any, lang: str | None = None) -> Markup:
    """A text as it goes inside an isolating element: escaped and, in a right-to-left language,
    its Latin runs isolated; a `Markup` as it is."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    return Markup(isolated(text)) if _direction_of(lang) == "rtl" else escape(text)


def isolate(
    value: Any, direction: str | None = None, lang: str | None = None, **attributes: Any
) -> Markup:
    """Content or user text inside the interface as an inline isolate: `<bdi>`, its direction
    `direction` ("ltr" for a text known to be Latin), else its language's, else the text's;
    other attributes (`class`, `id`) as given."""
    chosen = _chosen(direction, lang)
    return Markup("<bdi{}>{}</bdi>").format(
        _attributes(lang, chosen, attributes), inside(value, lang)
    )


def isolate_block(
    value: Any,
    tag: str = "p",
    direction: str | None = None,
    lang: str | None = None,
    **attributes: Any,
) -> Markup:
    """Content or user text that is a block (a note, a comment, a paragraph of source): the
    element `tag` with `dir` (its language's, else "auto": the text's own)."""
    if not tag.isalnum():
        raise ValueError(f"not an element name: {tag!r}")
    chosen = _chosen(direction, lang) or "auto"
    return Markup("<{0}{1}>{2}</{0}>").format(
        Markup(tag), _attributes(lang, chosen, attributes), inside(value, lang)
    )


def _chosen(direction: str | None, lang: str | None) -> str | None:
    if direction is not None and direction not in DIRECTIONS:
        raise ValueError(f"not a direction: {direction!r}")
    return direction or _direction_of(lang)


def _direction_of(lang: str | None) -> str | None:
    """The direction of a language the desk knows (English or a target), else None."""
    if not lang:
        return None
    try:
        return languages.get(str(lang)).direction
    except (KeyError, ValueError):
        return None


def _attributes(lang: str | None, direction: str | None, others: dict[str, Any]) -> Markup:
    """lang and dir first, then the others (class, id) as given."""
    given = [(name.rstrip("_"), value) for name, value in others.items() if value is not None]
    if not all(name.replace("-", "").isalnum() for name, _ in given):
        raise ValueError(f"not attribute names: {list(others)}")
    pairs = [("lang", lang)] if lang else []
    if direction:
        pairs.append(("dir", direction))
    pairs += given
    return Markup("").join(Markup(' {}="{}"').format(Markup(name), value) for name, value in pairs)
