"""Spacing: leading and trailing spaces, doubled spaces and line breaks as in the English
(translate-toolkit's checks)."""

from __future__ import annotations

from collections.abc import Sequence

from translator.checks import Check, Context, Severity, toolkit

_TESTS = {
    "startwhitespace": "the translation starts with different spacing than the English",
    "endwhitespace": "the translation ends with different spacing than the English",
    "doublespacing": "the translation has doubled spaces the English does not have",
    "newlines": "the translation has different line breaks than the English",
}


class Spacing(Check):
    id = "spacing"
    name = "Spacing"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Sequence[str]:
        return [
            message
            for test, message in _TESTS.items()
            if toolkit.failure(test, source, translation, context.language)
        ]
