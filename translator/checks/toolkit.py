"""The one place that talks to translate-toolkit's checker, for the checks it gets right.

Its `numbers` check is not used: it converts the digits of one side only, so Persian digits fail.
"""

from __future__ import annotations

from functools import cache

from translate.filters import checks as ttk


@cache
def _checker(language: str) -> ttk.StandardChecker:
    return ttk.StandardChecker(checkerconfig=ttk.CheckerConfig(targetlanguage=language))


def failure(test: str, source: str, translation: str, language: str) -> str | None:
    """translate-toolkit's message when its test `test` fails, else None."""
    try:
        getattr(_checker(language), test)(source, translation)
    except (ttk.FilterFailure, ttk.SeriousFilterFailure) as exc:
        return str(exc)
    return None
