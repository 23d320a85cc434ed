"""Figures are facts: every number of the English appears, by value, in the translation.

Whatever the digits (ASCII, Persian, Arabic-Indic) or separators the language uses: 15,000 in the
English is 15.000 in German, 15 000 in French, ۱۵٬۰۰۰ in Farsi. A year range 1980–88 means 1980 and
1988. In Farsi a year may also be given in the Solar Hijri calendar (1988 as ۱۳۶۷ or ۱۳۶۶), and a
written-out date as its Solar Hijri day (16 September 2022 as ۲۵ شهریور ۱۴۰۱).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache

from translator import numerals
from translator.checks import Check, Context, Severity
from translator.checks.text import prose
from translator.messages import N_, Message, message


class Figures(Check):
    id = "figures"
    name = "Figures"
    severity = Severity.ERROR

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        wanted = _source_figures(source, context.language == "fa")
        if not wanted:
            return []
        written: dict[Decimal, str] = {}
        for figure in numerals.figures(prose(translation), context.language):
            written.setdefault(figure.value, figure.text)
        missing = [text for text, accepted in wanted if not accepted & written.keys()]
        if not missing:
            return []
        # as the translation writes them, e.g. "۱۳۶۷" or "1.200"; the English figure in the
        # translation's own digits too, so that a Farsi translator compares like with like
        # (figures quoted from the texts are strings: the reader's digits are the translation's)
        digits = digits_of(translation)
        if not written:
            return [
                message(
                    N_(
                        "figure %(figure)s of the English is missing from the translation "
                        "(the translation has no figures)"
                    ),
                    "figures.missing-none",
                    figure=_as_written(text, digits, context.language),
                )
                for text in missing
            ]
        comma = "، " if context.language == "fa" else ", "  # as the translation lists them
        shown = comma.join(in_digits(written[v], digits) for v in sorted(written))
        return [
            message(
                N_(
                    "figure %(figure)s of the English is missing from the translation "
                    "(the translation has %(found)s)"
                ),
                "figures.missing",
                figure=_as_written(text, digits, context.language),
                found=shown,
            )
            for text in missing
        ]


@lru_cache(maxsize=65536)
def _source_figures(source: str, solar_hijri: bool) -> tuple[tuple[str, frozenset[Decimal]], ...]:
    """Each distinct number of the English, with the values that count as it."""
    english = prose(source)
    accepted: dict[Decimal, set[Decimal]] = {}
    written: dict[Decimal, str] = {}
    for figure in numerals.figures(english, "en"):
        accepted.setdefault(figure.value, {figure.value})
        written.setdefault(figure.value, figure.text)
    if solar_hijri:
        _add_solar_hijri(english, accepted)
    return tuple((written[value], frozenset(values)) for value, values in accepted.items())


def _add_solar_hijri(english: str, accepted: dict[Decimal, set[Decimal]]) -> None:
    for value, values in accepted.items():
        if value == value.to_integral_value() and 1800 <= value <= 2100:
            values.update({value - 621, value - 622})
    for year, month, day, day_text, _ in numerals.english_dates(english):
        jalali_year, _, jalali_day = numerals.gregorian_to_jalali(year, month, day)
        # a date's day or year read as part of another figure ("1.16 September") is not one
        for written, jalali in ((day_text, jalali_day), (str(year), jalali_year)):
            if Decimal(written) in accepted:
                accepted[Decimal(written)].add(Decimal(jalali))


PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
ASCII = "0123456789"
_SCRIPTS = {"Persian": PERSIAN, "Arabic-Indic": ARABIC_INDIC, "Latin": ASCII}
_SCRIPT_DIGITS = {name: frozenset(digits) for name, digits in _SCRIPTS.items()}
_EASTERN_DIGITS = frozenset(PERSIAN + ARABIC_INDIC)
# a number as written: digits of any script with the separators between them
_NUMBER = re.compile(r"[0-9۰-۹٠-٩](?:[0-9۰-۹٠-٩]|[.,٬٫'   ](?=[0-9۰-۹٠-٩]))*")


def digits_of(text: str) -> str:
    """The digits a text writes its numbers in (the first non-Latin script found, else Latin)."""
    for name in ("Persian", "Arabic-Indic"):
        if not _SCRIPT_DIGITS[name].isdisjoint(text):
            return _SCRIPTS[name]
    return ASCII


def in_digits(text: str, digits: str) -> str:
    return text.translate(str.maketrans(ASCII, digits))


def _as_written(english: str, digits: str, language: str) -> str:
    """An English figure in the translation's digits; in non-Latin digits with the language's
    own separators too (15,000 as ۱۵٬۰۰۰, not ۱۵,۰۰۰)."""
    if digits != ASCII:
        group, decimal = numerals.separators(language)
        english = english.translate(str.maketrans(",.", group + decimal))
    return in_digits(english, digits)


def _scripts(number: str) -> list[str]:
    return [name for name, digits in _SCRIPT_DIGITS.items() if not digits.isdisjoint(number)]


class Digits(Check):
    """One number in one script: "4۰0" reads as nonsense; in Farsi, Persian digits (۴۵۶), not
    the Arabic-Indic ones (٤٥٦) that look alike but are other characters."""

    id = "digits"
    name = "Digits"
    severity = Severity.WARNING

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        if _EASTERN_DIGITS.isdisjoint(translation):
            return []  # Latin digits only: nothing to mix, none to write otherwise
        problems = []
        for match in _NUMBER.finditer(prose(translation)):
            number, scripts = match.group(0), _scripts(match.group(0))
            if len(scripts) > 1:
                problems.append(_MIXES[tuple(scripts)](number))
            elif context.language == "fa" and scripts == ["Arabic-Indic"]:
                persian = number.translate(str.maketrans(ARABIC_INDIC, PERSIAN))
                problems.append(
                    message(
                        N_(
                            "the number %(number)s has Arabic-Indic digits: write %(persian)s "
                            "in Persian digits"
                        ),
                        "digits.arabic-indic",
                        number=number,
                        persian=persian,
                    )
                )
        return problems


def _mixes(text: str, code: str) -> Callable[[str], Message]:
    return lambda number: message(text, code, number=number)


# the scripts a number mixes, in the order `_scripts` names them
_MIXES = {
    ("Persian", "Arabic-Indic"): _mixes(
        N_("the number %(number)s mixes Persian and Arabic-Indic digits"),
        "digits.mixed-persian-arabic-indic",
    ),
    ("Persian", "Latin"): _mixes(
        N_("the number %(number)s mixes Persian and Latin digits"), "digits.mixed-persian-latin"
    ),
    ("Arabic-Indic", "Latin"): _mixes(
        N_("the number %(number)s mixes Arabic-Indic and Latin digits"),
        "digits.mixed-arabic-indic-latin",
    ),
    ("Persian", "Arabic-Indic", "Latin"): _mixes(
        N_("the number %(number)s mixes Persian, Arabic-Indic and Latin digits"),
        "digits.mixed-persian-arabic-indic-latin",
    ),
}
