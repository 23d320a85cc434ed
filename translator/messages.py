"""What the desk says to a person, as data: a message id and its values, never a sentence built
inside a service.

A service, a check or a job returns a `Message`: `text` is the English template (gettext's msgid,
so `make ui-catalogue` extracts it: mark it with `N_` where it is written), `values` the figures
and names that go into it, `code` a stable name for programs. The edge says it in the reader's
language: the web renders `text` through the desk's interface catalogue with the values in the
reader's digits (`translator.web.interface.say`), the API sends `code`, `values` and the English
`message`, the command line prints the English. No Flask, no database here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Value = str | int | float


def N_(text: str) -> str:  # noqa: N802  # gettext's name for "mark for extraction, translate later"
    """Mark an English template for the interface catalogue without translating it here."""
    return text


@dataclass(frozen=True)
class Message:
    """A message id (the English template, with `%(name)s` placeholders), its values, and a
    stable code."""

    text: str
    values: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))
    code: str = ""

    @property
    def english(self) -> str:
        """The message in English, as the API and the command line say it."""
        return self.text % dict(self.values) if self.values else self.text

    def as_json(self) -> dict[str, Any]:
        """The API's shape: a stable code, the values, and the English sentence."""
        return {"code": self.code, "values": dict(self.values), "message": self.english}

    def __str__(self) -> str:
        return self.english


def message(text: str, code: str = "", **values: Value) -> Message:
    """A `Message` of an English template (marked `N_` where written) and its values."""
    return Message(text, MappingProxyType(dict(values)), code)
