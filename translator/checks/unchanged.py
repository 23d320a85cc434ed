"""A translation identical to its English is no translation: an error (it blocks approval), unless
the English is only names, figures, codes, keys, addresses or punctuation, or every word left is a
term the glossary keeps as it is in this language (an organisation's English name, a slogan).

A single word may be the same in both languages ("Document" in French, "error" in Spanish,
"Plural" in German): that is a warning, for a person to look at, not an error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from translator.checks import Check, Context, Failure, Severity
from translator.checks.text import prose
from translator.messages import N_, Message, message

_CODE = re.compile(r"[A-Z][A-Z0-9]*")  # CIA, UN, HRC
# program placeholders (%(count)d, %s, {name}): the program's, never translated
_PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}"
)
# keyboard keys, as shortcuts name them (Ctrl+Shift+Enter, Alt+PageDown)
_KEYS = frozenset(
    {"Ctrl", "Alt", "Shift", "Enter", "Esc", "Tab", "PageUp", "PageDown", "Home", "End", "Cmd"}
)
MESSAGE = message(N_("the translation is the same as the English: translate it"), "unchanged.text")
ONE_WORD = message(
    N_("the translation is the same as the English: is the word the same in this language?"),
    "unchanged.one-word",
)


class Unchanged(Check):
    id = "unchanged"
    name = "Unchanged"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        words = _left_to_translate(source, translation, context)
        return [MESSAGE] if len(words) > 1 else [ONE_WORD] if words else []

    def run(self, source: str, translation: str, context: Context) -> list[Failure]:
        return [
            Failure(self.id, Severity.WARNING if message == ONE_WORD else self.severity, message)
            for message in self.problems(source, translation, context)
        ]


def _left_to_translate(source: str, translation: str, context: Context) -> list[str]:
    """The words of an unchanged English that a translation should have changed."""
    if translation.strip() != source.strip():
        return []
    if len(source.strip()) <= 3 and " " not in source.strip():
        return []  # a code (fa, v2) stays as it is
    remaining = re.sub(r"\d+", " ", prose(_PLACEHOLDER.sub(" ", source)))
    for term in sorted(context.glossary, key=lambda t: -len(t.english)):
        kept = term.english in term.forms.get(context.language, ())
        if (term.is_proper or kept) and term.english in remaining:
            remaining = remaining.replace(term.english, " ")
    words = re.findall(r"[^\W\d_]+", remaining)
    # short words alone are abbreviations and units (min, h, km) more often than English
    return [
        word for word in words if len(word) > 3 and not _CODE.fullmatch(word) and word not in _KEYS
    ]
