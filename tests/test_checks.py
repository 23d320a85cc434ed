"""Each check, data-driven: good and bad translations in every language the desk supports."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from translate.filters import checks as ttk

from translator import languages, numerals
from translator.checks import Context, Severity, Term, all_checks, run_all, toolkit
from translator.formats import glossary as glossary_format

GLOSSARY = (
    Term(
        "Toomaj Salehi",
        "person",
        {
            "fa": ("توماج صالحی",),
            "tr": ("Toomaj Salehi",),
            "fr": ("Toomaj Salehi",),
            "es": ("Toomaj Salehi",),
            "de": ("Toomaj Salehi",),
            "pt": ("Toomaj Salehi",),
        },
    ),
    Term(
        "Woman, Life, Freedom",
        "slogan",
        {
            "fa": ("زن، زندگی، آزادی",),
            "de": ("Frau, Leben, Freiheit",),
            "fr": ("Femme, Vie, Liberté",),
        },
    ),
    Term("Reporters Without Borders", "organisation", {"de": ("Reporter ohne Grenzen",)}),
)


def failures(check: str, source: str, translation: str, language: str) -> list[str]:
    return [
        f.message for f in run_all(source, translation, Context(language, GLOSSARY), only=[check])
    ]


def case(source: str, translation: str, language: str) -> tuple[str, str, str]:
    return source, translation, language


FIGURES_GOOD = [
    case("At least 15,000 detained.", "Mindestens 15.000 Menschen festgenommen.", "de"),
    case("At least 15,000 detained.", "Au moins 15\u202f000 personnes arrêtées.", "fr"),
    case("At least 15,000 detained.", "Au moins 15\u00a0000 personnes arrêtées.", "fr"),
    case("At least 15,000 detained.", "Au moins 15 000 personnes arrêtées.", "fr"),
    case("At least 15,000 detained.", "دست‌کم ۱۵٬۰۰۰ نفر بازداشت شده‌اند.", "fa"),
    case("At least 15,000 detained.", "دست‌کم ١٥٬٠٠٠ نفر بازداشت شده‌اند.", "fa"),
    case("At least 15,000 detained.", "En az 15.000 kişi gözaltına alındı.", "tr"),
    case("At least 15,000 detained.", "Al menos 15.000 personas detenidas.", "es"),
    case("At least 15,000 detained.", "Pelo menos 15.000 pessoas detidas.", "pt"),
    case("A rise of 2.5 percent.", "Ein Anstieg um 2,5 Prozent.", "de"),
    case("A rise of 2.5 percent.", "Une hausse de 2,5 %.", "fr"),
    case("A rise of 2.5 percent.", "افزایش ۲٫۵ درصدی.", "fa"),
    case("In the 1980–88 war.", "Im Krieg von 1980 bis 1988.", "de"),
    case("In the 1980–88 war.", "در جنگ ۱۹۸۰ تا ۱۹۸۸.", "fa"),
    case("The 1988 massacre.", "کشتار ۱۳۶۷.", "fa"),
    case("The 1988 massacre.", "کشتار سال ۱۳۶۶.", "fa"),
    case("On 16 September 2022.", "در ۲۵ شهریور ۱۴۰۱.", "fa"),
    case("On 16 September 2022.", "در ۱۶ سپتامبر ۲۰۲۲.", "fa"),
    case("227 of 290 members voted.", "290 milletvekilinden 227'si oy verdi.", "tr"),
    case("No figures here.", "Keine Zahlen.", "de"),
    case(
        "See [the list](https://example.org/2022/list-5).",
        "Siehe [die Liste](https://example.org/2022/list-5).",
        "de",
    ),
]
FIGURES_BAD = [
    case(
        "At least 15,000 detained.",
        "Mindestens 1.500 Menschen festgenommen.",
        "de",
    ),
    case("At least 15,000 detained.", "Mindestens 15,000 Menschen festgenommen.", "de"),
    case("At least 15,000 detained.", "دست‌کم ۱۵۰۰ نفر بازداشت شده‌اند.", "fa"),
    case("At least 15,000 detained.", "Au moins 1 500 personnes arrêtées.", "fr"),
    case("A rise of 2.5 percent.", "Ein Anstieg um 25 Prozent.", "de"),
    case("Over 400 killed, including 51 minors.", "Plus de 400 tués, dont 15 mineurs.", "fr"),
    case("Over 400 killed, including 51 minors.", "بیش از ۴۰۰ نفر کشته شدند.", "fa"),
    case("The 1988 massacre.", "کشتار ۱۳۶۸.", "fa"),
    case("The 1988 massacre.", "Le massacre de 1998.", "fr"),
    case("In the 1980–88 war.", "Im Krieg von 1980 bis 1989.", "de"),
    case("227 of 290 members voted.", "290 milletvekilinden 272'si oy verdi.", "tr"),
    case("On 16 September 2022.", "En 17 de septiembre de 2022.", "es"),
]


@pytest.mark.parametrize(("source", "translation", "language"), FIGURES_GOOD)
def test_figures_accepts_the_same_values_in_any_script_or_grouping(
    source: str, translation: str, language: str
) -> None:
    assert failures("figures", source, translation, language) == []


@pytest.mark.parametrize(("source", "translation", "language"), FIGURES_BAD)
def test_figures_catches_a_wrong_or_missing_number(
    source: str, translation: str, language: str
) -> None:
    found = failures("figures", source, translation, language)
    assert found and all(m.startswith("figure ") for m in found)


def test_figures_message_names_the_numbers_involved() -> None:
    [message] = failures("figures", "At least 15,000 detained.", "Mindestens 1.500 Menschen.", "de")
    assert message == (
        "figure 15,000 of the English is missing from the translation (the translation has 1.500)"
    )


def test_figures_message_shows_the_translations_numbers_as_it_writes_them() -> None:
    [message] = failures("figures", "The massacre of 1988.", "Das Massaker von 1998.", "de")
    assert message.endswith("(the translation has 1998)")
    [message] = failures("figures", "In 1988, 30,000 died.", "در سال ۱۳۶۸، ۳۰٬۰۰۰ نفر", "fa")
    # in the translation's own digits, the English figure too (Solar Hijri 1366/1367 would pass)
    assert "figure ۱۹۸۸ of the English" in message
    assert "(the translation has ۱۳۶۸، ۳۰٬۰۰۰)" in message  # listed with the Persian comma


MARKUP_GOOD = [
    case(
        "Sign the [appeal](https://example.org/a) **now**.",
        "امضا کنید: [فراخوان](https://example.org/a) **همین حالا**.",
        "fa",
    ),
    case("*Their lives* hang in the balance.", "*Ihr Leben* hängt am seidenen Faden.", "de"),
    case("Use `@burnthecage`.", "Utilisez `@burnthecage`.", "fr"),
    case("Plain text.", "Texto simple.", "es"),
]
MARKUP_BAD = [
    case("Sign the [appeal](https://example.org/a).", "Assine o apelo.", "pt"),
    case(
        "Sign the [appeal](https://example.org/a).",
        "Assine o [apelo](https://example.org/b).",
        "pt",
    ),
    case("**Free them** now.", "**Libérez-les maintenant.", "fr"),
    case("**Free them** now.", "Libérez-les maintenant.", "fr"),
    case("*Their lives* hang.", "Ihr Leben hängt.", "de"),
    case("Use `code`.", "Kullan `kod`.", "tr"),
    case("Free them.", "Free them <script>alert(1)</script>.", "tr"),
]


@pytest.mark.parametrize(("source", "translation", "language"), MARKUP_GOOD)
def test_markup_accepts_kept_links_emphasis_and_code(
    source: str, translation: str, language: str
) -> None:
    assert failures("markup", source, translation, language) == []


@pytest.mark.parametrize(("source", "translation", "language"), MARKUP_BAD)
def test_markup_catches_dropped_links_changed_targets_and_broken_emphasis(
    source: str, translation: str, language: str
) -> None:
    assert failures("markup", source, translation, language)


# Raw HTML as a browser's tokenizer reads it: `<` and an ASCII letter start a tag, whatever follows
# the name; `</` an end tag; `<!` and `<?` a comment, a doctype or a bogus comment.
FARSI = ("برای آزادی", "امضا کنید.")
HTML_BAD = [
    "<b>",
    "<b>همین حالا</b>",
    "</b>",
    "<B>",
    "<IMG SRC=x ONERROR=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<meta/http-equiv=refresh content=0;url=//evil>",
    "<meta http-equiv=refresh content=0;url=//evil>",
    "<a\thref=//evil>",
    "<a\nhref=//evil>",
    "<a\fhref=//evil>",
    "<a href=//evil",  # left open: in a page it swallows the markup that follows
    '<a title=">" onclick=alert(1)>',
    "<script>alert(1)</script>",
    "<style>*{display:none}</style>",
    "<!-- -->",
    "<!-->",
    "<!doctype html>",
    "<!DOCTYPE html>",
    "<![CDATA[x]]>",
    "<?xml version=1?>",
    "<?",
    "</ x>",
    "</>",
    "<x>",
]
HTML_GOOD = [
    case("Sign the appeal.", "۵ < ۱۰ و ۱۰ > ۵: امضا کنید.", "fa"),  # comparison signs are text
    case("Sign the appeal.", "آزادی <3 امضا کنید.", "fa"),
    case("Sign the appeal.", "<آزادی> امضا کنید.", "fa"),  # not an ASCII letter: text
    case("Sign the appeal.", "آزادی < ۳ امضا کنید </", "fa"),
    case("First line<br>second.", "خط اول<br>دوم.", "fa"),  # the English's own tag, kept
    case('See <a href="/act">the appeal</a>.', 'ببینید: <a href="/act">فراخوان</a>.', "fa"),
]


@pytest.mark.parametrize("tag", HTML_BAD)
def test_markup_finds_every_tag_a_browser_would_read_that_the_english_has_not(tag: str) -> None:
    translation = f"{FARSI[0]} {tag} {FARSI[1]}"
    found = run_all("Sign the appeal for freedom.", translation, Context("fa"), only=["markup"])
    html = [f for f in found if f.message.startswith("raw HTML <")]
    assert html and all(f.severity == Severity.ERROR for f in html), translation


@pytest.mark.parametrize(("source", "translation", "language"), HTML_GOOD)
def test_markup_leaves_text_that_a_browser_reads_as_text(
    source: str, translation: str, language: str
) -> None:
    assert failures("markup", source, translation, language) == []


def test_markup_finds_a_tag_whose_attributes_differ_from_the_englishs() -> None:
    source = 'See <a href="/act">the appeal</a>.'
    translation = 'ببینید: <a href="/act" onclick="alert(1)">فراخوان</a>.'
    assert failures("markup", source, translation, "fa") == [
        'raw HTML <a href="/act" onclick="alert(1)"> is not allowed: the English does not have it'
    ]


def test_markup_finds_tags_in_a_text_too_long_to_parse() -> None:
    source = "Free them. " * 600
    translation = "آزادی. " * 800 + "<svg/onload=alert(1)>"
    assert failures("markup", source, translation, "fa") == [
        "raw HTML <svg/onload=alert(1)> is not allowed: the English does not have it"
    ]


def test_markup_quotes_a_long_tag_shortened() -> None:
    [message] = failures("markup", "Free them.", "آزادی <a title=" + "x" * 500 + ">", "fa")
    assert message.startswith("raw HTML <a title=xxx") and "… is not allowed" in message
    assert len(message) < 150


URLS_GOOD = [
    case("Follow @burnthecage on Instagram.", "@burnthecage را در اینستاگرام دنبال کنید.", "fa"),
    case("Write to press@example.org.", "Schreiben Sie an press@example.org.", "de"),
    case("See https://www.nybooks.com/ today.", "Voir https://www.nybooks.com/ aujourd'hui.", "fr"),
    case(
        "[@burnthecage](https://www.instagram.com/burnthecage/)",
        "[@burnthecage](https://www.instagram.com/burnthecage/)",
        "es",
    ),
]
URLS_BAD = [
    case("Follow @burnthecage on Instagram.", "Instagram'da @burnthecages takip edin.", "tr"),
    case("Follow @burnthecage on Instagram.", "Siga no Instagram.", "pt"),
    case("Write to press@example.org.", "Schreiben Sie an presse@example.org.", "de"),
    case("See https://www.nybooks.com/ today.", "Voir https://nybooks.com/ aujourd'hui.", "fr"),
]


@pytest.mark.parametrize(("source", "translation", "language"), URLS_GOOD)
def test_urls_accepts_addresses_and_handles_kept_exactly(
    source: str, translation: str, language: str
) -> None:
    assert failures("urls", source, translation, language) == []


@pytest.mark.parametrize(("source", "translation", "language"), URLS_BAD)
def test_urls_catches_a_changed_address_or_handle(
    source: str, translation: str, language: str
) -> None:
    assert failures("urls", source, translation, language)


GLOSSARY_GOOD = [
    case("Toomaj Salehi is on hunger strike.", "توماج صالحی در اعتصاب غذاست.", "fa"),
    case("Toomaj Salehi is on hunger strike.", "Toomaj Salehi'nin açlık grevi sürüyor.", "tr"),
    case("Free Toomaj Salehi.", "Libérez Toomaj Salehi.", "fr"),
    case(
        'Under the slogan "Woman, Life, Freedom".', "Unter dem Motto „Frau, Leben, Freiheit“.", "de"
    ),
    case("Reporters Without Borders counts 33.", "Reporter ohne Grenzen zählt 33.", "de"),
]
GLOSSARY_BAD = [
    case(
        "Toomaj Salehi is on hunger strike.",
        "توماج صالحي در اعتصاب غذاست.",
        "fa",
    ),
    case("Free Toomaj Salehi.", "Libérez Tomaj Salehi.", "fr"),
    case("Free Toomaj Salehi.", "Liberen a Toomaj Salihi.", "es"),
    case("Free Toomaj Salehi.", "Libertem Toomaj.", "pt"),
]


@pytest.mark.parametrize(("source", "translation", "language"), GLOSSARY_GOOD)
def test_glossary_accepts_the_approved_forms(source: str, translation: str, language: str) -> None:
    assert failures("glossary", source, translation, language) == []


@pytest.mark.parametrize(("source", "translation", "language"), GLOSSARY_BAD)
def test_glossary_catches_a_misspelt_name_as_an_error(
    source: str, translation: str, language: str
) -> None:
    found = run_all(source, translation, Context(language, GLOSSARY), only=["glossary"])
    assert found and all(f.severity == Severity.ERROR for f in found)
    assert "Toomaj Salehi" in found[0].message


def test_glossary_term_spelt_otherwise_is_a_warning() -> None:
    found = run_all(
        "Reporters Without Borders counts 33.",
        "Reporter ohne Grenze zählt 33.",
        Context("de", GLOSSARY),
        only=["glossary"],
    )
    assert [f.severity for f in found] == [Severity.WARNING]
    assert "'Reporter ohne Grenzen'" in found[0].message


PUNCTUATION_GOOD = [
    case("Why? Act now!", "Pourquoi\u202f? Agissez maintenant\u202f!", "fr"),
    case('The slogan "Woman"', "Le slogan «\u202fFemme\u202f»", "fr"),
    case("Why? Act now, today; now.", "چرا؟ همین حالا، امروز؛ اکنون.", "fa"),
    case("See https://example.org/a?b=c now.", "Voir https://example.org/a?b=c maintenant.", "fr"),
    case('The "police"', "Die „Polizei“", "de"),
    case("At 10:30.", "À 10:30.", "fr"),
]
PUNCTUATION_BAD = [
    case("Why? Act now!", "Pourquoi? Agissez maintenant !", "fr"),
    case('The slogan "Woman"', "Le slogan « Femme »", "fr"),
    case("Why? Act now, today.", "چرا? همین حالا, امروز.", "fa"),
    case("Political prisoners.", "زندانيان سياسي.", "fa"),
    case("Political prisoners.", "زندانی\u200bها.", "fa"),
    case('The "police"', 'Die "Polizei"', "de"),
    case('The "police"', 'La "policía"', "es"),
    case("The (police)", "La (policía", "es"),
]


@pytest.mark.parametrize(("source", "translation", "language"), PUNCTUATION_GOOD)
def test_punctuation_accepts_each_languages_typography(
    source: str, translation: str, language: str
) -> None:
    assert failures("punctuation", source, translation, language) == []


@pytest.mark.parametrize(("source", "translation", "language"), PUNCTUATION_BAD)
def test_punctuation_warns_about_foreign_typography(
    source: str, translation: str, language: str
) -> None:
    found = run_all(source, translation, Context(language, GLOSSARY), only=["punctuation"])
    assert found and all(f.severity == Severity.WARNING for f in found)


SPACING_BAD = [
    case("Free them.", " Befreit sie.", "de"),
    case("Free them.", "Befreit sie. ", "de"),
    case("Free them.", "Befreit  sie.", "de"),
    case("Line one\\\nline two", "Satır bir satır iki", "tr"),
]


@pytest.mark.parametrize(("source", "translation", "language"), SPACING_BAD)
def test_spacing_warns_about_stray_spaces_and_line_breaks(
    source: str, translation: str, language: str
) -> None:
    assert failures("spacing", source, translation, language)


def test_spacing_accepts_the_englishs_own_spacing() -> None:
    assert failures("spacing", "Free them.", "Befreit sie.", "de") == []
    assert failures("spacing", "Line one\\\nline two", "Satır bir\\\nsatır iki", "tr") == []


def test_unchanged_warns_unless_the_english_is_only_names_and_figures() -> None:
    assert failures("unchanged", "Act now to free them.", "Act now to free them.", "de")
    assert failures("unchanged", "Toomaj Salehi", "Toomaj Salehi", "de") == []
    assert failures("unchanged", "15,000", "15,000", "fr") == []
    assert failures("unchanged", "fa", "fa", "tr") == []


def test_length_warns_about_much_shorter_or_longer_translations() -> None:
    source = "Free all of Iran's political prisoners now."
    assert failures("length", source, "Frei.", "de")
    assert failures("length", source, source * 4, "de")
    assert (
        failures("length", source, "Alle politischen Gefangenen im Iran jetzt freilassen.", "de")
        == []
    )
    assert failures("length", "Act now", "Jetzt", "de") == []


def test_a_date_whose_day_is_read_into_another_figure_is_checked_without_a_crash() -> None:
    # "1.16" is one figure: the day of "16 September 2022" is not a figure of its own
    found = failures("figures", "Since 1.16 September 2022.", "از ۱٫۱۶ شهریور ۲۰۲۲.", "fa")
    assert found == []
    missing = failures("figures", "Since 1.16 September 2022.", "از شهریور ۱۴۰۱.", "fa")
    assert len(missing) == 1 and "۱٫۱۶" in missing[0]


def test_every_check_has_an_id_a_name_and_a_severity() -> None:
    for check in all_checks():
        assert check.id and check.name and check.severity in (Severity.ERROR, Severity.WARNING)


def test_solar_hijri_conversion_matches_known_dates() -> None:
    assert numerals.gregorian_to_jalali(2022, 9, 16) == (1401, 6, 25)
    assert numerals.gregorian_to_jalali(2021, 3, 21) == (1400, 1, 1)
    assert numerals.gregorian_to_jalali(1988, 7, 19) == (1367, 4, 28)


def test_shipped_glossary_reads_and_round_trips_as_csv_and_tbx() -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "glossary" / "campaign.csv"
    terms = glossary_format.read_csv(path.read_text(), str(path))
    assert len(terms) > 40 and any(t.english == "Toomaj Salehi" for t in terms)
    assert glossary_format.write_csv(terms) == path.read_text()
    assert glossary_format.read_tbx(glossary_format.write_tbx(terms).encode()) == terms


# Every check in every language: a careful translation of one sentence passes every check, and
# each fault, put into it alone, is caught by its check.

ENGLISH = (
    "Toomaj Salehi: at least 15,000 people are detained. Sign the "
    "[appeal](https://example.org/a) and follow @burnthecage."
)
GOOD = {
    "fa": "توماج صالحی: دست‌کم ۱۵٬۰۰۰ نفر در بازداشت‌اند. [فراخوان](https://example.org/a) را "
    "امضا کنید و @burnthecage را دنبال کنید.",
    "tr": "Toomaj Salehi: en az 15.000 kişi gözaltında. [Çağrıyı](https://example.org/a) "
    "imzalayın ve @burnthecage hesabını takip edin.",
    "fr": "Toomaj Salehi\u00a0: au moins 15\u202f000 personnes sont détenues. Signez l’"
    "[appel](https://example.org/a) et suivez @burnthecage.",
    "es": "Toomaj Salehi: al menos 15.000 personas están detenidas. Firma el "
    "[llamamiento](https://example.org/a) y sigue a @burnthecage.",
    "de": "Toomaj Salehi: Mindestens 15.000 Menschen sind in Haft. Unterzeichnen Sie den "
    "[Appell](https://example.org/a) und folgen Sie @burnthecage.",
    "pt": "Toomaj Salehi: pelo menos 15.000 pessoas estão detidas. Assine o "
    "[apelo](https://example.org/a) e siga @burnthecage.",
}
FAULTS = {
    "figures": lambda text, lang: text.replace("15", "16").replace("۱۵", "۱۶"),
    "markup": lambda text, lang: text.replace("example.org/a", "example.org/b"),
    "urls": lambda text, lang: text.replace("@burnthecage", "@burnthecag"),
    "glossary": lambda text, lang: text.replace("Toomaj", "Tomaj").replace("صالحی", "صالحي"),
    "spacing": lambda text, lang: text + " ",
    "unchanged": lambda text, lang: ENGLISH,
    "length": lambda text, lang: text + " " + text[:-1] * 3,
    "punctuation": lambda text, lang: {
        "fa": text.replace("بازداشت‌اند.", "بازداشت‌اند?"),
        "fr": text.replace("\u00a0:", " :"),
    }.get(lang, text.replace("Toomaj Salehi", '"Toomaj Salehi"')),
}


@pytest.mark.parametrize("language", sorted(GOOD))
def test_a_careful_translation_passes_every_check(language: str) -> None:
    assert run_all(ENGLISH, GOOD[language], Context(language, GLOSSARY)) == []


@pytest.mark.parametrize("check", sorted(FAULTS))
@pytest.mark.parametrize("language", sorted(GOOD))
def test_each_fault_is_caught_by_its_check_in_every_language(check: str, language: str) -> None:
    faulty = FAULTS[check](GOOD[language], language)
    assert faulty != GOOD[language]
    assert check in {f.check for f in run_all(ENGLISH, faulty, Context(language, GLOSSARY))}


def test_messages_show_invisible_characters_as_they_are_not_escaped() -> None:
    terms = (Term("sham trials", "term", {"fa": ("محاکمه\u200cهای نمایشی",)}),)
    [failure] = run_all("Sham trials.", "دادگاه.", Context("fa", terms), only=["glossary"])
    assert "محاکمه\u200cهای نمایشی" in failure.message and "\\u200c" not in failure.message


def test_unchanged_english_is_an_error_that_blocks_approval() -> None:
    [found] = run_all(
        "Act now to free them.", "Act now to free them.", Context("fa", GLOSSARY), ["unchanged"]
    )
    assert found.severity == Severity.ERROR


def test_unchanged_english_is_fine_when_only_names_codes_urls_or_kept_terms() -> None:
    kept = (Term("PEN America", "organisation", {"fr": ("PEN America",)}),)
    for source, language in [
        ("Toomaj Salehi", "de"),
        ("https://iranpoliticalprisoners.org/act", "fa"),
        ("CIA, UN", "tr"),
        ("@burnthecage", "es"),
        ("PEN America", "fr"),
        ("Reporters Without Borders", "pt"),  # an organisation: a name
    ]:
        found = run_all(source, source, Context(language, GLOSSARY + kept), ["unchanged"])
        assert found == [], (source, language)
    term = (Term("moharebeh", "term", {"fr": ("moharebeh",), "de": ("Moharebeh",)}),)
    assert run_all("moharebeh", "moharebeh", Context("fr", term), ["unchanged"]) == []
    assert run_all("moharebeh", "moharebeh", Context("de", term), ["unchanged"])


def test_one_unchanged_word_is_a_warning_and_keys_placeholders_and_units_pass() -> None:
    [word] = run_all("Document", "Document", Context("fr"), ["unchanged"])
    assert word.severity == Severity.WARNING and "same in this language" in word.message
    for source in ("Ctrl+Shift+Enter", "Alt+PageDown", "Ctrl+%(number)d", "%(h)d h %(m)d min"):
        assert run_all(source, source, Context("de"), ["unchanged"]) == [], source
    [sentence] = run_all("Sign the appeal today", "Sign the appeal today", Context("pt"))
    assert sentence.severity == Severity.ERROR


DIGITS_BAD = [
    case("We need 400 letters.", "ما به 4۰0 نامه نیاز داریم.", "fa"),
    case("We need 400 letters.", "ما به ٤٠٠ نامه نیاز داریم.", "fa"),
    case("In 2022, 15,000 were held.", "در ۲۰۲۲، ۱۵,0۰۰ نفر", "fa"),
    case("15,000 people", "15.0۰0 Menschen", "de"),
]
DIGITS_GOOD = [
    case("We need 400 letters.", "ما به ۴۰۰ نامه نیاز داریم.", "fa"),
    case("We need 400 letters.", "ما به 400 نامه نیاز داریم.", "fa"),
    case("In 2022, 15,000 were held.", "در ۲۰۲۲، ۱۵٬۰۰۰ نفر", "fa"),
    case("15,000 people", "15.000 Menschen", "de"),
]


@pytest.mark.parametrize(("source", "translation", "language"), DIGITS_BAD)
def test_mixed_digit_scripts_and_arabic_indic_in_farsi_are_warnings(
    source: str, translation: str, language: str
) -> None:
    found = run_all(source, translation, Context(language, GLOSSARY), ["digits"])
    assert found and all(f.severity == Severity.WARNING for f in found)


@pytest.mark.parametrize(("source", "translation", "language"), DIGITS_GOOD)
def test_numbers_in_one_script_pass(source: str, translation: str, language: str) -> None:
    assert failures("digits", source, translation, language) == []


def test_a_missing_and_a_misspelt_name_get_different_messages() -> None:
    [missing] = failures("glossary", "Free Toomaj Salehi.", "Libérez-le.", "fr")
    [misspelt] = failures("glossary", "Free Toomaj Salehi.", "Libérez Tomaj Salehi.", "fr")
    assert "'Toomaj Salehi' is missing: write it 'Toomaj Salehi'" in missing
    assert "is misspelt: 'Tomaj Salehi' should be written 'Toomaj Salehi'" in misspelt
    [persian] = failures("glossary", "Toomaj Salehi is free.", "توماج صالحي آزاد است.", "fa")
    assert "misspelt: 'توماج صالحي' should be written 'توماج صالحی'" in persian


def test_a_glossary_note_speaks_to_its_language_only() -> None:
    from translator.checks.glossary import note_for

    term = Term(
        "Islamic Republic",
        "institution",
        {"de": ("Islamische Republik",), "fr": ("République islamique",)},
        "The Iranian state. [de] German declines it (Islamischen Republik). [fa] Farsi: x.",
    )
    assert note_for(term, "fr") == "The Iranian state."
    assert note_for(term, "de") == "The Iranian state. German declines it (Islamischen Republik)."
    [message] = [
        f.message
        for f in run_all("The Islamic Republic", "La République", Context("fr", (term,)))
        if f.check == "glossary"
    ]
    assert "German" not in message and "The Iranian state." in message


# Texts made of what translate-toolkit's spacing and bracket tests look at, and of what they do not
_PIECES = (
    "Free them", " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u202f", "!", "?", ":", ";", "#",
    ",", "...", "(", ")", "[", "]", "{", "}", "« ", " »", "آزادی", "،", "؟", "%s", "{name}", "&",
    "_",
)  # fmt: skip


@pytest.mark.parametrize(
    "test", ["startwhitespace", "endwhitespace", "doublespacing", "newlines", "brackets"]
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.lists(st.sampled_from(_PIECES), max_size=6).map("".join),
    translation=st.lists(st.sampled_from(_PIECES), max_size=6).map("".join),
    language=st.sampled_from(languages.TARGET_LANGUAGES),
)
def test_the_toolkit_shortcut_answers_as_translate_toolkit_does(
    test: str, source: str, translation: str, language: str
) -> None:
    """The tests are skipped when neither text has what they compare, and the bracket test is
    asked about the brackets alone (its answer kept for the next texts with the same brackets):
    the answer must be the checker's own, whatever the texts."""
    expected: str | None = None
    try:
        getattr(toolkit._checker(language), test)(source, translation)
    except (ttk.FilterFailure, ttk.SeriousFilterFailure) as exc:
        expected = str(exc)
    assert toolkit.failure(test, source, translation, language) == expected
