"""A translation identical to its English is no translation: an error (it blocks approval), unless
the English is only names, figures, codes, addresses or punctuation, or every word left is a term
the glossary keeps as it is in this language (an organisation's English name, a slogan)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from translator.checks import Check, Context, Severity
from translator.checks.text import prose

_CODE = re.compile(r"[A-Z][A-Z0-9]*")  # CIA, UN, HRC


class Unchanged(Check):
    id = "unchanged"
    name = "Unchanged"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Iterable[str]:
        if translation.strip() != source.strip():
            return []
        if len(source.strip()) <= 3 and " " not in source.strip():
            return []  # a code (fa, v2) stays as it is
        remaining = re.sub(r"\d+", " ", prose(source))
        for term in sorted(context.glossary, key=lambda t: -len(t.english)):
            kept = term.english in term.forms.get(context.language, ())
            if (term.is_proper or kept) and term.english in remaining:
                remaining = remaining.replace(term.english, " ")
        words = re.findall(r"[^\W\d_]+", remaining)
        if all(_CODE.fullmatch(word) for word in words):
            return []  # nothing left but codes and acronyms
        return ["the translation is the same as the English: translate it"]
