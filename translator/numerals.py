"""Numbers and dates as the desk's languages write them: digits, separators, the Solar Hijri year.

Separators come from CLDR through Babel; each language also accepts the no-break, narrow no-break
and thin spaces as group separators (`15 000`), and Farsi the Latin comma and full stop, which
Persian typists use beside ٬ and ٫.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale

_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_EASTERN_DIGITS = re.compile("[۰-۹٠-٩]+")
_SPACES = "\u00a0\u202f\u2009"
_NOT_DIGIT = re.compile(r"\D")
_EXTRA_GROUPS = {"fa": ",", "fr": " "}
_EXTRA_DECIMALS = {"fa": "."}
# A four-digit year and a two-digit one after a dash: 1980–88 is 1980 to 1988. Here and in
# `_pattern`, the look-behind "no digit before" follows the first digit: a pattern that starts
# with a digit lets the engine skip from digit to digit instead of trying every character.
_YEAR_RANGE = re.compile(r"((\d(?<!\d\d)\d)\d\d)\s?[–-]\s?(\d\d)(?!\d)")

PERSIAN_MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
_ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_ENGLISH_DATE = re.compile(
    r"\b(?:(\d{1,2})\s+("
    + "|".join(_ENGLISH_MONTHS)
    + r")|("
    + "|".join(_ENGLISH_MONTHS)
    + r")\s+(\d{1,2}),?)\s+(\d{4})\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\d\d\d\d")  # every English date has one


@dataclass(frozen=True)
class Figure:
    """A number as written, and its value."""

    text: str
    value: Decimal


def to_ascii_digits(text: str) -> str:
    """Persian (۰–۹) and Arabic-Indic (٠–٩) digits as ASCII digits."""
    # only the runs of digits: translating a whole non-ASCII text looks up every character
    return _EASTERN_DIGITS.sub(lambda digits: digits.group().translate(_TO_ASCII), text)


@cache
def _pattern(language: str) -> re.Pattern[str]:
    group, decimal = separators(language)
    group_class = re.escape(group + _SPACES + _EXTRA_GROUPS.get(language, ""))
    decimal_class = re.escape(decimal + _EXTRA_DECIMALS.get(language, ""))
    # not after a digit, nor after a digit and a separator (1.5 is one number, not 1 and 5)
    first = rf"\d(?<!\d\d)(?<!\d[{decimal_class}{group_class}]\d)"
    return re.compile(
        rf"({first}(?:\d{{0,2}}(?:[{group_class}]\d{{3}})+|\d*))(?:[{decimal_class}](\d+))?(?!\d)"
    )


@cache
def separators(language: str) -> tuple[str, str]:
    """The group and decimal separators of a language's default numbering system (CLDR)."""
    locale = Locale.parse(language)
    system = getattr(locale, "default_numbering_system", "latn")
    symbols = locale.number_symbols.get(system) or locale.number_symbols["latn"]
    return symbols["group"], symbols["decimal"]


def figures(text: str, language: str = "en") -> list[Figure]:
    """Every number in a text, read with the language's separators; year ranges expanded."""
    ascii_text = _expand_year_ranges(text if text.isascii() else to_ascii_digits(text))
    found = []
    for match in _pattern(language).finditer(ascii_text):
        digits = match.group(1)
        whole = digits if digits.isdigit() else _NOT_DIGIT.sub("", digits)
        try:
            value = Decimal(f"{whole}.{match.group(2)}" if match.group(2) else whole)
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            continue
        found.append(Figure(match.group(0), value.normalize() if match.group(2) else value))
    return found


def _expand_year_ranges(text: str) -> str:
    if "–" not in text and "-" not in text:
        return text

    def expand(match: re.Match[str]) -> str:
        century, short = match.group(2), match.group(3)
        end = int(century + short)
        if end < int(match.group(1)):
            end += 100
        return f"{match.group(1)} – {end}"

    return _YEAR_RANGE.sub(expand, text)


def gregorian_to_jalali(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The Solar Hijri (Jalali) date of a Gregorian date (the 33-year arithmetic calendar)."""
    days_before = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
    leap_year = year + 1 if month > 2 else year
    days = (
        355666
        + 365 * year
        + (leap_year + 3) // 4
        - (leap_year + 99) // 100
        + (leap_year + 399) // 400
        + day
        + days_before[month - 1]
    )
    jalali_year = -1595 + 33 * (days // 12053)
    days %= 12053
    jalali_year += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jalali_year += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        return jalali_year, 1 + days // 31, 1 + days % 31
    return jalali_year, 7 + (days - 186) // 30, 1 + (days - 186) % 30


def english_dates(text: str) -> list[tuple[int, int, int, str, str]]:
    """Dates written out in English ("16 September 2022", "September 16, 2022"):
    (year, month, day, the day as written, the year as written)."""
    if not _YEAR.search(text):
        return []  # the date pattern is tried at every word boundary: most texts have no year
    found = []
    for match in _ENGLISH_DATE.finditer(text):
        day = match.group(1) or match.group(4)
        month = match.group(2) or match.group(3)
        year = match.group(5)
        found.append((int(year), _ENGLISH_MONTHS.index(month.lower()) + 1, int(day), day, year))
    return found
