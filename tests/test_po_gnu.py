"""GNU gettext's behaviour, case by case: each test states what msgcat, msgmerge or msgfmt does with
an input of ours, runs the installed GNU tool on it and compares with the desk's result."""

from __future__ import annotations

import gettext
import io
import subprocess
from pathlib import Path

import pytest

from translator.formats import merge, mo, po


def gnu(*command: str, data: bytes | None = None) -> bytes:
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def msgcat(data: bytes) -> str:
    return gnu("msgcat", "-", "-o", "-", data=data).decode()


def msgfmt_accepts(text: str, tmp_path: Path) -> tuple[bool, str]:
    path = tmp_path / "check.po"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    return result.returncode == 0, result.stderr


HEADER = (
    'msgid ""\nmsgstr ""\n"Project-Id-Version: appeal\\n"\n"Language: fr\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)

# Each of these is written back exactly as msgcat writes it.
ROUND_TRIPS = {
    "no header entry": 'msgid "Free them"\nmsgstr "Free them all"\n\nmsgid "b"\nmsgstr "c"\n',
    "header comments and flags": "# Appeal in French.\n# Copyright holders: the volunteers.\n"
    "#, fuzzy\n" + HEADER + 'msgid "a"\nmsgstr "b"\n',
    "no-wrap flag": HEADER + '#, no-wrap\nmsgid "' + "word " * 30 + '\\nsecond line"\nmsgstr ""\n',
    "obsolete entries in the middle": HEADER + '#~ msgid "Gone"\n#~ msgstr "Parti"\n\n'
    'msgid "Here"\nmsgstr "Ici"\n',
    "domain lines": HEADER + 'msgid "a"\nmsgstr "b"\n\ndomain "errors"\n'
    'msgid "Not found"\nmsgstr "Introuvable"\n',
    "keyword and string on one line": HEADER + 'msgid "2" msgstr "deux"\n',
    "octal, hex and letter escapes": HEADER + 'msgid "\\101\\x42 \\a\\b\\f\\v\\t\\r"\n'
    'msgstr "\\303\\251t\\xc3\\xa9"\n',
    "adjacent strings": HEADER + 'msgid "Free " "them"\nmsgstr "Libérez" "-les"\n',
    "previous msgid_plural": HEADER + '#, fuzzy\n#| msgid "one day"\n#| msgid_plural "%d days"\n'
    'msgid "one week"\nmsgid_plural "%d weeks"\nmsgstr[0] "une semaine"\n'
    'msgstr[1] "%d semaines"\n',
    "flags out of order and twice": HEADER + "#, c-format, fuzzy, c-format\n"
    'msgid "%d left"\nmsgstr "%d restants"\n',
    "comment kinds": HEADER + "# translator\n#. extracted\n#: a.md:1 b.md:2\n#, python-format\n"
    'msgid "%(n)s"\nmsgstr "%(n)s"\n',
    "long header line": HEADER.replace(
        "(n > 1);",
        "n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;",
    ).replace("nplurals=2", "nplurals=6")
    + 'msgid "a"\nmsgstr "b"\n',
    "comments keep their trailing spaces": HEADER + "# ask Leila  \n#. a note \n"
    'msgid "a"\nmsgstr "b"\n',
    # the last of a kind counts; possible formats are written as formats, impossible ones and
    # `wrap` not at all, flags GNU does not know are dropped
    "flags as msgcat writes them": HEADER + '#, impossible-c-format, wrap\nmsgid "a"\n'
    'msgstr "b"\n\n#, possible-python-format, c-format, no-c-format, read-only\n'
    'msgid "c"\nmsgstr "d"\n\n#, no-wrap, fuzzy, wrap, range: 1..5, range: 2..3\n'
    'msgid "e"\nmsgstr "' + "word " * 20 + '"\n',
    "header locations and previous msgid": "# Appeal.\n#. note\n#: appeal.md:1\n"
    '#, fuzzy, no-wrap\n#| msgid "an old header?"\n' + HEADER + 'msgid "a"\nmsgstr "b"\n',
    # libunistring's older line-breaking rules: a break after ":" "." "," ";" before a letter
    "break after an infix separator before a letter": HEADER
    + 'msgid "'
    + "Write the time of the event, in the form of the local clock, as HH:MM[:ss[.uuuuuu]] please."
    + '"\nmsgstr "'
    + "Write the time of the event in the form of the clock, as YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]"
    + '"\n',
    # libunistring's widths: these Kannada vowel signs take a column, Hangul jamo vowels none
    "kannada vowel signs and hangul jamo": HEADER
    + 'msgid "'
    + "ಕಿಕೆ ಕಿಕೆಕ " * 12
    + '"\nmsgstr "'
    + "\u1112\u1161\u11ab\u1100\u116e\u11a8 " * 16
    + '"\n',
}


@pytest.mark.parametrize("text", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_read_then_write_gives_what_msgcat_writes(text: str) -> None:
    data = text.encode()
    assert po.write(po.read(data, "world.po")) == msgcat(data)


def test_crlf_and_byte_order_mark_are_read_and_written_as_msgcat_writes_them() -> None:
    data = b"\xef\xbb\xbf" + (HEADER + 'msgid "a"\nmsgstr "b"\n').replace("\n", "\r\n").encode()
    assert po.write(po.read(data)) == msgcat(data.replace(b"\r\n", b"\n")[3:])


def test_cr_only_line_endings_are_read_not_ignored() -> None:
    data = (HEADER + 'msgid "a"\nmsgstr "b"\n').replace("\n", "\r").encode()
    assert [(e.msgid, e.msgstr) for e in po.read(data).entries] == [("a", "b")]


@pytest.mark.parametrize(
    ("charset", "text"),
    [("ISO-8859-1", "Liberté, égalité"), ("CP1256", "الحرية للجميع"), ("ISO-8859-7", "Ελευθερία")],
)
def test_declared_charset_is_converted_to_utf8_as_msgconv_does(charset: str, text: str) -> None:
    data = (HEADER.replace("UTF-8", charset) + f'msgid "Freedom"\nmsgstr "{text}"\n').encode(
        charset
    )
    converted = gnu("msgconv", "--to-code=UTF-8", "-", "-o", "-", data=data).decode()
    assert po.write(po.read(data)) == converted


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("nplurals=2; plural=n / 0;", "divides by zero"),
        ("nplurals=2; plural=exec('x');", "unexpected"),
        ("nplurals=2; plural=n > 1 ? 0 : 2;", "gives form 2"),
    ],
)
def test_plural_forms_msgfmt_refuses_are_refused_with_the_header_line(
    tmp_path: Path, header: str, reason: str
) -> None:
    text = HEADER.replace("nplurals=2; plural=(n > 1);", header) + 'msgid "a"\nmsgstr "b"\n'
    assert not msgfmt_accepts(text, tmp_path)[0]
    with pytest.raises(po.PoError, match=f"w.po:1: Plural-Forms: .*{reason}"):
        po.read(text.encode(), "w.po")


DUPLICATES = {
    "a live message repeated by an obsolete one": 'msgid "a"\nmsgstr "b"\n\n#~ msgid "a"\n'
    '#~ msgstr "c"\n',
    "two obsolete messages alike": '#~ msgid "a"\n#~ msgstr "b"\n\n#~ msgid "a"\n#~ msgstr "c"\n',
    "an obsolete header": '#~ msgid ""\n#~ msgstr "c"\n',
}


@pytest.mark.parametrize("body", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_a_message_repeated_even_as_obsolete_is_refused_as_msgcat_refuses_it(body: str) -> None:
    text = HEADER + body
    assert subprocess.run(["msgcat", "-"], input=text.encode(), capture_output=True).returncode
    with pytest.raises(po.PoError, match=r"w.po:\d+: duplicate entry .*\(first at line \d+\)"):
        po.read(text.encode(), "w.po")


PLURAL_COUNTS = {
    "translated, 3 forms of 2": ('msgstr[0] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n', False),
    "translated, 1 form of 2": ('msgstr[0] "x"\n', False),
    "untranslated, 1 form of 2": ('msgstr[0] ""\n', True),
    "untranslated first form, 3 of 2": ('msgstr[0] ""\nmsgstr[1] "y"\nmsgstr[2] "z"\n', True),
    "fuzzy, 3 forms of 2": ('msgstr[0] "x"\nmsgstr[1] "y"\nmsgstr[2] "z"\n#, fuzzy', True),
}


@pytest.mark.parametrize(("forms", "accepted"), PLURAL_COUNTS.values(), ids=PLURAL_COUNTS.keys())
def test_plural_count_is_held_to_the_header_only_for_messages_msgfmt_compiles(
    tmp_path: Path, forms: str, accepted: bool
) -> None:
    forms, _, flags = forms.partition("#")
    comment = f"#{flags}\n" if flags else ""
    text = HEADER + comment + 'msgid "a day"\nmsgid_plural "%d days"\n' + forms
    assert msgfmt_accepts(text, tmp_path)[0] is accepted
    if accepted:
        assert po.write(po.read(text.encode(), "w.po")) == msgcat(text.encode())
    else:
        with pytest.raises(po.PoError, match="w.po:8: . plural forms, but the file's Plural"):
            po.read(text.encode(), "w.po")


def test_template_placeholder_plural_forms_is_read() -> None:
    text = HEADER.replace("nplurals=2; plural=(n > 1);", "nplurals=INTEGER; plural=EXPRESSION;")
    cat = po.read((text + 'msgid "a"\nmsgid_plural "b"\nmsgstr[0] ""\nmsgstr[1] ""\n').encode())
    assert cat.plural_forms() is None and cat.nplurals() is None


def test_file_plural_count_is_its_own_not_cldrs() -> None:
    # French files in the wild: 2 forms; CLDR gives French 3. GNU accepts the file.
    cat = po.read(
        (
            HEADER + 'msgid "a day"\nmsgid_plural "%d days"\nmsgstr[0] "un jour"\n'
            'msgstr[1] "%d jours"\n'
        ).encode(),
        nplurals=3,
    )
    assert cat.entries[0].msgstr_plural == ["un jour", "%d jours"]


DESK_REFUSALS = [
    ("empty file", "", "no messages"),
    ("header only", HEADER, "no messages"),
    (
        "charset placeholder",
        HEADER.replace("UTF-8", "CHARSET") + 'msgid "a"\nmsgstr "b"\n',
        "charset=CHARSET",
    ),
    ("control character", HEADER + 'msgid "a"\nmsgstr "b\\001c"\n', "control character U\\+0001"),
    (
        "c-format directive lost",
        HEADER + '#, c-format\nmsgid "%d left"\nmsgstr "il en reste"\n',
        "c-format: the format directives of msgstr differ",
    ),
    (
        "c-format plural directive changed",
        HEADER + '#, c-format\nmsgid "one day"\nmsgid_plural "%d days"\n'
        'msgstr[0] "un jour"\nmsgstr[1] "%s jours"\n',
        "msgstr\\[1\\] differ from those of msgid_plural",
    ),
    (
        "python-format name changed",
        HEADER + '#, python-format\nmsgid "%(name)s left"\nmsgstr "%(nom)s est parti"\n',
        "python-format",
    ),
]


@pytest.mark.parametrize(
    ("text", "reason"), [r[1:] for r in DESK_REFUSALS], ids=[r[0] for r in DESK_REFUSALS]
)
def test_a_translators_file_is_refused_for_what_would_break_the_desk(
    text: str, reason: str
) -> None:
    with pytest.raises(po.PoError, match=reason):
        po.check_translation(po.read(text.encode(), "t.po"), "t.po")


def test_format_directives_msgfmt_accepts_are_accepted(tmp_path: Path) -> None:
    text = (
        HEADER + '#, c-format\nmsgid "one day"\nmsgid_plural "%d days"\n'
        'msgstr[0] "un jour"\nmsgstr[1] "%d jours"\n\n'
        '#, c-format\nmsgid "%1$s of %2$s"\nmsgstr "%2$s : %1$s"\n\n'
        '#, python-format\nmsgid "%(a)s and %(b)d"\nmsgstr "%(b)d et %(a)s"\n'
    )
    assert msgfmt_accepts(text, tmp_path)[0]
    po.check_translation(po.read(text.encode()), "t.po")


RUSSIAN_LIKE = (
    "nplurals=3; plural=n%10==1 && n%100!=11 ? 0 : "
    "n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2;"
)
RANGES = {  # (range flag, forms): whether msgfmt --check accepts the file
    "form for many counts lacks it": ("", ("one", "%d few", "%d many"), False),
    "used once in the range": (", range: 1..3", ("one", "%d few", "%d many"), True),
    "used twice in the range": (", range: 1..3", ("%d one", "few", "%d many"), False),
    "not used in the range": (", range: 1..3", ("%d one", "%d few", "many"), True),
    "used once further on": (", range: 10..30", ("one", "%d few", "%d many"), True),
}


@pytest.mark.parametrize(("flags", "forms", "accepted"), RANGES.values(), ids=RANGES.keys())
def test_a_form_used_once_in_the_messages_range_may_leave_out_a_directive_as_msgfmt_allows(
    tmp_path: Path, flags: str, forms: tuple[str, ...], accepted: bool
) -> None:
    text = (
        HEADER.replace("nplurals=2; plural=(n > 1);", RUSSIAN_LIKE)
        + f'#, c-format{flags}\nmsgid "%d hour"\nmsgid_plural "%d hours"\n'
        + "".join(f'msgstr[{n}] "{form}"\n' for n, form in enumerate(forms))
    )
    assert msgfmt_accepts(text, tmp_path)[0] is accepted
    catalogue = po.read(text.encode(), "t.po")
    if accepted:
        po.check_translation(catalogue, "t.po")
    else:
        with pytest.raises(po.PoError, match="c-format: the format directives of msgstr"):
            po.check_translation(catalogue, "t.po")


# MO files


def _mo_messages(data: bytes) -> dict[object, str]:
    return dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a"\nmsgstr "b"\n',
        "#, fuzzy\n"
        + HEADER.replace('"Language', '"POT-Creation-Date: 2026-01-01 10:00+0000\\n"\n"Language')
        + 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] "x"\n\n'
        'msgid "b"\nmsgid_plural "bs"\nmsgstr[0] "y"\nmsgstr[1] ""\n\n'
        '#, fuzzy\nmsgid "c"\nmsgstr "z"\n\nmsgctxt "k"\nmsgid "d"\nmsgstr "w"\n',
        '#, fuzzy\nmsgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n',
        'msgid ""\nmsgstr "POT-Creation-Date: 1\\nLanguage: fr\\nPOT-Creation-Date: 2\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\nPOT-Creation-Date: 3"\n\n'
        'msgid "a"\nmsgstr "b"\n',
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\nPOT-Creation-Date: 3"\n\n'
        'msgid "a"\nmsgstr "b"\n',
    ],
    ids=[
        "no header entry",
        "fuzzy header, partial plurals",
        "empty header",
        "creation date twice",
        "creation date last, without a newline",
    ],
)
def test_mo_file_has_the_messages_msgfmt_puts_in_it(tmp_path: Path, text: str) -> None:
    source = tmp_path / "in.po"
    source.write_text(text, encoding="utf-8")
    theirs = gnu("msgfmt", "-o", "-", str(source))
    assert _mo_messages(mo.write_mo(po.read(text.encode()))) == _mo_messages(theirs)


# Merging, byte for byte as msgmerge --previous


OLD_ARABIC = (
    "# Arabic translation of the appeal.\n#, fuzzy\n"
    'msgid ""\nmsgstr ""\n"Project-Id-Version: appeal 1\\n"\n'
    '"Report-Msgid-Bugs-To: old@example.org\\n"\n"POT-Creation-Date: 2026-01-01 00:00+0000\\n"\n'
    '"Language: ar\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : '
    'n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5;\\n"\n\n'
    "# checked by Leila\n#. old note\n#: appeal.md:1\n#, c-format\n"
    'msgid "One prisoner was released"\nmsgstr "أُطلق سراح سجين واحد"\n\n'
    'msgid "%d letters"\nmsgid_plural "%d letterz"\n'
    + "".join(f'msgstr[{i}] "رسائل {i}"\n' for i in range(6))
    + '\nmsgctxt "button"\nmsgid "Sign the petition now"\nmsgstr "وقّع"\n\n'
    'msgid "Share"\nmsgstr "شارك"\n\n'
    '#, fuzzy\n#| msgid "Donate"\nmsgid "Donate today"\nmsgstr "تبرّع"\n\n'
    'msgid "never translated"\nmsgstr ""\n\n'
    '#~ msgid "Write to your representative"\n#~ msgstr "اكتب إلى ممثلك"\n\n'
    '#~ msgid "Vigil on Saturday"\n#~ msgstr "وقفة يوم السبت"\n'
)
NEW_TEMPLATE = (
    "# Template of the appeal.\n#, fuzzy\n"
    'msgid ""\nmsgstr ""\n"Project-Id-Version: appeal 2\\n"\n'
    '"Report-Msgid-Bugs-To: desk@example.org\\n"\n"POT-Creation-Date: 2026-03-01 00:00+0000\\n"\n'
    '"Language: \\n"\n"Content-Type: text/plain; charset=CHARSET\\n"\n'
    '"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"\n\n'
    "#. new note\n#: appeal.md:3\n#, c-format\n"
    'msgid "One prisoner was released"\nmsgid_plural "%d prisoners were released"\n'
    'msgstr[0] ""\nmsgstr[1] ""\n\n'
    'msgid "%d letter"\nmsgstr ""\n\n'
    'msgid "Sign the petition now!"\nmsgstr ""\n\n'
    '# keep it short\n#, c-format\nmsgid "Share"\nmsgstr ""\n\n'
    'msgid "Donate today"\nmsgstr ""\n\n'
    'msgid "a new plural"\nmsgid_plural "new plurals"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
    '# a note for translators\nmsgid "new with a note"\nmsgstr ""\n\n'
    'msgid "Write to your representative!"\nmsgstr ""\n\n'
    'msgid "Vigil on Saturday"\nmsgstr ""\n'
)
OLD_FLAGS = (
    '#. x\n#: a.md:1\n#, python-format, no-wrap\nmsgid "pl"\nmsgid_plural "pls"\n'
    'msgstr[0] "p0"\nmsgstr[1] "p1"\n\n#, c-format\nmsgid "flags"\nmsgstr "f"\n\n'
    '# kept\n#. ex\n#: z.md:9\nmsgid "goes away"\nmsgstr "g"\n\n'
    '#~ msgid "stays obsolete"\n#~ msgstr "s"\n\n#~ msgid "untranslated"\n#~ msgstr ""\n'
)
NEW_FLAGS = (
    '#, c-format\nmsgid "pl"\nmsgid_plural "plz"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
    '#, python-format, range: 1..5\nmsgid "flags"\nmsgstr ""\n'
)
MERGES = {
    # singular<->plural, nplurals=6, header fields, comments, msgctxt, obsolete revived
    "arabic": (OLD_ARABIC, NEW_TEMPLATE),
    # flags come from the template; a changed msgid_plural is fuzzy; obsolete ones kept
    "flags and obsolete": (OLD_FLAGS, NEW_FLAGS),
    # a header-less catalogue stays header-less; fields are inserted where GNU inserts them
    "no header": ('msgid "a"\nmsgstr "b"\n', NEW_TEMPLATE),
    "missing header fields": (
        'msgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Vigil on Saturday"\nmsgstr "b"\n',
        NEW_TEMPLATE,
    ),
    # msgmerge rewrites the header: its known fields in its order and spelling, then the others
    "header fields out of order": (
        'msgid ""\nmsgstr ""\n"X-Generator: Poedit 3.4\\n"\n"Project-Id-Version: x\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n"language: fr\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n"Last-Translator: Ana\\n"\n'
        '"Language: fr_FR\\n"\n\nmsgid "Vigil on Saturday"\nmsgstr "Veillée samedi"\n',
        NEW_TEMPLATE,
    ),
    # a format flag the template adds, which the kept translation breaks, makes it fuzzy
    "format flag added by the template": (
        HEADER + 'msgid "%d signatures"\nmsgstr "signatures"\n\nmsgid "%(name)s signed"\n'
        'msgstr "signé"\n\nmsgid "%s left"\nmsgstr "%s restants"\n',
        '#, c-format\nmsgid "%d signatures"\nmsgstr ""\n\n#, python-format\n'
        'msgid "%(name)s signed"\nmsgstr ""\n\n#, c-format\nmsgid "%s left"\nmsgstr ""\n',
    ),
    # a translation written for a range of counts is fuzzy once the template widens or drops it
    "range widened or dropped": (
        HEADER + '#, range: 1..10\nmsgid "day"\nmsgstr "jour"\n\n#, range: 1..10\n'
        'msgid "week"\nmsgstr "semaine"\n\n#, range: 1..10\nmsgid "month"\nmsgstr "mois"\n',
        '#, range: 2..5\nmsgid "day"\nmsgstr ""\n\nmsgid "week"\nmsgstr ""\n\n'
        '#, range: 0..20\nmsgid "month"\nmsgstr ""\n',
    ),
    # the header entry is merged like a message: translator comments and fuzzy from the
    # catalogue, extracted comments, locations and other flags from the template
    "header comments": (
        "# Appeal in French.\n#. stale note\n#: old.md:1\n#, fuzzy\n"
        + HEADER
        + 'msgid "a"\nmsgstr "b"\n',
        "# Template.\n#. generated by the desk\n#: appeal.md:1\n#, fuzzy, no-wrap\n"
        + HEADER
        + 'msgid "a"\nmsgstr ""\n',
    ),
    # a header without Language gets one from the Language-Team's name before an address
    "language from the team": (
        'msgid ""\nmsgstr ""\n"Language-Team: Persian <fa@example.org>\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n',
        NEW_TEMPLATE,
    ),
    "no language from a placeholder team": (
        'msgid ""\nmsgstr ""\n"Language-Team: LANGUAGE <LL@li.org>\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b"\n',
        NEW_TEMPLATE,
    ),
    # a fuzzy message matched again keeps the msgid its translation was made from
    "fuzzy message matched again": (
        HEADER + '#, fuzzy, c-format\n#| msgid "too many files"\nmsgid "too few files"\n'
        'msgstr "trop de fichiers"\n\n#, fuzzy\nmsgid "files missing"\nmsgstr "manquants"\n',
        '#, c-format\nmsgid "Too few files."\nmsgstr ""\n\nmsgid "Files missing."\nmsgstr ""\n',
    ),
    # a template that is itself a merged catalogue: its obsolete messages stay obsolete, with the
    # catalogue's translation and the template's flags
    "obsolete messages in the template": (
        HEADER + '#, perl-brace-format\nmsgid "Signed by {name}."\nmsgstr "Signé par {name}."\n\n'
        'msgid "Sign"\nmsgstr "Signer"\n',
        'msgid "Sign"\nmsgstr ""\n\n#~ msgid "Signed by {name}."\n#~ msgstr "x"\n\n'
        '#~ msgid "Signed by {who}."\n#~ msgstr ""\n',
    ),
    # a message valid in every context (or in the same one) needs only 0.6, not more
    "similar at exactly 0.6 across contexts": (
        HEADER + 'msgid "January"\nmsgstr "janvier"\n\nmsgctxt "month"\nmsgid "October"\n'
        'msgstr "octobre"\n\nmsgctxt "day"\nmsgid "Tuesday"\nmsgstr "mardi"\n',
        'msgctxt "abbreviated month"\nmsgid "Jan"\nmsgstr ""\n\n'
        'msgctxt "abbreviated month"\nmsgid "Oct"\nmsgstr ""\n\n'
        'msgctxt "month"\nmsgid "Octo"\nmsgstr ""\n\nmsgctxt "abbreviated day"\nmsgid "Tue"\n'
        'msgstr ""\n',
    ),
}


@pytest.mark.parametrize(("old", "new"), MERGES.values(), ids=MERGES.keys())
def test_merge_writes_what_msgmerge_previous_writes(tmp_path: Path, old: str, new: str) -> None:
    old_file, new_file = tmp_path / "old.po", tmp_path / "new.pot"
    old_file.write_text(old, encoding="utf-8")
    new_file.write_text(new, encoding="utf-8")
    theirs = gnu("msgmerge", "--quiet", "--previous", "-o", "-", str(old_file), str(new_file))
    ours = po.write(merge.update(po.read(old.encode()), po.read(new.encode())))
    assert ours == theirs.decode()
    if 'msgid ""' in ours:  # msgfmt --check refuses any file without a header
        assert msgfmt_accepts(ours, tmp_path)[0]


def test_singular_translation_fills_every_plural_form_and_is_fuzzy() -> None:
    merged = merge.update(po.read(OLD_ARABIC.encode()), po.read(NEW_TEMPLATE.encode()))
    entry = merged.entries[0]
    assert entry.msgstr_plural == ["أُطلق سراح سجين واحد"] * 6 and entry.fuzzy
    assert entry.previous_msgid == "One prisoner was released"
    assert entry.comments == ["checked by Leila"] and entry.extracted == ["new note"]
    single = merged.entries[1]
    assert single.msgstr == "رسائل 0" and single.fuzzy
    assert single.previous_msgid_plural == "%d letterz"


def test_a_file_without_plural_forms_is_held_to_the_languages_count() -> None:
    text = 'msgid "a day"\nmsgid_plural "%d days"\nmsgstr[0] "un jour"\nmsgstr[1] "%d jours"\n'
    with pytest.raises(po.PoError, match="w.po:1: 2 plural forms, but the language has nplurals=3"):
        po.read(text.encode(), "w.po", nplurals=3)
