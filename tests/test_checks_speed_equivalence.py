"""The checks' fast paths answer as the plain code they replace, which is kept here as the
reference: patterns that start with their first character rather than with a look-behind,
pre-tests that skip a pattern when a text lacks what every match needs, sets of digits rather than
a loop over them, a glossary hashed once."""

from __future__ import annotations

import pickle
import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator import languages, numerals
from translator.checks import Context, Glossary, Term, figures, punctuation, run_all, urls
from translator.checks.text import EMAIL, HANDLE, URL, prose, without_link_targets

# What the patterns look for, and what they must not be fooled by
_PIECES = (
    "Free them", "آزادی", "ها", "x", " ", "  ", "\n", "\t", "\u00a0", "\u202f", "\u2009", "\u200c",
    "!", "?", ":", ";", ",", ".", "'", '"', "«", "»", "،", "؛", "؟", "٬", "٫", "(", ")", "[", "]",
    "0", "1", "5", "15", "88", "400", "1,500", "15,000", "15.000", "2.5", "2,5", "1980", "2022",
    "۰", "۱", "۵", "۱۵٬۰۰۰", "۲٫۵", "۱۳۶۷", "٠", "١", "٤٠٠", "१२", "１２", "–", "-", " – ",
    "16 September 2022", "September 16, 2022", "May", "1 january 1999", "10:30",
    "https://www.nybooks.com/", "http://a.b/c?d=e", "www.example.org", "press@example.org",
    "@burnthecage", "a@b", "[appeal](https://example.org/a)", "](", "ي", "ك", "آزادی ,", "ها\t?",
    "ها;", "Pourquoi ?", "Libre\u202f!", "x :",
)  # fmt: skip
_CHARACTERS = "".join(sorted(set("".join(_PIECES))))
TEXTS = st.one_of(
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    st.text(alphabet=_CHARACTERS, max_size=40),
)
LANGUAGES = st.sampled_from([*languages.TARGET_LANGUAGES, "en"])
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_figures(text: str, language: str) -> list[numerals.Figure]:
    group, decimal = numerals.separators(language)
    group_class = re.escape(group + "\u00a0\u202f\u2009" + {"fa": ",", "fr": " "}.get(language, ""))
    decimal_class = re.escape(decimal + {"fa": "."}.get(language, ""))
    pattern = re.compile(
        rf"(?<!\d)(?<!\d[{decimal_class}{group_class}])"
        rf"(\d{{1,3}}(?:[{group_class}]\d{{3}})+|\d+)(?:[{decimal_class}](\d+))?(?!\d)"
    )
    year_range = re.compile(r"(?<!\d)((\d\d)\d\d)\s?[–-]\s?(\d\d)(?!\d)")

    def expand(match: re.Match[str]) -> str:
        end = int(match.group(2) + match.group(3))
        return f"{match.group(1)} – {end + 100 if end < int(match.group(1)) else end}"

    ascii_text = year_range.sub(expand, text.translate(numerals._TO_ASCII))
    found = []
    for match in pattern.finditer(ascii_text):
        whole = re.sub(r"\D", "", match.group(1))
        value = Decimal(f"{whole}.{match.group(2)}" if match.group(2) else whole)
        found.append(
            numerals.Figure(match.group(0), value.normalize() if match.group(2) else value)
        )
    return found


@SETTINGS
@given(text=TEXTS, language=LANGUAGES)
def test_figures_are_read_as_the_plain_patterns_read_them(text: str, language: str) -> None:
    assert numerals.to_ascii_digits(text) == text.translate(numerals._TO_ASCII)
    assert numerals.figures(text, language) == reference_figures(text, language)


@SETTINGS
@given(text=TEXTS)
def test_english_dates_are_found_without_the_year_pre_test_too(text: str) -> None:
    plain = []
    for match in numerals._ENGLISH_DATE.finditer(text):
        day, month = match.group(1) or match.group(4), match.group(2) or match.group(3)
        number = numerals._ENGLISH_MONTHS.index(month.lower()) + 1
        plain.append((int(match.group(5)), number, int(day), day, match.group(5)))
    assert numerals.english_dates(text) == plain


def reference_digits(translation: str, language: str) -> list[str]:
    problems = []
    for match in figures._NUMBER.finditer(prose(translation)):
        number = match.group(0)
        scripts = [
            name for name, digits in figures._SCRIPTS.items() if any(d in number for d in digits)
        ]
        if len(scripts) > 1:
            named = " and ".join([", ".join(scripts[:-1]), scripts[-1]])
            problems.append(f"the number {number} mixes {named} digits")
        elif language == "fa" and scripts == ["Arabic-Indic"]:
            persian = number.translate(str.maketrans(figures.ARABIC_INDIC, figures.PERSIAN))
            problems.append(
                f"the number {number} has Arabic-Indic digits: write {persian} in Persian digits"
            )
    return problems


@SETTINGS
@given(text=TEXTS, language=LANGUAGES)
def test_digit_scripts_are_told_apart_as_by_looking_for_each_digit(
    text: str, language: str
) -> None:
    found = figures.Digits().problems("", text, Context(language))
    assert [problem.english for problem in found] == reference_digits(text, language)
    plain = next(
        (d for d in (figures.PERSIAN, figures.ARABIC_INDIC) if any(c in text for c in d)),
        figures.ASCII,
    )
    assert figures.digits_of(text) == plain


_NO_BREAK = "\u00a0\u202f"
_PERSIAN_LETTER = "\u0600-\u06ff\u200c"
# (the pattern as the check writes it, as first written)
_PUNCTUATION_PATTERNS = [
    (punctuation._FRENCH_BEFORE, rf"(?:(?<=[^\s{_NO_BREAK}])|(?<= ))([;:?!])"),
    (punctuation._FRENCH_OPEN, rf"«(?![{_NO_BREAK}])"),
    (punctuation._FRENCH_CLOSE, rf"(?<![{_NO_BREAK}])»"),
    (punctuation._LATIN_AFTER_PERSIAN, rf"(?<=[{_PERSIAN_LETTER}])\s?([,;?])"),
]


@SETTINGS
@given(text=TEXTS)
def test_punctuation_marks_are_found_where_the_look_behind_first_patterns_find_them(
    text: str,
) -> None:
    for fast, plain in _PUNCTUATION_PATTERNS:
        # what the check reads: the mark of each match (or the match) and where it is
        group = 1 if fast.groups else 0
        assert [(m.start(group), m.group(group)) for m in fast.finditer(text)] == [
            (m.start(group), m.group(group)) for m in re.finditer(plain, text)
        ]


@SETTINGS
@given(text=TEXTS)
def test_addresses_and_handles_are_found_without_the_pre_tests_too(text: str) -> None:
    plain = without_link_targets(text, "]")
    without_urls = URL.sub(" ", plain)
    items = (
        [("the address", u) for u in URL.findall(plain)]
        + [("the e-mail address", e) for e in EMAIL.findall(without_urls)]
        + [("the handle", h) for h in HANDLE.findall(EMAIL.sub(" ", without_urls))]
    )
    assert urls._items.__wrapped__(text) == tuple(dict.fromkeys(items))


def test_a_glossary_hashes_once_as_the_tuple_of_its_terms() -> None:
    terms = [
        Term("Toomaj Salehi", "person", {"fa": ("توماج صالحی",)}),
        Term("sham trials", "term", {"fa": ("محاکمه\u200cهای نمایشی",)}, "[fa] a note"),
    ]
    context = Context("fa", terms)
    assert isinstance(context.glossary, Glossary)
    assert context.glossary == tuple(terms) and hash(context.glossary) == hash(tuple(terms))
    assert Context("fa", tuple(terms)) == context
    copy = pickle.loads(pickle.dumps(context))
    assert copy == context and hash(copy.glossary) == hash(tuple(terms))
    source, translation = "Free Toomaj Salehi after sham trials.", "Libérez Tomaj Salehi."
    assert run_all(source, translation, context) == run_all(
        source, translation, Context("fa", tuple(terms))
    )
    assert run_all(source, translation, context) and Context("de").glossary == ()
