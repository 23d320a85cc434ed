"""What the desk says to a person, as data: a message id and its values, never a sentence built
inside a service.

A service, a check or a job returns a `Message`: `text` is the English template (gettext's msgid,
so `make ui-catalogue` extracts it: mark it with `N_` where it is written), `values` the figures
and names that go into it, `code` a stable name for programs. The edge says it in the reader's
language: the web renders `text` through the desk's interface catalogue with the values in the
reader's digits (`translator.web.interface.say`), the API sends `code`, `values` and the English
`message`, the command line prints the English. No Flask, no database here.

A value may itself be a `Message` (a plural form's problem, a blocker's failing check): it is said
in the reader's language before it goes into the message that holds it; the API gives it as its
own {code, values, message}, and the store keeps it as {text, code, values} (`stored`,
`from_stored`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


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
    # a counted message's English plural (gettext's msgid_plural): `values["num"]` chooses the
    # form, by the reader's CLDR plural rules at the edge (`counted`)
    plural: str = ""

    @property
    def template(self) -> str:
        """The English template for this message's count: `text`, or `plural` when counted
        and the count is not one."""
        if self.plural and self.values.get("num") != 1:
            return self.plural
        return self.text

    @property
    def english(self) -> str:
        """The message in English, as the API and the command line say it."""
        if not self.values:
            return self.text
        return self.template % {
            name: value.english if isinstance(value, Message) else value
            for name, value in self.values.items()
        }

    def as_json(self) -> dict[str, Any]:
        """The API's shape: a stable code, the values, and the English sentence."""
        values = {
            name: value.as_json() if isinstance(value, Message) else value
            for name, value in self.values.items()
        }
        return {"code": self.code, "values": values, "message": self.english}

    def stored(self) -> dict[str, Any]:
        """The values as the store keeps them (JSON): a message among them as {text, code,
        values, plural}."""
        return {
            name: {
                "text": value.text,
                "code": value.code,
                "values": value.stored(),
                "plural": value.plural,
            }
            if isinstance(value, Message)
            else value
            for name, value in self.values.items()
        }

    @classmethod
    def from_stored(
        cls, text: str, code: str, values: Mapping[str, Any], plural: str = ""
    ) -> Message:
        """A message as `stored` kept it (its text, code and plural kept beside)."""
        kept = {
            name: cls.from_stored(
                value["text"], value["code"], value["values"], value.get("plural", "")
            )
            if isinstance(value, dict)
            else value
            for name, value in values.items()
        }
        return Message(text, MappingProxyType(kept), code, plural)

    def __str__(self) -> str:
        return self.english

    def __reduce__(self) -> tuple[Any, ...]:
        # a read-only mapping does not pickle: a message found in a fork is sent back as plain
        # values (services/checking.py shares the checks among processes)
        return _unpickled, (self.text, dict(self.values), self.code, self.plural)


Value = str | int | float | Message


def _unpickled(text: str, values: dict[str, Value], code: str, plural: str) -> Message:
    return Message(text, MappingProxyType(values), code, plural)


def message(text: str, code: str = "", **values: Value) -> Message:
    """A `Message` of an English template (marked `N_` where written) and its values."""
    return Message(text, MappingProxyType(dict(values)), code)


def counted(text: str, plural: str, num: int, code: str = "", **values: Value) -> Message:
    """A `Message` with a count: `text` and `plural` are gettext's msgid and msgid_plural (mark
    both: `counted` is an extraction keyword, `counted:1,2`), `num` the count that chooses the
    form and goes into `%(num)d`."""
    return Message(text, MappingProxyType({**values, "num": num}), code, plural)
