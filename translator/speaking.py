"""Saying what the desk says (message ids and their values) in one interface language, with or
without Flask: the desk's interface catalogue in that language, its plural forms and its digits.

A page speaks through the request's `Voice` (web/interface.py: flask-babel's translations and
the reader's language); mail, written by a job worker where there is no request, speaks through
`voice(code)`, the same catalogue (translator/translations) loaded here. One definition of how a
message is said, so a mail says an event exactly as the feed and the pages do.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import Locale
from babel.support import NullTranslations, Translations

from translator import languages
from translator.messages import Message

CATALOGUES = Path(__file__).resolve().parent / "translations"  # flask-babel's default folder
_NUMBER = re.compile(r"%\((\w+)\)([-+ #0]*\d*(?:\.\d+)?[dif])")


def native_digits(text: str, code: str) -> str:
    """Babel gives the separators of the language's numbering system but Latin digits: the
    digits (and the Persian percent sign) are the language's own here."""
    native = languages.get(code).digits if code in languages.TARGET_LANGUAGES else "0123456789"
    if native == "0123456789":
        return text
    return text.translate(str.maketrans("0123456789%", native + "٪"))


@dataclass(frozen=True)
class Voice:
    """One interface language: its code and its catalogue."""

    code: str
    translations: NullTranslations

    def with_digits(self, text: str, values: Mapping[str, Any]) -> str:
        """`text % values`, where the numbers are written in this language's digits (۱۲ in
        Farsi); strings (names, titles, hashes) are put in as they are."""

        def written(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            if not isinstance(value, int | float) or isinstance(value, bool):
                return match.group(0)
            return native_digits(("%" + match.group(2)) % value, self.code).replace("%", "%%")

        return _NUMBER.sub(written, text) % values

    def gettext(self, string: str, **values: Any) -> str:
        text = str(self.translations.ugettext(string))
        return self.with_digits(text, values) if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: Any) -> str:
        values.setdefault("num", num)
        return self.with_digits(str(self.translations.ungettext(singular, plural, num)), values)

    def say(self, message: Message) -> str:
        """A message in this language and its digits; a message among its values is said
        first, in the same language."""
        values = {name: self._said(value) for name, value in message.values.items()}
        if message.plural:  # a counted message: this language's plural form for values["num"]
            num = int(values.pop("num"))
            return self.ngettext(message.text, message.plural, num, **values)
        return self.gettext(message.text, **values)

    def _said(self, value: Any) -> Any:
        """A value as a message holds it: a message said in the same language; a name, a
        figure as written or a file name isolated (U+2068…U+2069: in a page, in JSON, in a PDF
        and in a mail alike), so a Latin name keeps its order in a Farsi sentence and the
        reverse; a number as it is, for the reader's digits."""
        if isinstance(value, Message):
            return self.say(value)
        return f"\u2068{value}\u2069" if isinstance(value, str) and value else value

    def language_named(self, said: Message) -> Message:
        """`said` with its `language` value (a code) given as that language's name in this
        one ("fa" → "فارسی" in Farsi, "persan" in French)."""
        code = said.values.get("language")
        if not isinstance(code, str) or not code:
            return said
        name = Locale.parse(self.code).languages.get(code, code)
        return replace(said, values=MappingProxyType({**said.values, "language": name}))


@functools.cache
def voice(code: str) -> Voice:
    """The voice of an interface language, its catalogue read once per process (English, or a
    language without a catalogue: the English templates)."""
    found = Translations.load(str(CATALOGUES), [code])  # NullTranslations when there is none
    return Voice(code, found)
