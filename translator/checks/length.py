"""A translation much shorter or longer than the English may have lost or added a sentence."""

from __future__ import annotations

from collections.abc import Sequence

from translator.checks import Check, Context, Severity
from translator.messages import N_, Message, message

MINIMUM_SOURCE = 10  # shorter English (a name, "Act now") varies too much to judge


class Length(Check):
    id = "length"
    name = "Length"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        if len(source) < MINIMUM_SOURCE:
            return []
        # the lengths are numbers, said in the reader's digits
        if len(translation) * 3 < len(source):
            return [
                message(
                    N_(
                        "the translation is less than a third of the English's length "
                        "(%(translation)d against %(english)d characters): is something missing?"
                    ),
                    "length.short",
                    translation=len(translation),
                    english=len(source),
                )
            ]
        if len(translation) > 3 * len(source):
            return [
                message(
                    N_(
                        "the translation is more than three times the English's length "
                        "(%(translation)d against %(english)d characters)"
                    ),
                    "length.long",
                    translation=len(translation),
                    english=len(source),
                )
            ]
        return []
