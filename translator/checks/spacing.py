"""Spacing: leading and trailing spaces, doubled spaces and line breaks as in the English
(translate-toolkit's checks)."""

from __future__ import annotations

from collections.abc import Sequence

from translator.checks import Check, Context, Severity, toolkit
from translator.messages import N_, Message, message

_TESTS = {
    "startwhitespace": message(
        N_("the translation starts with different spacing than the English"), "spacing.start"
    ),
    "endwhitespace": message(
        N_("the translation ends with different spacing than the English"), "spacing.end"
    ),
    "doublespacing": message(
        N_("the translation has doubled spaces the English does not have"), "spacing.doubled"
    ),
    "newlines": message(
        N_("the translation has different line breaks than the English"), "spacing.line-breaks"
    ),
}


class Spacing(Check):
    id = "spacing"
    name = "Spacing"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        return [
            message
            for test, message in _TESTS.items()
            if toolkit.failure(test, source, translation, context.language)
        ]
