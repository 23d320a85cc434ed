"""Markdown survives translation: the same link targets, balanced emphasis, the same inline code,
and no raw HTML the English does not have.

Raw HTML is found as a browser's tokenizer finds it, in the whole text (a code span of Markdown
included: the interface's strings go into pages as they are): `<` and an ASCII letter start a
tag, whatever follows the name (`<svg/onload=…>`, `<img\tsrc=x>`, `<META …>`); `</` an end tag
(or a bogus comment); `<!` a comment, a doctype or a bogus comment; `<?` a bogus comment. A tag
left open runs to the end of the text (in a page it would swallow what follows).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt

from translator.checks import Check, Context, Severity
from translator.checks.text import link_targets
from translator.messages import N_, Message, message

_PARSER = MarkdownIt("commonmark")
PARSE_LIMIT = 5000
# what follows `<` when a browser reads markup, not text (`a < b`, `<3`, `<آزادی>` stay text)
_HTML_START = re.compile(r"<(?:[A-Za-z!?]|/.)", re.DOTALL)
# a start or end tag ends at the first `>` outside a quoted attribute value
_TAG_REST = re.compile(r"""(?:[^>=]|=[\t\n\f\r ]*(?:"[^"]*"?|'[^']*'?)?)*>?""")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BOGUS_REST = re.compile(r"[^>]*>?")  # after `<`: !doctype …>, ![CDATA[ …>, ? …>, / …>
SHOWN = 80  # characters of a tag quoted in a message
_MARKUP_CHARS = re.compile(r"[*_\[\]`<>!\\]")
_STRAY = re.compile(r"(?<![\\\w])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![\w])")


class Markup(Check):
    id = "markup"
    name = "Markup"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        if not _MARKUP_CHARS.search(source) and not _MARKUP_CHARS.search(translation):
            return []
        wanted, found = _signature(source), _signature(translation)
        problems: list[Message] = []
        for target in wanted["link"] - found["link"]:
            problems.append(
                message(
                    N_("the link to %(target)s is missing or its target was changed"),
                    "markup.link-missing",
                    target=target,
                )
            )
        for target in found["link"] - wanted["link"]:
            problems.append(
                message(
                    N_("a link to %(target)s is not in the English"),
                    "markup.link-added",
                    target=target,
                )
            )
        for kind, text, code in (
            (
                "strong",
                N_(
                    "bold (**…**): the English has %(english)d, the translation "
                    "%(translation)d (is a marker missing?)"
                ),
                "markup.bold",
            ),
            (
                "em",
                N_(
                    "emphasis (*…*): the English has %(english)d, the translation "
                    "%(translation)d (is a marker missing?)"
                ),
                "markup.emphasis",
            ),
        ):
            english, translated = sum(wanted[kind].values()), sum(found[kind].values())
            if english != translated:
                problems.append(message(text, code, english=english, translation=translated))
        for inline in wanted["code"] - found["code"]:
            problems.append(
                message(
                    N_("the inline code `%(inline)s` must stay as it is"),
                    "markup.code",
                    inline=inline,
                )
            )
        for html in found["html"] - wanted["html"]:
            shown = html if len(html) <= SHOWN else html[: SHOWN - 1] + "…"
            problems.append(
                message(
                    N_("raw HTML %(html)s is not allowed: the English does not have it"),
                    "markup.html",
                    html=shown,
                )
            )
        if found["stray"] and not wanted["stray"]:
            problems.append(
                message(
                    N_("an emphasis marker (* or _) has no partner and will show as text"),
                    "markup.stray-marker",
                )
            )
        return problems


@lru_cache(maxsize=65536)
def _signature(text: str) -> dict[str, Counter[str]]:
    """What a text's inline Markdown renders to: link targets, emphasis, code, HTML, stray marks.

    Texts longer than any real paragraph are compared by their markers instead of parsed: the
    parser is linear but slow on long runs of delimiters (0.3 s for 100 KB of asterisks).
    """
    if len(text) > PARSE_LIMIT:
        return _lexical_signature(text)
    signature = _empty()
    tokens = _PARSER.parseInline(text)
    for token in tokens[0].children or [] if tokens else []:
        if token.type == "link_open":
            signature["link"][str(token.attrs.get("href", ""))] += 1
        elif token.type == "image":
            signature["link"][str(token.attrs.get("src", ""))] += 1
        elif token.type in ("strong_open", "em_open"):
            signature[token.type.removesuffix("_open")][token.type] += 1
        elif token.type == "code_inline":
            signature["code"][token.content] += 1
        elif token.type == "text" and _STRAY.search(token.content):
            signature["stray"]["marker"] += 1
    signature["html"].update(html_tags(text))
    return signature


def _empty() -> dict[str, Counter[str]]:
    return {key: Counter() for key in ("link", "strong", "em", "code", "html", "stray")}


def _lexical_signature(text: str) -> dict[str, Counter[str]]:
    signature = _empty()
    for _, _, target in link_targets(text):
        signature["link"][target] += 1
    strong = text.count("**")
    single = text.replace("**", "").count("*")
    signature["strong"]["strong_open"] = strong // 2
    signature["em"]["em_open"] = single // 2
    if strong % 2 or single % 2:
        signature["stray"]["marker"] += 1
    for code in text.split("`")[1::2] if text.count("`") % 2 == 0 else ():
        signature["code"][code] += 1
    signature["html"].update(html_tags(text))
    return signature


def html_tags(text: str) -> list[str]:
    """Every piece of a text that a browser would read as markup: tags, end tags, comments,
    doctypes and bogus comments, each as it is written (`<` to its `>`, or to the end of the text
    for one left open)."""
    found: list[str] = []
    position = 0
    while (start := _HTML_START.search(text, position)) is not None:
        after = start.group(0)[-1]
        if text.startswith("<!--", start.start()):
            end = _COMMENT.match(text, start.start())
        elif after.isascii() and after.isalpha():
            end = _TAG_REST.match(text, start.end())
        else:
            end = _BOGUS_REST.match(text, start.start() + 1)
        position = end.end() if end is not None else len(text)  # each matches, if only ""
        found.append(text[start.start() : position])
    return found
