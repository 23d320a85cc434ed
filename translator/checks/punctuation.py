"""Punctuation as each language writes it.

- French: a narrow no-break space (or a no-break space) before : ; ? ! and inside « ».
- Farsi: ، ؛ ؟ rather than , ; ? after Persian words; Persian ی and ک, not Arabic ي and ك; a
  half-space is a zero-width non-joiner (U+200C), never a zero-width space (U+200B).
- Every language: typographic quotation marks rather than the typewriter's ".
- Brackets stay paired (translate-toolkit's check).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from translator.checks import Check, Context, Severity, toolkit
from translator.checks.text import prose

_NO_BREAK = "\u00a0\u202f"
_TIME = re.compile(r"\d:\d")
# Each pattern starts with the mark and looks behind it from there: a pattern that starts with a
# look-behind is tried at every character, one that starts with a mark only where there is one.
_FRENCH_BEFORE = re.compile(rf"([;:?!])(?:(?<=[^\s{_NO_BREAK}][;:?!])|(?<= [;:?!]))")
_FRENCH_OPEN = re.compile(rf"«(?![{_NO_BREAK}])")
_FRENCH_CLOSE = re.compile(rf"»(?<![{_NO_BREAK}]»)")
_PERSIAN_LETTER = "\u0600-\u06ff\u200c"
_LATIN_AFTER_PERSIAN = re.compile(
    rf"([,;?])(?:(?<=[{_PERSIAN_LETTER}][,;?])|(?<=[{_PERSIAN_LETTER}]\s[,;?]))"
)
_PERSIAN_FOR = {",": "،", ";": "؛", "?": "؟"}
_QUOTES = {"fa": "« »", "fr": "« »", "de": "„ “", "es": "« »", "pt": "“ ”", "tr": "“ ”"}


class Punctuation(Check):
    id = "punctuation"
    name = "Punctuation"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Sequence[str]:
        text = prose(translation)
        if ":" in text:
            text = _TIME.sub(" ", text)
        problems = list(_LANGUAGE_RULES.get(context.language, _none)(text))
        if '"' in text and context.language in _QUOTES:
            problems.append(f'use the quotation marks {_QUOTES[context.language]} instead of "')
        bracket = toolkit.failure("brackets", source, translation, context.language)
        if bracket:
            problems.append(f"brackets differ from the English: {bracket}")
        return problems


def _none(_: str) -> list[str]:
    return []


def _french(text: str) -> list[str]:
    problems = []
    for mark in dict.fromkeys(m.group(1) for m in _FRENCH_BEFORE.finditer(text)):
        problems.append(
            f"put a narrow no-break space (U+202F) before '{mark}', not a space or nothing"
        )
    if _FRENCH_OPEN.search(text) or _FRENCH_CLOSE.search(text):
        problems.append("put a narrow no-break space (U+202F) inside « »")
    return problems


def _farsi(text: str) -> list[str]:
    problems = []
    for mark in dict.fromkeys(m.group(1) for m in _LATIN_AFTER_PERSIAN.finditer(text)):
        problems.append(f"use the Persian '{_PERSIAN_FOR[mark]}' instead of '{mark}'")
    if "ي" in text or "ك" in text:
        problems.append("use Persian ی and ک instead of Arabic ي and ك")
    if "\u200b" in text:
        problems.append(
            "a zero-width space (U+200B) is not a half-space: use the zero-width "
            "non-joiner (U+200C)"
        )
    return problems


_LANGUAGE_RULES = {"fr": _french, "fa": _farsi}
