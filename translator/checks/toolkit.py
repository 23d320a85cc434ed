"""The one place that talks to translate-toolkit's checker, for the checks it gets right.

Its `numbers` check is not used: it converts the digits of one side only, so Persian digits fail.

Each test used here looks at a few kinds of characters only (spaces at either end, doubled spaces,
line breaks, brackets); when neither text has any of them, the test cannot fail and the checker
is not called. That is most translations, and a store-wide run calls these tests hundreds of
thousands of times. The bracket test only counts brackets: it is asked about the brackets of the
two texts alone, and its answer kept for the next pair with the same brackets (a link, a figure
in parentheses). `tests/test_checks.py` holds both shortcuts to the checker's own answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from translate.filters import checks as ttk

_BRACKET = re.compile(r"[][{}()]")


@cache
def _checker(language: str) -> ttk.StandardChecker:
    return ttk.StandardChecker(checkerconfig=ttk.CheckerConfig(targetlanguage=language))


def failure(test: str, source: str, translation: str, language: str) -> str | None:
    """translate-toolkit's message when its test `test` fails, else None."""
    may_fail = _MAY_FAIL.get(test)
    cannot_fail = may_fail is not None and not (may_fail(source) or may_fail(translation))
    if cannot_fail and _shortcut_holds(language):
        return None
    sees = _SEES.get(test)
    if sees is not None and _shortcut_holds(language):
        return _asked(test, sees(source), sees(translation), language)
    return _ask(test, source, translation, language)


def _ask(test: str, source: str, translation: str, language: str) -> str | None:
    try:
        getattr(_checker(language), test)(source, translation)
    except (ttk.FilterFailure, ttk.SeriousFilterFailure) as exc:
        return str(exc)
    return None


_asked = lru_cache(maxsize=4096)(_ask)


def _brackets(text: str) -> str:
    return "".join(_BRACKET.findall(text))


# What a test looks at in a text: it answers on that part of two texts as on the whole texts.
_SEES: dict[str, Callable[[str], str]] = {"brackets": _brackets}
# What each other test compares: two texts with none of it pass.
_MAY_FAIL: dict[str, Callable[[str], bool]] = {
    "startwhitespace": lambda text: text[:1].isspace(),
    "endwhitespace": lambda text: text[-1:].isspace(),
    "doublespacing": lambda text: "  " in text,
    "newlines": lambda text: "\n" in text or "\r" in text,
}


@cache
def _shortcut_holds(language: str) -> bool:
    """The tests first take out accelerators and variables (none are configured, so the bracket
    test counts the brackets as written), and `endwhitespace` converts the English's punctuation
    to the language's (French: a no-break space before '!'), which adds no space at the end
    while no replacement ends in one."""
    config = _checker(language).config
    return (
        not config.accelmarkers
        and not config.varmatches
        and not any(target[-1:].isspace() for target in config.lang.puncdict.values())
    )
