"""Markdown survives translation: the same link targets, balanced emphasis, the same inline code,
and no raw HTML the English does not have."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt

from translator.checks import Check, Context, Severity
from translator.checks.text import link_targets

_PARSER = MarkdownIt("commonmark")
PARSE_LIMIT = 5000
_HTML_TAG = re.compile(r"<[A-Za-z/!][^<>\n]{0,300}>")
_MARKUP_CHARS = re.compile(r"[*_\[\]`<>!\\]")
_STRAY = re.compile(r"(?<![\\\w])(\*{1,3}|_{1,3})(?=\S)|(?<=\S)(\*{1,3}|_{1,3})(?![\w])")


class Markup(Check):
    id = "markup"
    name = "Markup"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[str]:
        if not _MARKUP_CHARS.search(source) and not _MARKUP_CHARS.search(translation):
            return []
        wanted, found = _signature(source), _signature(translation)
        problems: list[str] = []
        for target in wanted["link"] - found["link"]:
            problems.append(f"the link to {target} is missing or its target was changed")
        for target in found["link"] - wanted["link"]:
            problems.append(f"a link to {target} is not in the English")
        for kind, label in (("strong", "bold (**…**)"), ("em", "emphasis (*…*)")):
            if sum(wanted[kind].values()) != sum(found[kind].values()):
                problems.append(
                    f"{label}: the English has {sum(wanted[kind].values())}, the "
                    f"translation {sum(found[kind].values())} (is a marker missing?)"
                )
        for code in wanted["code"] - found["code"]:
            problems.append(f"the inline code `{code}` must stay as it is")
        for html in found["html"] - wanted["html"]:
            problems.append(f"raw HTML {html} is not allowed; the English has none")
        if found["stray"] and not wanted["stray"]:
            problems.append("an emphasis marker (* or _) has no partner and will show as text")
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
        elif token.type == "html_inline":
            signature["html"][token.content] += 1
        elif token.type == "text" and _STRAY.search(token.content):
            signature["stray"]["marker"] += 1
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
    for tag in _HTML_TAG.findall(text):
        signature["html"][tag] += 1
    return signature
