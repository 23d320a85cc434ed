"""Plural-Forms headers: readable, independent of the Babel release, and true to CLDR."""

from __future__ import annotations

import subprocess

import pytest
from babel import Locale

from translator import languages
from translator.formats import plural_forms

COUNTS = (*range(0, 10_001), *(k * 1_000_000 for k in range(1, 11)), 1_000_001, 10**9, 10**12)
MORE_LANGUAGES = ("ar", "ru", "pl", "lt", "cy", "ga", "sl", "he", "cs", "ro", "lv", "mt", "br")


@pytest.mark.parametrize("code", [*languages.TARGET_LANGUAGES, *MORE_LANGUAGES])
def test_header_expression_chooses_the_cldr_category_of_every_count(code: str) -> None:
    rule = Locale.parse(code).plural_form
    forms = plural_forms.parse(plural_forms.from_cldr(rule))
    names = plural_forms.categories(rule)
    assert forms.nplurals == len(names)
    wrong = [n for n in COUNTS if names[forms.index(n)] != rule(n)]
    assert wrong == []


def test_french_header_reads_as_a_person_would_write_it() -> None:
    assert languages.get("fr").plural_forms == (
        "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;"
    )
    assert languages.get("de").plural_forms == "nplurals=2; plural=n == 1 ? 0 : 1;"
    assert languages.get("fa").plural_forms == "nplurals=2; plural=(n == 0 || n == 1) ? 0 : 1;"


@pytest.mark.parametrize("code", languages.TARGET_LANGUAGES)
def test_gnu_msgfmt_accepts_every_header(tmp_path, code: str) -> None:
    language = languages.get(code)
    forms = "".join(f'msgstr[{i}] "x{i}"\n' for i in range(language.nplurals))
    po = tmp_path / f"{code}.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Language: {code}\\n"\n"Plural-Forms: {language.plural_forms}\\n"\n\n'
        f'msgid "one file"\nmsgid_plural "%d files"\n{forms}',
        encoding="utf-8",
    )
    result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("nplurals=2; plural=(n > 1);", [0, 0, 1, 1]),
        ("nplurals=2; plural=n != 1;", [1, 0, 1, 1]),
        ("nplurals=1; plural=0;", [0, 0, 0, 0]),
        ("nplurals=3; plural=n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2;", [2, 0, 1, 1]),
        ("nplurals=2; plural=1 - (n == 1)", [1, 0, 1, 1]),
    ],
)
def test_parsed_expressions_evaluate_as_c_does(header: str, expected: list[int]) -> None:
    forms = plural_forms.parse(header)
    assert [forms.index(n) for n in (0, 1, 2, 3)] == expected


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("nplurals=2; plural=__import__('os').system('true');", "unexpected"),
        ("nplurals=INTEGER; plural=EXPRESSION;", "must read"),
        ("nplurals=2; plural=n / (n - n);", "divides by zero"),
        ("nplurals=2; plural=n;", "gives form 2"),
        ("nplurals=2; plural=(n == 1 ? 0 : 1;", "ends early"),
        ("nplurals=2; plural=;", "empty"),
    ],
)
def test_what_is_not_a_gettext_plural_expression_is_refused(header: str, reason: str) -> None:
    with pytest.raises(plural_forms.PluralFormsError, match=reason):
        plural_forms.parse(header)


def test_french_file_with_two_forms_maps_onto_cldr_one_many_other() -> None:
    sources = plural_forms.mapping(
        plural_forms.parse("nplurals=2; plural=(n > 1);"), Locale.parse("fr").plural_form
    )
    assert sources == (
        plural_forms.FormSource(0, True),
        plural_forms.FormSource(1, False),
        plural_forms.FormSource(1, True),
    )


@pytest.mark.parametrize("code", languages.TARGET_LANGUAGES)
def test_our_own_header_maps_every_form_onto_itself(code: str) -> None:
    rule = Locale.parse(code).plural_form
    sources = plural_forms.mapping(plural_forms.parse(plural_forms.from_cldr(rule)), rule)
    assert sources == tuple(plural_forms.FormSource(i, True) for i in range(len(sources)))


def test_farsi_file_with_one_form_fills_both_forms_from_it() -> None:
    sources = plural_forms.mapping(
        plural_forms.parse("nplurals=1; plural=0;"), Locale.parse("fa").plural_form
    )
    assert [source.index for source in sources] == [0, 0]
    assert [source.exact for source in sources] == [False, True]
