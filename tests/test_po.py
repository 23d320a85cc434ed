"""Reading, writing, compiling and updating catalogues, checked against GNU gettext itself."""

from __future__ import annotations

import gettext
import io
import subprocess
from pathlib import Path

import polib
import pytest
from rapidfuzz import fuzz

from translator.formats import merge, mo, po

REPO = Path(__file__).resolve().parent.parent
HEADER = (
    'msgid ""\nmsgstr ""\n"Language: fa\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)


def catalogue(body: str, nplurals: int | None = None) -> po.Catalogue:
    return po.read((HEADER + body).encode(), "test.po", nplurals=nplurals)


def msgcat(text: str) -> str:
    return subprocess.run(
        ["msgcat", "-", "-o", "-"], input=text.encode(), capture_output=True, check=True
    ).stdout.decode()


def test_reads_entries_comments_flags_and_previous_msgid() -> None:
    cat = catalogue(
        "# a note\n#. type: paragraph\n#: doc.md:3 doc.md:9\n#, fuzzy\n"
        '#| msgid "Old"\nmsgid ""\n"New "\n"text"\nmsgstr "متن\\n"\n'
    )
    entry = cat.entries[0]
    assert (entry.msgid, entry.msgstr, entry.previous_msgid) == ("New text", "متن\n", "Old")
    assert entry.comments == ["a note"] and entry.extracted == ["type: paragraph"]
    assert entry.locations == ["doc.md:3", "doc.md:9"] and entry.fuzzy
    assert cat.header("Language") == "fa" and cat.nplurals() == 2


def test_reads_obsolete_entries_with_previous() -> None:
    cat = catalogue('#~| msgid "Older"\n#~ msgid "Gone"\n#~ msgstr "رفته"\n')
    assert cat.entries[0].obsolete and cat.entries[0].previous_msgid == "Older"


@pytest.mark.parametrize(
    "path",
    sorted(REPO.glob("locales/*/LC_MESSAGES/*.po")) + sorted(REPO.glob("locales/templates/*.pot")),
    ids=lambda p: str(p.name),
)
def test_shipped_catalogue_round_trips_byte_for_byte_as_msgcat_writes_it(path: Path) -> None:
    data = path.read_text()
    written = po.write(po.read(path.read_bytes(), str(path)))
    assert written == data
    assert msgcat(data.replace("#, approved\n", "")) == data.replace("#, approved\n", "")


def test_written_long_farsi_entry_matches_msgcat() -> None:
    entry = po.Entry(
        msgid="The lives of Iran's political prisoners hang in the balance. " * 3,
        msgstr="جان زندانیان سیاسی ایران در خطر است؛ ما باید هم‌اکنون اقدام کنیم. " * 3,
        locations=[f"emergency-appeal.md:{n}" for n in range(1, 12)],
        extracted=["type: paragraph"],
        flags=["fuzzy"],
        previous_msgid='Old "one"',
    )
    text = po.write(po.Catalogue([("Content-Type", "text/plain; charset=UTF-8")], [], [entry]))
    assert msgcat(text) == text


def test_plural_entries_read_and_write() -> None:
    cat = catalogue(
        'msgid "one prisoner"\nmsgid_plural "%d prisoners"\nmsgstr[0] "یک زندانی"\n'
        'msgstr[1] "%d زندانی"\n',
        nplurals=2,
    )
    assert cat.entries[0].msgstr_plural == ["یک زندانی", "%d زندانی"]
    assert po.read(po.write(cat).encode()).entries[0].msgstr_plural == cat.entries[0].msgstr_plural


def test_mo_file_is_read_by_gettext_and_skips_fuzzy_and_untranslated() -> None:
    cat = catalogue(
        'msgid "Free them"\nmsgstr "آزادشان کنید"\n\n#, fuzzy\nmsgid "Draft"\n'
        'msgstr "پیش‌نویس"\n\nmsgid "Empty"\nmsgstr ""\n\nmsgctxt "button"\n'
        'msgid "Send"\nmsgstr "بفرست"\n\nmsgid "a day"\nmsgid_plural "%d days"\n'
        'msgstr[0] "یک روز"\nmsgstr[1] "%d روز"\n'
    )
    translations = gettext.GNUTranslations(io.BytesIO(mo.write_mo(cat)))
    assert translations.gettext("Free them") == "آزادشان کنید"
    assert translations.gettext("Draft") == "Draft"
    assert translations.gettext("Empty") == "Empty"
    assert translations.pgettext("button", "Send") == "بفرست"
    assert translations.ngettext("a day", "%d days", 5) == "%d روز"


def test_mo_file_has_the_same_messages_as_msgfmt_output(tmp_path: Path) -> None:
    source = REPO / "locales" / "fa" / "LC_MESSAGES" / "emergency-appeal.po"
    reference, ours = tmp_path / "msgfmt.mo", tmp_path / "ours.mo"
    subprocess.run(["msgfmt", "-o", str(reference), str(source)], check=True)
    ours.write_bytes(mo.write_mo(po.read(source.read_bytes())))
    assert _messages(ours) == _messages(reference)


def _messages(path: Path) -> set[tuple[str, str]]:
    return {(entry.msgid, entry.msgstr) for entry in polib.mofile(str(path))}


# Malformed files: each refused with its line, as a PoError.

MALFORMED = [
    ("unterminated string", 'msgid "Free\nmsgstr ""\n', 7, "unterminated string"),
    ("msgid without msgstr", 'msgid "Free them"\n\nmsgid "Next"\nmsgstr ""\n', 7, "no msgstr"),
    ("msgid-only entry at end", 'msgid "Free them"\n', 7, "no msgstr"),
    (
        "msgstr after a complete entry",
        'msgid "a"\nmsgstr "x"\n\nmsgstr "y"\n',
        10,
        "msgstr appears twice in one entry \\(is the msgid of a new entry missing",
    ),
    (
        "duplicate entry",
        'msgid "A"\nmsgstr "x"\n\nmsgid "A"\nmsgstr "y"\n',
        10,
        "duplicate entry.*first at line 7",
    ),
    (
        "too many plural forms",
        'msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n',
        7,
        "3 plural forms, but the file's Plural-Forms says nplurals=2",
    ),
    (
        "too few plural forms",
        'msgid "a"\nmsgid_plural "b"\nmsgstr[0] "x"\n',
        7,
        "1 plural forms, but the file's Plural-Forms says nplurals=2",
    ),
    (
        "plural index out of order",
        'msgid "a"\nmsgid_plural "b"\nmsgstr[1] "x"\n',
        9,
        "out of order",
    ),
    (
        "plural msgstr without msgid_plural",
        'msgid "a"\nmsgstr[0] "x"\n',
        7,
        "without a msgid_plural",
    ),
    (
        "singular msgstr with msgid_plural",
        'msgid "a"\nmsgid_plural "b"\nmsgstr "x"\n',
        7,
        "needs msgstr\\[0\\]",
    ),
    ("unknown keyword", 'msgid "a"\nmsgtsr "x"\n', 8, "unexpected 'msgtsr'"),
    ("unknown escape", 'msgid "a"\nmsgstr "\\q"\n', 8, "unknown escape"),
    ("text outside quotes", 'msgid "a"\nmsgstr x\n', 8, "expected a quoted string"),
    ("string after a blank line", '"stray"\n', 7, "no keyword before it"),
    ("keyword twice", 'msgid "a"\nmsgstr "x"\nmsgstr "y"\n', 9, "appears twice"),
    ("second header", 'msgid ""\nmsgstr "Language: fa\\n"\n', 7, "second header"),
    (
        "stray quote in middle",
        'msgid "a"\nmsgstr "x" "y\n',
        8,
        "expected a quoted string|unterminated",
    ),
]


@pytest.mark.parametrize(
    ("body", "line", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_file_is_refused_with_its_line(body: str, line: int, message: str) -> None:
    with pytest.raises(po.PoError, match=message) as caught:
        catalogue(body, nplurals=2)
    assert caught.value.filename == "test.po"
    assert caught.value.line == line


def test_invalid_utf8_is_refused_with_its_line() -> None:
    data = (HEADER + 'msgid "a"\nmsgstr "caf').encode() + b'\xe9"\n'
    with pytest.raises(po.PoError, match=r"test.po:8: not valid UTF-8 \(byte 0xe9\)"):
        po.read(data, "test.po")


def test_other_charset_is_converted_to_utf8_as_msgconv_does() -> None:
    data = (HEADER + 'msgid "Liberty"\nmsgstr "Libert\xe9"\n').replace("UTF-8", "ISO-8859-1")
    cat = po.read(data.encode("latin-1"), "test.po")
    assert cat.entries[0].msgstr == "Libert\xe9" and cat.charset == "ISO-8859-1"
    assert cat.header("Content-Type") == "text/plain; charset=UTF-8"


def test_compiled_mo_file_is_refused() -> None:
    with pytest.raises(po.PoError, match="test.po:1: this is a compiled MO file"):
        po.read(mo.write_mo(catalogue('msgid "a"\nmsgstr "b"\n')), "test.po")


def test_nul_byte_is_refused_with_its_line() -> None:
    with pytest.raises(po.PoError, match="test.po:8: contains a NUL byte"):
        po.read((HEADER + 'msgid "a"\nmsgstr "b\x00"\n').encode(), "test.po")


def test_msgstr_before_any_msgid_is_refused() -> None:
    with pytest.raises(po.PoError, match="test.po:1: msgstr without a msgid"):
        po.read(b'msgstr "x"\n', "test.po")


def test_oversized_file_is_refused_before_parsing() -> None:
    with pytest.raises(po.PoError, match=r"50.0 MB, over the limit of 10.5 MB"):
        po.read(b"#" * 50_000_000, "big.po")


def test_byte_order_mark_is_accepted() -> None:
    assert po.read(b"\xef\xbb\xbf" + (HEADER + 'msgid "a"\nmsgstr "b"\n').encode()).entries


# Updating, compared with GNU msgmerge --previous.

OLD = (
    'msgid "Free all political prisoners in Iran now."\nmsgstr "همه را آزاد کنید."\n\n'
    'msgid "End torture and executions."\nmsgstr "به شکنجه پایان دهید."\n\n'
    'msgid "This paragraph will be removed entirely."\nmsgstr "حذف می‌شود."\n\n'
    'msgid "Untranslated and removed."\nmsgstr ""\n'
)
NEW_TEMPLATE = (
    'msgid "End torture and executions."\nmsgstr ""\n\n'
    'msgid "Free all of the political prisoners in Iran now!"\nmsgstr ""\n\n'
    'msgid "A completely different sentence about donations."\nmsgstr ""\n'
)


def test_update_makes_the_same_decisions_as_msgmerge(tmp_path: Path) -> None:
    old_file, template_file = tmp_path / "old.po", tmp_path / "new.pot"
    old_file.write_text(HEADER + OLD)
    template_file.write_text(HEADER + NEW_TEMPLATE)
    ours = merge.update(po.read(old_file.read_bytes()), po.read(template_file.read_bytes()))
    theirs = subprocess.run(
        ["msgmerge", "--quiet", "--previous", "-o", "-", str(old_file), str(template_file)],
        capture_output=True,
        check=True,
    ).stdout
    assert _decisions(ours) == _decisions(po.read(theirs))
    changed = next(e for e in ours.entries if e.msgid.startswith("Free all of"))
    assert changed.fuzzy and changed.previous_msgid == "Free all political prisoners in Iran now."
    assert [e.msgid for e in ours.entries if e.obsolete] == [
        "This paragraph will be removed entirely."
    ]


def _decisions(cat: po.Catalogue) -> set[tuple[str, str, bool, bool, str | None]]:
    return {(e.msgid, e.msgstr, e.fuzzy, e.obsolete, e.previous_msgid) for e in cat.entries}


def test_fuzzy_index_finds_an_edited_string_among_many() -> None:
    candidates = [
        f"Prisoner number {n} was moved to solitary confinement in Evin." for n in range(2000)
    ]
    index = merge.FuzzyIndex(candidates)
    assert (
        index.best("Prisoner number 1234 was moved to solitary confinement in Evin prison.")
        == "Prisoner number 1234 was moved to solitary confinement in Evin."
    )
    assert index.best("Completely unrelated words here.") is None


WORDS = [
    "free",
    "the",
    "prisoners",
    "Iran's",
    '"moharebeh"',
    "(Jina)",
    "—",
    "1980–88",
    "?",
    "!",
    ":",
    ";",
    "« Femme, Vie, Liberté »",
    "زندانیان",
    "اسلامی",
    "می‌شود",
    "؟",
    "،",
    "U.S.",
    "https://www.instagram.com/burnthecage/",
    "[link](https://pen.org/)",
    "**strong**",
    "15 000",
    "a\\b",
    "tab\there",
    "line\nbreak",
    "well-known",
    "(n == 1))",
    "Eje'i",
    "averyveryverylongwordwithoutanyspacesthatgoesonandonbeyondthewidthofthepageitself",
]


def test_random_entries_are_written_exactly_as_msgcat_writes_them() -> None:
    import random

    rng = random.Random(20221116)
    entries = []
    for number in range(400):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 40)))
        entries.append(
            po.Entry(
                msgid=f"id{number} {text}",
                msgstr=text,
                locations=[f"doc-{n}.md:{rng.randint(1, 999)}" for n in range(rng.randint(0, 12))],
            )
        )
    entries += [
        po.Entry(msgid=f"gone {n}", msgstr=rng.choice(WORDS) * 9, obsolete=True) for n in range(20)
    ]
    text = po.write(po.Catalogue([("Content-Type", "text/plain; charset=UTF-8")], [], entries))
    assert msgcat(text) == text


def test_fuzzy_index_compares_short_strings_with_every_short_candidate() -> None:
    candidates = [f"Prisoner {n} is on hunger strike in Evin prison." for n in range(500)]
    candidates += ["Larry we must do", "may we must nybooks"]
    index = merge.FuzzyIndex(candidates)
    # "must" is too common to probe by word; the short scan still finds the closer string
    assert index.best("may we must") == "Larry we must do"


def test_fuzzy_index_prefers_the_first_of_equally_similar_candidates() -> None:
    first, second = "Free them now, all of them.", "Free them now, alp of them."
    assert fuzz.ratio("Free them now, alx of them.", first) == fuzz.ratio(
        "Free them now, alx of them.", second
    )
    assert merge.FuzzyIndex([first, second]).best("Free them now, alx of them.") == first
    assert merge.FuzzyIndex([second, first]).best("Free them now, alx of them.") == second


def test_a_text_is_as_wide_counted_by_patterns_as_character_by_character() -> None:
    """The writer counts a non-ASCII text's columns with two searches (no column, two
    columns); each character of the Basic Multilingual Plane must count as it does alone."""
    from translator.formats import po_writer

    for code in range(0x80, 0x10000):
        if not 0xD800 <= code < 0xE000:
            char = chr(code)
            assert po_writer._width.__wrapped__("a" + char) == 1 + po_writer._char_width(char)
    farsi = "دست\u200cکم ۵۱ کودک، «زن، زندگی، آزادی» 漢字 \U0001f600"
    assert po_writer._width(farsi) == sum(map(po_writer._char_width, farsi))
