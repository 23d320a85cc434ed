"""A translation much shorter or longer than the English may have lost or added a sentence."""

from __future__ import annotations

from collections.abc import Sequence

from translator.checks import Check, Context, Severity

MINIMUM_SOURCE = 10  # shorter English (a name, "Act now") varies too much to judge


class Length(Check):
    id = "length"
    name = "Length"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Sequence[str]:
        if len(source) < MINIMUM_SOURCE:
            return []
        if len(translation) * 3 < len(source):
            return [
                f"the translation is less than a third of the English's length "
                f"({len(translation)} against {len(source)} characters): is something "
                "missing?"
            ]
        if len(translation) > 3 * len(source):
            return [
                f"the translation is more than three times the English's length "
                f"({len(translation)} against {len(source)} characters)"
            ]
        return []
