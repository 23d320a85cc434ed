"""A translation identical to the English is probably not translated, unless the English is only
names, figures, addresses, punctuation, or one short code (fa, CIA)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from translator.checks import Check, Context, Severity
from translator.checks.text import prose


class Unchanged(Check):
    id = "unchanged"
    name = "Unchanged"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Iterable[str]:
        if translation.strip() != source.strip():
            return []
        if len(source.strip()) <= 3 and " " not in source.strip():
            return []  # a code or an acronym (fa, CIA) stays as it is
        remaining = re.sub(r"\d+", " ", prose(source))
        for term in context.glossary:
            if term.type != "term":
                remaining = remaining.replace(term.english, " ")
        if not re.search(r"[^\W\d_]{2,}", remaining):
            return []
        return ["the translation is the same as the English"]
