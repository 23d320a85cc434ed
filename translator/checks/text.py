"""Pieces of a text that are not prose, found in linear time (no pattern here can backtrack
catastrophically: each is anchored where it may start, and link targets are found by scanning)."""

from __future__ import annotations

import re
from collections.abc import Iterator

URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"»”“]")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")


def link_targets(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, target) of each Markdown link target `](target)`, scanning once."""
    position = text.find("](")
    while position >= 0:
        close = text.find(")", position + 2)
        if close < 0:
            return  # no closing parenthesis anywhere after: no more targets
        yield position + 1, close + 1, text[position + 2 : close]
        position = text.find("](", close + 1)


def without_link_targets(text: str, replacement: str = " ") -> str:
    if "](" not in text:
        return text
    pieces, last = [], 0
    for start, end, _ in link_targets(text):
        pieces.append(text[last:start])
        pieces.append(replacement)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def prose(text: str) -> str:
    """The text without link targets, URLs, e-mail addresses and handles."""
    text = without_link_targets(text)
    if "://" in text or "www." in text:
        text = URL.sub(" ", text)
    if "@" in text:
        text = HANDLE.sub(" ", EMAIL.sub(" ", text))
    return text
