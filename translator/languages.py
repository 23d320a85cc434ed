"""The languages the desk translates into: names, direction and plural rules from CLDR (Babel)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from babel import Locale

from translator.formats import plural_forms as gettext_plurals

SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES = ("fa", "tr", "fr", "es", "de", "pt")


@dataclass(frozen=True)
class Language:
    """A language as the desk uses it: everything here comes from CLDR through Babel."""

    code: str
    name: str  # in English, for editors and file headers
    native_name: str  # in the language itself, for translators
    direction: str  # "ltr" or "rtl"
    plural_forms: str  # a gettext Plural-Forms header value
    nplurals: int
    digits: str  # the ten digits of the language's default numbering system

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


@cache
def get(code: str) -> Language:
    """The language for a code; raises KeyError for a code the desk does not translate into."""
    if code not in TARGET_LANGUAGES and code != SOURCE_LANGUAGE:
        raise KeyError(code)
    locale = Locale.parse(code)
    plural_forms = gettext_plural_forms(locale)
    nplurals = int(re.search(r"nplurals=(\d+)", plural_forms).group(1))  # type: ignore[union-attr]
    return Language(
        code=code,
        name=locale.english_name or code,
        native_name=locale.get_display_name(locale) or code,
        direction=locale.text_direction,
        plural_forms=plural_forms,
        nplurals=nplurals,
        digits=_digits(locale),
    )


_SAMPLES = (*range(0, 112), 1_000_000, 2_000_000, 3_000_000)


@dataclass(frozen=True)
class PluralForm:
    """One gettext plural form (msgstr[index]): its CLDR category and numbers that take it."""

    index: int
    category: str  # zero, one, two, few, many, other
    examples: tuple[int, ...]


@cache
def plural_forms(code: str) -> tuple[PluralForm, ...]:
    """The language's plural forms in gettext's order, named by CLDR, e.g. Farsi: one (0, 1),
    other (2, 3, ...); French: one (0, 1), many (1000000, ...), other (2, 3, ...)."""
    rule = Locale.parse(code).plural_form
    tags = gettext_plurals.categories(rule)
    examples: dict[str, list[int]] = {tag: [] for tag in tags}
    for number in _SAMPLES:
        found = examples[rule(number)]
        if len(found) < 4:
            found.append(number)
    return tuple(PluralForm(i, tag, tuple(examples[tag])) for i, tag in enumerate(tags))


def targets() -> list[Language]:
    return [get(code) for code in TARGET_LANGUAGES]


def gettext_plural_forms(locale: Locale) -> str:
    """CLDR's plural rule as a readable gettext expression for integer counts (see
    `translator.formats.plural_forms`): the same text whatever Babel release is installed, as
    long as CLDR's rule is the same."""
    return gettext_plurals.from_cldr(locale.plural_form)


def _digits(locale: Locale) -> str:
    system = locale.default_numbering_system if hasattr(locale, "default_numbering_system") else ""
    if system == "arabext":
        return "۰۱۲۳۴۵۶۷۸۹"
    if system == "arab":
        return "٠١٢٣٤٥٦٧٨٩"
    return "0123456789"
