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
from translator.messages import N_, Message, message

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

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        text = prose(translation)
        if ":" in text:
            text = _TIME.sub(" ", text)
        problems = list(_LANGUAGE_RULES.get(context.language, _none)(text))
        if '"' in text and context.language in _QUOTES:
            problems.append(
                message(
                    N_('use the quotation marks %(quotes)s instead of "'),
                    "punctuation.quotes",
                    quotes=_QUOTES[context.language],
                )
            )
        if toolkit.failure("brackets", source, translation, context.language):
            problems.append(_brackets(source, translation))
        return problems


def _brackets(source: str, translation: str) -> Message:
    """Which brackets the translation lacks and which it adds (translate-toolkit's test found
    that they differ; its own message is in English only)."""
    missing = ", ".join(b for b in _BRACKETS if source.count(b) > translation.count(b))
    added = ", ".join(b for b in _BRACKETS if source.count(b) < translation.count(b))
    if missing and added:
        return message(
            N_("brackets differ from the English: %(missing)s missing, %(added)s added"),
            "punctuation.brackets",
            missing=missing,
            added=added,
        )
    if missing:
        return message(
            N_("brackets differ from the English: %(missing)s missing"),
            "punctuation.brackets",
            missing=missing,
        )
    if added:
        return message(
            N_("brackets differ from the English: %(added)s added"),
            "punctuation.brackets",
            added=added,
        )
    return message(N_("brackets differ from the English"), "punctuation.brackets")


_BRACKETS = "()[]{}"


def _none(_: str) -> list[Message]:
    return []


def _french(text: str) -> list[Message]:
    problems = []
    for mark in dict.fromkeys(m.group(1) for m in _FRENCH_BEFORE.finditer(text)):
        problems.append(
            message(
                N_(
                    "put a narrow no-break space (U+202F) before '%(mark)s', not a space or nothing"
                ),
                "punctuation.french-space-before",
                mark=mark,
            )
        )
    if _FRENCH_OPEN.search(text) or _FRENCH_CLOSE.search(text):
        problems.append(
            message(
                N_("put a narrow no-break space (U+202F) inside « »"),
                "punctuation.french-space-inside-quotes",
            )
        )
    return problems


def _farsi(text: str) -> list[Message]:
    problems = []
    for mark in dict.fromkeys(m.group(1) for m in _LATIN_AFTER_PERSIAN.finditer(text)):
        problems.append(
            message(
                N_("use the Persian '%(persian)s' instead of '%(latin)s'"),
                "punctuation.persian-mark",
                persian=_PERSIAN_FOR[mark],
                latin=mark,
            )
        )
    if "ي" in text or "ك" in text:
        problems.append(
            message(
                N_("use Persian ی and ک instead of Arabic ي and ك"), "punctuation.persian-letters"
            )
        )
    if "\u200b" in text:
        problems.append(
            message(
                N_(
                    "a zero-width space (U+200B) is not a half-space: use the zero-width "
                    "non-joiner (U+200C)"
                ),
                "punctuation.zero-width-space",
            )
        )
    return problems


_LANGUAGE_RULES = {"fr": _french, "fa": _farsi}
