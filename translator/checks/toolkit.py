"""The one place that talks to translate-toolkit's checker, for the checks it gets right.

Its `numbers` check is not used: it converts the digits of one side only, so Persian digits fail.

Each test used here looks at a few kinds of characters only (spaces at either end, doubled spaces,
line breaks, brackets); when neither text has any of them, the test cannot fail and the checker
is not called. That is most translations, and a store-wide run calls these tests hundreds of
thousands of times. `tests/test_checks.py` holds the shortcut to the checker's own answers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from translate.filters import checks as ttk


@cache
def _checker(language: str) -> ttk.StandardChecker:
    return ttk.StandardChecker(checkerconfig=ttk.CheckerConfig(targetlanguage=language))


def failure(test: str, source: str, translation: str, language: str) -> str | None:
    """translate-toolkit's message when its test `test` fails, else None."""
    may_fail = _MAY_FAIL.get(test)
    cannot_fail = may_fail is not None and not (may_fail(source) or may_fail(translation))
    if cannot_fail and _shortcut_holds(language):
        return None
    try:
        getattr(_checker(language), test)(source, translation)
    except (ttk.FilterFailure, ttk.SeriousFilterFailure) as exc:
        return str(exc)
    return None


def _has_brackets(text: str) -> bool:
    return any(bracket in text for bracket in "[]{}()")


# What each test compares: two texts with none of it pass.
_MAY_FAIL: dict[str, Callable[[str], bool]] = {
    "startwhitespace": lambda text: text[:1].isspace(),
    "endwhitespace": lambda text: text[-1:].isspace(),
    "doublespacing": lambda text: "  " in text,
    "newlines": lambda text: "\n" in text or "\r" in text,
    "brackets": _has_brackets,
}


@cache
def _shortcut_holds(language: str) -> bool:
    """The tests first take out accelerators and variables (none are configured), and
    `endwhitespace` converts the English's punctuation to the language's (French: a no-break
    space before '!'), which adds no space at the end while no replacement ends in one."""
    config = _checker(language).config
    return (
        not config.accelmarkers
        and not config.varmatches
        and not any(target[-1:].isspace() for target in config.lang.puncdict.values())
    )
