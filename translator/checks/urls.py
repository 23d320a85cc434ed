"""URLs, e-mail addresses and @handles written in the text are kept exactly (link targets are the
markup check's)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from translator.checks import Check, Context, Severity

_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"»”“]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")


class Urls(Check):
    id = "urls"
    name = "URLs, e-mail addresses and handles"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Iterable[str]:
        wanted = _items(source)
        if not wanted:
            return []
        found = set(_items(translation))
        return [
            f"{kind} {item} must appear exactly as in the English"
            for kind, item in wanted
            if (kind, item) not in found
        ]


@lru_cache(maxsize=65536)
def _items(text: str) -> tuple[tuple[str, str], ...]:
    prose = _LINK_TARGET.sub("]", text)
    urls = _URL.findall(prose)
    without_urls = _URL.sub(" ", prose)
    emails = _EMAIL.findall(without_urls)
    handles = _HANDLE.findall(_EMAIL.sub(" ", without_urls))
    items = (
        [("the address", u) for u in urls]
        + [("the e-mail address", e) for e in emails]
        + [("the handle", h) for h in handles]
    )
    return tuple(dict.fromkeys(items))
