"""Program placeholders (python-format `%(count)d`, `%s`, `{name}`) are kept exactly: the website
fills them in, and a lost or changed one breaks the page or hides a figure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from translator.checks import Check, Context, Severity

_PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[sd]|\{[A-Za-z_]\w*\}"
)


class Placeholders(Check):
    id = "placeholders"
    name = "placeholders"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[str]:
        wanted = dict.fromkeys(_PLACEHOLDER.findall(source))
        if not wanted:
            return []
        found = dict.fromkeys(_PLACEHOLDER.findall(translation))
        missing = [
            f"the placeholder {p} of the English is missing" for p in wanted if p not in found
        ]
        extra = [f"the placeholder {p} is not in the English" for p in found if p not in wanted]
        return missing + extra
