"""Program placeholders (python-format `%(count)d`, `%s`, `{name}`) are kept exactly: the website
fills them in, and a lost or changed one breaks the page or hides a figure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from translator.checks import Check, Context, Severity
from translator.messages import N_, Message, message

_PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd]|\{[A-Za-z_]\w*\}"
)


class Placeholders(Check):
    id = "placeholders"
    name = "placeholders"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        wanted = dict.fromkeys(_PLACEHOLDER.findall(source))
        if not wanted:
            return []
        found = dict.fromkeys(_PLACEHOLDER.findall(translation))
        missing = [
            message(
                N_("the placeholder %(placeholder)s of the English is missing"),
                "placeholders.missing",
                placeholder=p,
            )
            for p in wanted
            if p not in found
        ]
        extra = [
            message(
                N_("the placeholder %(placeholder)s is not in the English"),
                "placeholders.added",
                placeholder=p,
            )
            for p in found
            if p not in wanted
        ]
        return missing + extra
