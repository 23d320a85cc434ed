"""URLs, e-mail addresses and @handles written in the text are kept exactly (link targets are the
markup check's)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from translator.checks import Check, Context, Severity
from translator.checks.text import EMAIL, HANDLE, URL, without_link_targets
from translator.messages import N_, Message, message

# what `_items` calls each kind -> its message
_MESSAGES = {
    "the address": (N_("the address %(item)s must appear exactly as in the English"), "urls.url"),
    "the e-mail address": (
        N_("the e-mail address %(item)s must appear exactly as in the English"),
        "urls.email",
    ),
    "the handle": (N_("the handle %(item)s must appear exactly as in the English"), "urls.handle"),
}


class Urls(Check):
    id = "urls"
    name = "URLs, e-mail addresses and handles"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        wanted = _items(source)
        if not wanted:
            return []
        found = set(_items(translation))
        return [
            message(*_MESSAGES[kind], item=item)
            for kind, item in wanted
            if (kind, item) not in found
        ]


@lru_cache(maxsize=65536)
def _items(text: str) -> tuple[tuple[str, str], ...]:
    prose = without_link_targets(text, "]")
    # each pattern needs its mark: most texts have no "://", "www." or "@" to look further for
    urls = URL.findall(prose) if "://" in prose or "www." in prose else []
    without_urls = URL.sub(" ", prose) if urls else prose
    emails: list[str] = []
    handles: list[str] = []
    if "@" in without_urls:
        emails = EMAIL.findall(without_urls)
        handles = HANDLE.findall(EMAIL.sub(" ", without_urls))
    items = (
        [("the address", u) for u in urls]
        + [("the e-mail address", e) for e in emails]
        + [("the handle", h) for h in handles]
    )
    return tuple(dict.fromkeys(items))
