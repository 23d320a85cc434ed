"""What a translator's file must pass before the desk takes anything from it, beyond what the
reader refuses: messages at all, a real charset, no control characters, and what `msgfmt --check`
holds a compiled message to: the format directives its flags promise (parsed and compared as GNU
does, `format_strings`) and a newline at the start and end where its msgid has one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from translator.formats import format_strings, plural_forms
from translator.formats.catalogue import Catalogue, Entry, PoError
from translator.messages import N_, Message, message


def check_translation(catalogue: Catalogue, filename: str) -> None:
    """Refuse, with file and line, what `read` accepts but the desk must not import: a file with
    no messages, a header still saying charset=CHARSET, a control character in a translation, or
    format directives that a translation's format flag says it must keep but does not, as
    msgfmt --check refuses them (`format_problem`)."""
    if not any(not entry.obsolete for entry in catalogue.entries):
        empty = N_("the file has no messages (is it empty, or only a header?)")
        raise PoError(filename, 1, message(empty, "po.empty"))
    if catalogue.charset == "CHARSET":
        raise PoError(
            filename,
            catalogue.header_line,
            message(
                N_(
                    "the header still says charset=CHARSET: fill in the charset the file is "
                    "written in"
                ),
                "po.charset-placeholder",
            ),
        )
    forms = catalogue.plural_forms()
    for entry in catalogue.entries:
        if entry.obsolete:
            continue
        for text in entry.msgstr_plural if entry.msgid_plural is not None else [entry.msgstr]:
            control = _CONTROL.search(text)
            if control is not None:
                raise PoError(
                    filename,
                    entry.line,
                    message(
                        N_("the translation contains the control character %(character)s"),
                        "po.control-character",
                        character=f"U+{ord(control[0]):04X}",
                    ),
                )
        problem = format_problem(entry, forms)
        if problem:
            raise PoError(filename, entry.line, problem)


# Unicode's control characters (category Cc: C0, DEL and C1) but the newline and the tab
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# Format directives and newlines, compared as `msgfmt --check` compares them


def format_problem(entry: Entry, forms: plural_forms.PluralForms | None) -> Message | None:
    """Why a translation msgfmt would compile breaks what its flags promise, or None: a format
    string of another shape than its msgid's (for each format flag of LANGUAGES the entry
    carries), or a translation that does not begin and end with a newline as its msgid does.
    As msgfmt, every form is compared with msgid_plural, and a form chosen for only a few counts
    (at most 4 of 0..1000, as French msgstr[0] for 0 and 1), or for at most one count of the
    message's `range:`, may leave out an argument."""
    if entry.fuzzy or entry.obsolete or not entry.msgid or not entry.first_form:
        return None
    problem = newline_problem(entry)
    if problem is not None:
        return problem
    for language in format_languages(entry.flags):
        problem = _format_problem(entry, language, forms)
        if problem is not None:
            return problem
    return None


def format_languages(flags: Sequence[str]) -> list[str]:
    """The languages a message's flags say its strings are (or may be) format strings of, among
    those parsed, in GNU's order; the last flag of a language counts (`no-c-format, c-format`)."""
    said: dict[str, bool] = {}
    for flag in flags:
        match = _FORMAT_FLAG.fullmatch(flag)
        if match is not None and match.group(2) in format_strings.LANGUAGES:
            said[match.group(2)] = match.group(1) in ("", "possible-")
    return [language for language in format_strings.LANGUAGES if said.get(language)]


_FORMAT_FLAG = re.compile(r"(no-|possible-|impossible-|)([a-z-]+)-format")


def breaks_format(entry: Entry, language: str, forms: plural_forms.PluralForms | None) -> bool:
    """Whether the entry's translation fails `language`'s check (msgmerge marks it fuzzy when
    the template newly calls the message a format string and this is so)."""
    return _format_problem(entry, language, forms) is not None


def _format_problem(
    entry: Entry, language: str, forms: plural_forms.PluralForms | None
) -> Message | None:
    source = entry.msgid if entry.msgid_plural is None else entry.msgid_plural
    wanted = format_strings.parse(language, source, translated=False).spec
    if wanted is None:
        return None  # msgfmt checks nothing against a msgid that is no format string
    for name, text, strict in _translations(entry, forms):
        got = format_strings.parse(language, text, translated=True).spec
        if got is None or format_strings.differs(language, wanted, got, strict=strict):
            return message(
                N_("%(flag)s: the format directives of %(form)s differ from those of %(source)s"),
                "po.format",
                flag=f"{language}-format",
                form=name,
                source="msgid" if entry.msgid_plural is None else "msgid_plural",
            )
    return None


def _translations(
    entry: Entry, forms: plural_forms.PluralForms | None
) -> list[tuple[str, str, bool]]:
    """Each translation's name, text and whether it must have every argument (strictly): a
    singular one must; a plural form may leave one out when it is used for few counts."""
    if entry.msgid_plural is None:
        return [("msgstr", entry.msgstr, True)]
    if len(entry.msgstr_plural) == 1:
        return [("msgstr[0]", entry.msgstr_plural[0], True)]
    relaxed = _relaxed_forms(forms or _GERMANIC, flag_range(entry.flags))
    nplurals = (forms or _GERMANIC).nplurals
    return [
        (f"msgstr[{n}]", text, n < nplurals and n not in relaxed)
        for n, text in enumerate(entry.msgstr_plural)
    ]


def newline_problem(entry: Entry) -> Message | None:
    """A translation that does not begin, or end, with a newline where its msgid does (or the
    reverse), which msgfmt --check refuses."""
    if entry.msgid_plural is None:
        pairs = [("msgstr", entry.msgstr)]
    else:
        pairs = [("msgid_plural", entry.msgid_plural)]
        pairs += [(f"msgstr[{n}]", text) for n, text in enumerate(entry.msgstr_plural)]
    for edge, test in (
        (N_("%(form)s and msgid do not both begin with a newline"), str.startswith),
        (N_("%(form)s and msgid do not both end with a newline"), str.endswith),
    ):
        for name, text in pairs:
            if test(text, "\n") != test(entry.msgid, "\n"):
                return message(edge, "po.newline", form=name)
    return None


_GERMANIC = plural_forms.parse("nplurals=2; plural=(n != 1);")  # msgfmt's default
_FEW_COUNTS = 4  # msgfmt's OFTEN is 5: a form chosen for 5 counts of 0..1000 is checked strictly


def _relaxed_forms(
    forms: plural_forms.PluralForms, counts: tuple[int, int] | None
) -> frozenset[int]:
    few = _few_count_forms(forms)
    if counts is None:
        return few
    return few | {n for n in range(forms.nplurals) if _uses_in(forms, counts, n) <= 1}


@lru_cache(maxsize=64)
def _few_count_forms(forms: plural_forms.PluralForms) -> frozenset[int]:
    """The forms msgfmt does not take to be used "often": chosen for at most 4 counts of 0..1000
    (or never); a form past nplurals is never chosen."""
    counts = [0] * forms.nplurals
    for n in range(1001):
        counts[forms.index(n)] += 1
    return frozenset(n for n, count in enumerate(counts) if count <= _FEW_COUNTS)


def _uses_in(forms: plural_forms.PluralForms, counts: tuple[int, int], form: int) -> int:
    """How many counts of a range (its first thousand, as msgfmt) choose the form."""
    first, last = counts
    return sum(forms.index(n) == form for n in range(first, min(last, first + 1000) + 1))


_RANGE = re.compile(r"range:\s*(\d+)\s*\.\.\s*(\d+)")


def flag_range(flags: Sequence[str]) -> tuple[int, int] | None:
    """The counts a `range: a..b` flag says the message is used for, or None."""
    for flag in flags:
        match = _RANGE.fullmatch(flag)
        if match:
            return int(match.group(1)), int(match.group(2))
    return None
