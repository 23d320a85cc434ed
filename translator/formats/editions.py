"""Editions: a localised document as an HTML page and, through WeasyPrint, a PDF.

Pure functions: `render_html(edition)` and `render_pdf(html, base_url)`. The body is the localised
Markdown rendered by the same parser that segments it (raw HTML never passes through). In right-to-
left editions Latin runs (names, URLs, handles) are isolated left-to-right: `<bdi>` in browsers, a
`dir="ltr"` span in what WeasyPrint prints (it ignores `<bdi>`). Dates: Farsi gives the Solar Hijri
date with Persian month names and digits, the Gregorian beside it; other languages use CLDR's.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_date
from markdown_it import MarkdownIt

from translator import numerals
from translator.formats import pdf_text
from translator.languages import Language

ASSETS = Path(__file__).parent / "edition"
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONTS = (
    "NotoSerif-Regular.ttf",
    "NotoSerif-Bold.ttf",
    "NotoSerif-Italic.ttf",
    "NotoSerif-BoldItalic.ttf",
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoNaskhArabic-Regular.ttf",
    "NotoNaskhArabic-Bold.ttf",
)
PAPERS = {"a4": "A4", "letter": "letter"}

# Marks put around unit texts by the caller: not yet translated, needs editing.
UNTRANSLATED = ("\ue000", "\ue001")
NEEDS_EDITING = ("\ue002", "\ue003")

_PARSER = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
# An HTML edition is opened from disk, mailed, mirrored: no server's header protects it, so it
# carries its own policy. Nothing from another origin, no script, no form.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def _image_as_text(_renderer: Any, tokens: list[Any], idx: int, *_: Any) -> str:
    """An image in a translation (or the English) would be a request to wherever it points: the
    desk ships no images, so an edition shows the image's description instead."""
    alt = "".join(child.content for child in tokens[idx].children or [])
    return f'<span class="image">{html.escape(alt)}</span>'


_PARSER.add_render_rule("image", _image_as_text)
_LATIN_WORD = r"[A-Za-z0-9@][A-Za-z0-9@._:/&'’()\-]*"
# a Latin run; it may open with a placeholder's "%(" or "{" (%(count)d, {name}), which keeps
# its own left-to-right order too
_LATIN_RUN = re.compile(
    rf"(?:%\(|\{{)?[A-Za-z@][A-Za-z0-9@._:/&'’(){{}}\-]*(?:[ \u00a0]{_LATIN_WORD})*"
)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
# what a Latin run never ends with: the sentence's punctuation and quotes belong to the Farsi
# around it (an isolated run would carry them to its other side)
_NOT_AN_END = frozenset(".,;:!?'’\"”“»«-–—")
_CLOSERS = {")": "(", "]": "[", "}": "{"}

WORDS: dict[str, dict[str, str]] = {
    "draft": {
        "en": "Draft",
        "fa": "پیش‌نویس",
        "tr": "Taslak",
        "fr": "Brouillon",
        "es": "Borrador",
        "de": "Entwurf",
        "pt": "Rascunho",
    },
    "untranslated": {
        "en": "Not yet translated",
        "fa": "هنوز ترجمه نشده",
        "tr": "Henüz çevrilmedi",
        "fr": "Pas encore traduit",
        "es": "Aún sin traducir",
        "de": "Noch nicht übersetzt",
        "pt": "Ainda não traduzido",
    },
    "needs-editing": {
        "en": "Needs editing",
        "fa": "نیازمند ویرایش",
        "tr": "Düzeltilmeli",
        "fr": "À revoir",
        "es": "Por revisar",
        "de": "Zu überarbeiten",
        "pt": "A rever",
    },
    "page": {
        "en": "Page {page} of {pages}",
        "fa": "صفحهٔ {page} از {pages}",
        "tr": "Sayfa {page} / {pages}",
        "fr": "Page {page} sur {pages}",
        "es": "Página {page} de {pages}",
        "de": "Seite {page} von {pages}",
        "pt": "Página {page} de {pages}",
    },
    "languages": {
        "en": "Other languages",
        "fa": "زبان‌های دیگر",
        "tr": "Diğer diller",
        "fr": "Autres langues",
        "es": "Otros idiomas",
        "de": "Andere Sprachen",
        "pt": "Outros idiomas",
    },
    "share-image": {
        "en": "share image",
        "fa": "تصویر برای هم‌رسانی",
        "tr": "paylaşım görseli",
        "fr": "image à partager",
        "es": "imagen para compartir",
        "de": "Bild zum Teilen",
        "pt": "imagem para compartilhar",
    },
    "deadline": {
        "en": "Act by",
        "fa": "مهلت اقدام",
        "tr": "Son tarih",
        "fr": "Agir avant le",
        "es": "Actuar antes del",
        "de": "Handeln bis",
        "pt": "Agir até",
    },
    # a corrected edition's note (and the share image's line): {date} as format_day writes it
    "corrected": {
        "en": "Corrected on {date}",
        "fa": "اصلاح‌شده در {date}",
        "tr": "{date} tarihinde düzeltildi",
        "fr": "Corrigé le {date}",
        "es": "Corregido el {date}",
        "de": "Korrigiert am {date}",
        "pt": "Corrigido em {date}",
    },
    "replaces": {
        "en": "This version replaces version {number} of {date}.",
        "fa": "این نسخه جایگزین نسخهٔ {number} مورخ {date} است.",
        "tr": "Bu sürüm, {date} tarihli {number} numaralı sürümün yerini alır.",
        "fr": "Cette version remplace la version {number} du {date}.",
        "es": "Esta versión sustituye a la versión {number} del {date}.",
        "de": "Diese Fassung ersetzt Fassung {number} vom {date}.",
        "pt": "Esta versão substitui a versão {number} de {date}.",
    },
    "corrected-passages": {
        "en": "Corrected passages:",
        "fa": "بخش‌های اصلاح‌شده:",
        "tr": "Düzeltilen bölümler:",
        "fr": "Passages corrigés\u202f:",
        "es": "Pasajes corregidos:",
        "de": "Korrigierte Stellen:",
        "pt": "Trechos corrigidos:",
    },
}
KINDS: dict[str, dict[str, str]] = {
    "appeal": {
        "en": "Emergency appeal",
        "fa": "فراخوان اضطراری",
        "tr": "Acil çağrı",
        "fr": "Appel d’urgence",
        "es": "Llamamiento urgente",
        "de": "Dringlichkeitsappell",
        "pt": "Apelo de emergência",
    },
    "alert": {
        "en": "Urgent alert",
        "fa": "هشدار فوری",
        "tr": "Acil eylem çağrısı",
        "fr": "Alerte urgente",
        "es": "Alerta urgente",
        "de": "Eilaufruf",
        "pt": "Alerta urgente",
    },
    "press-release": {
        "en": "Press release",
        "fa": "بیانیهٔ مطبوعاتی",
        "tr": "Basın açıklaması",
        "fr": "Communiqué de presse",
        "es": "Nota de prensa",
        "de": "Pressemitteilung",
        "pt": "Comunicado de imprensa",
    },
    "faq": {
        "en": "Questions and answers",
        "fa": "پرسش و پاسخ",
        "tr": "Sorular ve yanıtlar",
        "fr": "Questions et réponses",
        "es": "Preguntas y respuestas",
        "de": "Fragen und Antworten",
        "pt": "Perguntas e respostas",
    },
    "palm-card": {
        "en": "Palm card",
        "fa": "کارت جیبی",
        "tr": "Cep kartı",
        "fr": "Carte de poche",
        "es": "Tarjeta de bolsillo",
        "de": "Taschenkarte",
        "pt": "Cartão de bolso",
    },
}


@dataclass(frozen=True)
class Alternate:
    language: Language
    href: str


@dataclass(frozen=True)
class Correction:
    """What a corrected edition says of its correction: when, which version it replaces (its
    number and date) and the corrected passages (unit texts, inline Markdown)."""

    date: dt.date
    of_number: int
    of_date: dt.date
    passages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """Everything an edition shows: the localised title and body, and how to present them."""

    slug: str
    kind: str
    language: Language
    title: str
    body: str  # localised Markdown, unit texts possibly wrapped in the marks above
    date: dt.date | None = None
    deadline: dt.date | None = None
    draft: bool = False
    paper: str = "a4"
    alternates: tuple[Alternate, ...] = field(default_factory=tuple)
    assets: str = "../assets"  # where edition.css and fonts/ are, relative to the page
    correction: Correction | None = None  # the note of an edition published as a correction


def word(key: str, language: str, **values: str) -> str:
    text = WORDS[key].get(language) or WORDS[key]["en"]
    return text.format(**values)


def localised_digits(text: str, language: Language) -> str:
    return text.translate(str.maketrans("0123456789", language.digits))


def gregorian(day: dt.date, code: str, width: str = "long") -> str:
    """Babel's date in a language; in French the first of a month is "1er" ("1er décembre
    2026"), the ordinal French typography writes and CLDR's patterns leave out."""
    text = format_date(day, format=width, locale=code)
    if code == "fr" and day.day == 1 and text.startswith("1 "):
        return "1er" + text[1:]
    return text


def format_day(day: dt.date, language: Language) -> str:
    """A date as the edition prints it: Farsi Solar Hijri with the Gregorian beside it."""
    gregorian_day = localised_digits(gregorian(day, language.code), language)
    if language.code != "fa":
        return gregorian_day
    year, month, date_of_month = numerals.gregorian_to_jalali(day.year, day.month, day.day)
    solar = localised_digits(f"{date_of_month} ", language) + numerals.PERSIAN_MONTHS[month - 1]
    return f"{solar} {localised_digits(str(year), language)} ({gregorian_day})"


def render_html(edition: Edition, for_print: bool = False) -> str:
    """The edition as a standalone HTML5 page (for_print: the variant WeasyPrint lays out)."""
    lang = edition.language
    body = _mark_units(_PARSER.render(edition.body), lang.code)
    title = _mark_units(html.escape(edition.title), lang.code)
    if lang.rtl:
        body, title = isolate_latin(body, for_print), isolate_latin(title, for_print)
    meta = _meta_line(edition)
    note = correction_note(edition.correction, lang, for_print) if edition.correction else ""
    page_label = word("page", lang.code, page="\ue100", pages="\ue101")
    parts = [
        "<!doctype html>",
        f'<html lang="{lang.code}" dir="{lang.direction}" class="{edition.kind} '
        f'paper-{edition.paper}{" draft" if edition.draft else ""}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        f"<title>{html.escape(_plain(edition.title))}</title>",
        '<meta name="author" content="International Emergency Campaign to Free Iran\'s '
        'Political Prisoners Now">',
        f'<link rel="stylesheet" href="{edition.assets}/edition.css">',
        *(
            f'<link rel="alternate" hreflang="{a.language.code}" href="{a.href}">'
            for a in edition.alternates
        ),
        f"<style>{_page_style(edition, page_label)}</style>" if for_print else "",
        "</head>",
        "<body>",
        _draft_banner(edition) if edition.draft else "",
        f'<header><p class="kind">{html.escape(_kind(edition))}</p>',
        f"<h1>{title}</h1>",
        f'<p class="meta">{meta}</p></header>' if meta else "</header>",
        note if edition.kind != "palm-card" else "",
        f"<main>\n{body}</main>",
        note if edition.kind == "palm-card" else "",  # the card's two sides come first
        _switcher(edition) if edition.alternates and not for_print else "",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def render_pdf(page: str, base_url: str) -> bytes:
    """Lay out an edition's print HTML with WeasyPrint: fonts embedded and subset, every
    character copying out of it (pdf_text: the half-space of Farsi words included)."""
    from weasyprint import HTML  # imported here: it is slow to load and only PDFs need it

    return HTML(string=page, base_url=base_url).write_pdf(finisher=pdf_text.finisher(page))


def _kind(edition: Edition) -> str:
    labels = KINDS.get(edition.kind, {})
    return labels.get(edition.language.code) or labels.get("en") or edition.kind


def _meta_line(edition: Edition) -> str:
    pieces = []
    if edition.date:
        pieces.append(
            f'<time datetime="{edition.date.isoformat()}">'
            f"{html.escape(format_day(edition.date, edition.language))}</time>"
        )
    if edition.deadline and edition.kind == "alert":
        pieces.append(
            f'{html.escape(word("deadline", edition.language.code))} <time datetime="'
            f'{edition.deadline.isoformat()}">'
            f"{html.escape(format_day(edition.deadline, edition.language))}</time>"
        )
    return " · ".join(pieces)


def correction_note(correction: Correction, language: Language, for_print: bool = False) -> str:
    """The note of a corrected edition, in its language: when it was corrected, which version it
    replaces, and the corrected passages as they read now."""
    code = language.code
    when = _dated(word("corrected", code, date="\ue100"), correction.date, language)
    replaces = _dated(
        word(
            "replaces",
            code,
            number=localised_digits(str(correction.of_number), language),
            date="\ue100",
        ),
        correction.of_date,
        language,
    )
    passages = "".join(
        f"<li>{_PARSER.renderInline(passage)}</li>" for passage in correction.passages
    )
    label = html.escape(word("corrected-passages", code))
    listed = (
        f'<div class="corrected-passages"><p>{label}</p><ul>{passages}</ul></div>'
        if passages
        else ""
    )
    note = (
        f'<aside class="correction" role="note" aria-labelledby="correction">'
        f'<p class="correction-date" id="correction">{when}</p>'
        f'<p class="correction-replaces">{replaces}</p>{listed}</aside>'
    )
    return isolate_latin(note, for_print) if language.rtl else note


def _dated(sentence: str, day: dt.date, language: Language) -> str:
    """A sentence with a date in it (at U+E100), escaped, the date as a <time> element."""
    shown = f'<time datetime="{day.isoformat()}">{html.escape(format_day(day, language))}</time>'
    return html.escape(sentence).replace("\ue100", shown)


def _draft_banner(edition: Edition) -> str:
    return f'<p class="draft-banner">{html.escape(word("draft", edition.language.code))}</p>'


def _switcher(edition: Edition) -> str:
    return switcher(edition.language.code, edition.alternates)


def switcher(code: str, alternates: Iterable[Alternate]) -> str:
    """The language switcher of a page in `code`: a link to each other version, labelled in the
    page's own language (also what `translator pull` puts in a pulled page)."""
    links = "".join(
        f'<li><a href="{a.href}" hreflang="{a.language.code}" lang="{a.language.code}"'
        f' dir="{a.language.direction}">{html.escape(a.language.native_name)}</a></li>'
        for a in alternates
    )
    label = html.escape(word("languages", code))
    return f'<nav class="languages" aria-label="{label}"><h2>{label}</h2><ul>{links}</ul></nav>'


def _page_style(edition: Edition, page_label: str) -> str:
    """The @page rules: paper, localised page numbers, and the draft mark."""
    size = "4in 6in" if edition.kind == "palm-card" else PAPERS.get(edition.paper, "A4")
    style = "persian" if edition.language.code == "fa" else "decimal"
    before, _, rest = page_label.partition("\ue100")
    middle, _, after = rest.partition("\ue101")
    content = (
        f'"{_css_string(before)}" counter(page, {style}) "{_css_string(middle)}" '
        f'counter(pages, {style}) "{_css_string(after)}"'
    )
    draft = (
        f'@top-center {{ content: "{_css_string(word("draft", edition.language.code))}"; }}'
        if edition.draft
        else ""
    )
    if edition.kind == "palm-card":  # a card in the hand: no page numbers, all for the text
        return f"@page {{ size: {size}; margin: 0.3in; {draft} }}"
    return f"@page {{ size: {size}; @bottom-center {{ content: {content}; }} {draft} }}"


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mark_units(rendered: str, language: str) -> str:
    """Turn the unit marks into spans that show a unit is not (yet) translated."""
    untranslated = html.escape(word("untranslated", language))
    editing = html.escape(word("needs-editing", language))
    return (
        rendered.replace(
            UNTRANSLATED[0],
            f'<span class="untranslated" lang="en" dir="ltr" title="{untranslated}">',
        )
        .replace(NEEDS_EDITING[0], f'<span class="needs-editing" title="{editing}">')
        .replace(UNTRANSLATED[1], "</span>")
        .replace(NEEDS_EDITING[1], "</span>")
    )


def isolate_latin(rendered: str, for_print: bool) -> str:
    """Wrap Latin runs of right-to-left text so they keep their own order."""
    opening, closing = ('<span dir="ltr">', "</span>") if for_print else ("<bdi>", "</bdi>")
    pieces = _TAG_OR_TEXT.split(rendered)
    inside_ltr = 0
    for index, piece in enumerate(pieces):
        if piece.startswith("<"):
            if re.match(r"<(span|a|code)\b[^>]*\bdir=\"ltr\"", piece) or piece.startswith(
                '<span class="untranslated"'
            ):
                inside_ltr += 1
            elif piece in ("</span>", "</a>", "</code>") and inside_ltr:
                inside_ltr -= 1
            continue
        if piece and not inside_ltr:
            pieces[index] = _wrap_latin(piece, opening, closing)
    return "".join(pieces)


def _wrap_latin(escaped: str, opening: str, closing: str) -> str:
    """Wrap the Latin runs of an escaped text: matched on the text itself, so that an entity
    (&lt; &amp; ...) is never cut in two, then escaped again."""
    raw = html.unescape(escaped)
    out: list[str] = []
    last = 0
    for match in _LATIN_RUN.finditer(raw):
        run = _trimmed(match.group(0))
        out.append(html.escape(raw[last : match.start()], quote=False))
        out.append(f"{opening}{html.escape(run, quote=False)}{closing}")
        last = match.start() + len(run)
    out.append(html.escape(raw[last:], quote=False))
    return "".join(out)


def _trimmed(run: str) -> str:
    """A Latin run without the punctuation, quotes and closing brackets that follow it in the
    sentence: "IEC)" is "IEC", "nybooks.com/)." is "nybooks.com/"; a bracket opened inside the
    run ("%(count)d", "{name}") stays with it."""
    while run and (
        run[-1] in _NOT_AN_END
        or (run[-1] in _CLOSERS and run.count(_CLOSERS[run[-1]]) < run.count(run[-1]))
    ):
        run = run[:-1]
    return run


def _plain(text: str) -> str:
    for mark in (*UNTRANSLATED, *NEEDS_EDITING):
        text = text.replace(mark, "")
    return text


def render_index(
    language: Language,
    entries: list[tuple[str, str]],
    codes: list[str],
    top: bool = False,
    images: Iterable[str] = (),
) -> str:
    """The list of a language's editions, each with its PDF and, for the slugs in `images`, its
    share image (top: the folder's front page, linking every language)."""
    folder = "en/" if top else ""
    with_image = set(images)
    image = html.escape(word("share-image", language.code))
    items = "".join(
        f'<li><a href="{folder}{slug}.html">{_mark_units(html.escape(title), "en")}</a> '
        f'<small>(<a href="{folder}{slug}.pdf">PDF</a>'
        + (f' · <a href="{folder}{slug}.png">{image}</a>' if slug in with_image else "")
        + ")</small></li>"
        for slug, title in entries
    )
    others = "".join(
        f'<li><a href="{"" if top else "../"}{code}/index.html" hreflang="{code}" lang="{code}" '
        f'dir="{lang.direction}">{html.escape(lang.native_name)}</a></li>'
        for code in codes
        for lang in [_language(code)]
    )
    label = html.escape(word("languages", language.code))
    assets = "assets" if top else "../assets"
    return (
        f'<!doctype html>\n<html lang="{language.code}" dir="{language.direction}">\n<head>\n'
        f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
        f'initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        f"<title>{html.escape(language.native_name)}</title>\n"
        f'<link rel="stylesheet" href="{assets}/edition.css">\n</head>\n<body>\n'
        f"<header><h1>{html.escape(language.native_name)}</h1></header>\n"
        f"<main><ul>{items}</ul></main>\n"
        f'<nav class="languages" aria-label="{label}"><h2>{label}</h2><ul>{others}</ul></nav>'
        "\n</body>\n</html>\n"
    )


def _language(code: str) -> Language:
    from translator import languages

    return languages.get(code)
