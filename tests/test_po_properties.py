"""The laws of the PO core, on generated catalogues: what we write is what msgcat writes, reading
it back gives the same catalogue, every merge passes msgfmt --check and decides as msgmerge does."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from translator.formats import merge, po, po_reader

pytestmark = pytest.mark.slow

TOKENS = (
    "free ", "the ", "prisoners ", "now", ". ", ", ", "? ", "! ", ": ", "(Jina) ", "—", "\n",
    "\t", '"', "\\", "\a", "\b", "\f", "\v", "\r", "زندانیان ", "می‌شود ", "، ", "Liberté ",
    "« ", " »", "U.S. ", "www.example.org/appeal ", "%d ", "%(name)s ", "x" * 45 + " ", "1980–88 ",
    "averyveryverylongwordwithoutanyspacesthatgoesonandonbeyondthewidthofthepage ",
)  # fmt: skip
SAFE_TOKENS = tuple(t for t in TOKENS if "%" not in t)  # for msgfmt --check: no format flags
HEADER = [
    ("Project-Id-Version", "appeal 1"),
    ("Language", "fr"),
    ("MIME-Version", "1.0"),
    ("Content-Type", "text/plain; charset=UTF-8"),
    ("Content-Transfer-Encoding", "8bit"),
    ("Plural-Forms", "nplurals=2; plural=(n > 1);"),
]
FLAGS = ("fuzzy", "c-format", "python-format", "no-wrap", "no-c-format")


def texts(tokens: tuple[str, ...] = TOKENS, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), min_size=min_size, max_size=25).map("".join)


@st.composite
def entries(draw: st.DrawFn, tokens: tuple[str, ...] = TOKENS) -> po.Entry:
    plural = draw(st.booleans())
    obsolete = draw(st.integers(0, 5)) == 0
    entry = po.Entry(
        msgid=draw(texts(tokens, min_size=1)),
        msgctxt=draw(st.none() | texts(tokens, min_size=1)),
        comments=draw(st.lists(st.sampled_from(["checked", "", "ask Leila"]), max_size=2)),
        obsolete=obsolete,
    )
    if not obsolete:
        entry.extracted = draw(st.lists(st.sampled_from(["type: paragraph", "a note"]), max_size=2))
        entry.locations = [
            f"appeal.md:{n}" for n in draw(st.lists(st.integers(1, 999), max_size=9))
        ]
    if plural:
        entry.msgid_plural = draw(texts(tokens, min_size=1))
        entry.msgstr_plural = [draw(texts(tokens)) for _ in range(2)]
    else:
        entry.msgstr = draw(texts(tokens))
    if tokens is TOKENS:
        entry.flags = draw(st.lists(st.sampled_from(FLAGS), max_size=3, unique=True))
    if draw(st.booleans()):
        entry.previous_msgid = draw(texts(tokens, min_size=1))
        entry.previous_msgctxt = draw(st.none() | texts(tokens, min_size=1))
        if plural:
            entry.previous_msgid_plural = draw(texts(tokens, min_size=1))
    return entry


def unique(found: list[po.Entry]) -> list[po.Entry]:
    return list({entry.key: entry for entry in found}.values())


catalogues = st.lists(entries(), min_size=1, max_size=12).map(
    lambda found: po.Catalogue(list(HEADER), ["Generated."], unique(found))
)


def gnu(*command: str, data: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command, input=data, capture_output=True)


BOUNDED = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: bounded time
    derandomize=True,  # the same examples on every run; vary the seed by hand to explore
)


@settings(BOUNDED, max_examples=60)
@given(catalogues)
def test_what_we_write_is_what_msgcat_writes_and_reads_back_the_same(
    catalogue: po.Catalogue,
) -> None:
    text = po.write(catalogue)
    result = gnu("msgcat", "-", "-o", "-", data=text.encode())
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode() == text
    assert po.write(po.read(text.encode())) == text


def edited(entry: po.Entry, draw: st.DrawFn) -> po.Entry:
    """The template's version of an old message: the same, changed a little, or replaced."""
    change = draw(st.sampled_from(["same", "same", "append", "drop", "plural", "context"]))
    msgid, plural = entry.msgid, entry.msgid_plural
    if change == "append":
        msgid += draw(st.sampled_from(["!", " now", "s", " (updated)"]))
    elif change == "drop" and len(msgid) > 4:
        msgid = msgid[: len(msgid) * 3 // 4]
    elif change == "plural":
        plural = None if plural is not None else msgid + "s"
    context = entry.msgctxt if change != "context" else (entry.msgctxt or "") + "menu"
    return po.Entry(msgid=msgid, msgctxt=context, msgid_plural=plural, locations=["new.md:1"])


def newlines_like(reference: str, text: str) -> str:
    """`text` beginning and ending with a newline exactly when `reference` does, as msgfmt
    --check wants of a msgid_plural and of every translation."""
    if not text:
        return text
    start = "\n" if reference.startswith("\n") else ""
    end = "\n" if reference.endswith("\n") and reference != "\n" else ""
    return start + (text.strip("\n") or "x") + end


def valid(entry: po.Entry) -> po.Entry:
    if entry.msgid.strip("\n") == "":
        entry.msgid = "x" + entry.msgid
    if entry.msgid_plural is not None:
        entry.msgid_plural = newlines_like(entry.msgid, entry.msgid_plural)
    entry.msgstr = newlines_like(entry.msgid, entry.msgstr)
    entry.msgstr_plural = [newlines_like(entry.msgid, form) for form in entry.msgstr_plural]
    return entry


@st.composite
def merges(draw: st.DrawFn) -> tuple[po.Catalogue, po.Catalogue]:
    found = draw(st.lists(entries(SAFE_TOKENS), min_size=1, max_size=10))
    old = [valid(entry) for entry in unique(found)]
    new = [edited(entry, draw) for entry in old if draw(st.integers(0, 4)) > 0]
    new += [
        po.Entry(msgid=draw(texts(SAFE_TOKENS, min_size=1)), msgid_plural=plural)
        for plural in draw(st.lists(st.none() | st.just("more"), max_size=3))
    ]
    template = [
        valid(po.Entry(e.msgid, msgctxt=e.msgctxt, msgid_plural=e.msgid_plural))
        for e in unique(new)
    ]
    for entry in template:
        entry.msgstr_plural = ["", ""] if entry.msgid_plural is not None else []
        entry.locations = ["new.md:1"]
    return po.Catalogue(list(HEADER), [], old), po.Catalogue(list(HEADER), [], template)


AGREEMENT: list[tuple[int, int]] = []


@settings(BOUNDED, max_examples=40)
@given(merges())
def test_every_merge_passes_msgfmt_check_and_decides_as_msgmerge(
    pair: tuple[po.Catalogue, po.Catalogue],
) -> None:
    old, template = (po.read(po.write(catalogue).encode()) for catalogue in pair)
    ours = po.write(merge.update(old, template))
    if not ours or not old.has_header:
        return  # nothing to write, or no header: GNU writes no file, or msgfmt refuses it
    checked = gnu("msgfmt", "--check", "-o", "/dev/null", "-", data=ours.encode())
    assert checked.returncode == 0, checked.stderr.decode() + ours
    with tempfile.TemporaryDirectory() as work:
        old_file, new_file = Path(work) / "old.po", Path(work) / "new.pot"
        old_file.write_text(po.write(old), encoding="utf-8")
        new_file.write_text(po.write(template), encoding="utf-8")
        theirs = subprocess.run(
            ["msgmerge", "--quiet", "--previous", "-o", "-", str(old_file), str(new_file)],
            capture_output=True,
            check=True,
        ).stdout
    mine, gnus = decisions(po.read(ours.encode())), decisions(po.read(theirs))
    AGREEMENT.append((sum(mine.get(key) == value for key, value in gnus.items()), len(gnus)))
    agreed, total = map(sum, zip(*AGREEMENT, strict=True))
    assert agreed >= 0.995 * total, (ours, theirs.decode())


def decisions(catalogue: po.Catalogue) -> dict[tuple[bool, str | None, str], tuple[object, ...]]:
    return {
        (e.obsolete, e.msgctxt, e.msgid): (
            e.msgstr,
            tuple(e.msgstr_plural),
            e.fuzzy,
            e.previous_msgid,
            e.previous_msgctxt,
        )
        for e in catalogue.entries
    }


# Lines a PO file may hold, for the reader's two ways of reading: each well formed (their order
# may not be), then what only a hostile file holds
LINES = (
    "", "  ", "# a comment", "#", "#  spaced ", "#. type: paragraph", "#: appeal.md:4 alert.md:9",
    "#, fuzzy", '#| msgid "old"', '#| "more"', '#~ msgid "gone"', '#~ msgstr "parti"', "#~",
    "  # indented", 'msgctxt "menu"', 'msgid "free"', 'msgid "a" "b"', 'msgid"tight"',
    'msgid_plural "prisoners"', 'msgstr "libres"', 'msgstr[0] "un"', 'msgstr[1] "deux"',
    '"continued"', '"2"', '"tab\\t" ', 'domain "other"',
)  # fmt: skip
HOSTILE_LINES = ('msgstr[01] "x"', '"unterminated', "nonsense", 'msgstr "\\q"')
# Strings as a file may spell them, with escapes that could join across lines (octal, hex)
STRINGS = ('""', '"free"', '"\\101"', '"\\1"', '"2"', '"\\x4"', '"1"', '"\\\\"', '"\\n"',
           '"\\"quoted\\""', '"زندانیان"')  # fmt: skip
HOSTILE_STRINGS = ('"\\q"', '"\\xff"')
COMMENTS = ("# checked", "#", "#  two ", "#. type: paragraph", "#.", "#: a.md:1  b.md:2", "#,fuzzy",
            "#, c-format,, fuzzy", "#!odd")  # fmt: skip


@st.composite
def entries_as_written(draw: st.DrawFn, hostile: bool) -> str:
    """An entry laid out as writers do (which the block reader takes whole), its strings and
    plural forms drawn from what a file may hold."""
    strings = STRINGS + HOSTILE_STRINGS if hostile else STRINGS

    def keyword(name: str) -> str:
        found = draw(st.lists(st.sampled_from(strings), min_size=1, max_size=3))
        return f"{name} " + "\n".join(found)

    lines = draw(st.lists(st.sampled_from(COMMENTS), max_size=3))
    if draw(st.booleans()):
        lines.append(keyword("msgctxt"))
    lines.append(keyword("msgid"))
    if draw(st.booleans()):
        lines.append(keyword("msgstr"))
    else:
        lines.append(keyword("msgid_plural"))
        orders = [[0], [0, 1], [0, 1, 2]] + ([[1, 0], [0, 2], [0, 0]] if hostile else [])
        lines += [keyword(f"msgstr[{index}]") for index in draw(st.sampled_from(orders))]
    return "\n".join(lines)


@st.composite
def files(draw: st.DrawFn) -> str:
    """Entries and stray lines, between one, two or no blank lines; one file in four hostile."""
    hostile = draw(st.integers(0, 3)) == 0
    lines = LINES + HOSTILE_LINES if hostile else LINES
    parts = draw(
        st.lists(
            st.one_of(
                entries_as_written(hostile),
                st.lists(st.sampled_from(lines), min_size=1, max_size=3).map("\n".join),
            ),
            max_size=8,
        )
    )
    separators = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n"]), min_size=len(parts)))
    return "".join(part + separator for part, separator in zip(parts, separators, strict=False))


def outcome(text: str, blocks: bool) -> po.Catalogue | tuple[int, str]:
    try:
        return po_reader._Parser("f.po", blocks=blocks).parse(text)
    except po.PoError as error:
        return error.line, error.message


@settings(BOUNDED, max_examples=1000)
@given(files())
def test_reading_by_blocks_gives_what_reading_line_by_line_gives(text: str) -> None:
    assert outcome(text, blocks=True) == outcome(text, blocks=False)


def test_files_of_other_tools_read_by_blocks_as_line_by_line() -> None:
    here = Path(__file__).parent
    found = [*(here / "data").rglob("*.po"), *(here.parent / "locales").rglob("*.po")]
    for path in found:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert outcome(text, blocks=True) == outcome(text, blocks=False), path
    assert len(found) > 60
