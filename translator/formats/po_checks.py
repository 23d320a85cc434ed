"""What a translator's file must pass before the desk takes anything from it, beyond what the
reader refuses: messages at all, a real charset, no control characters, and the format directives
its flags promise, compared as `msgfmt --check-format` compares them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from translator.formats import plural_forms
from translator.formats.catalogue import Catalogue, Entry, PoError
from translator.messages import N_, message


def check_translation(catalogue: Catalogue, filename: str) -> None:
    """Refuse, with file and line, what `read` accepts but the desk must not import: a file with
    no messages, a header still saying charset=CHARSET, a control character in a translation, or
    format directives that a translation's format flag says it must keep but does not."""
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


# Format directives, compared as `msgfmt --check-format` compares them

_C_DIRECTIVE = re.compile(
    r"%(?:(\d+)\$)?[-+ #0']*(?:\*(?:\d+\$)?|\d+)?(?:\.(?:\*(?:\d+\$)?|\d+))?"
    r"(hh|h|ll|l|L|q|j|z|Z|t)?([diouxXeEfFgGaAcCsSpn%])"
)
_PYTHON_DIRECTIVE = re.compile(
    r"%(?:\(([^)]*)\))?[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)
_C_TYPES = (
    dict.fromkeys("di", "int")
    | dict.fromkeys("ouxX", "unsigned")
    | dict.fromkeys("eEfFgGaA", "double")
)
_PY_TYPES = dict.fromkeys("diuoxX", "int") | dict.fromkeys("eEfFgG", "float") | {"c": "char"}


def _directives(flag: str, text: str) -> dict[str, str]:
    """The arguments a format string consumes: argument (number or name) -> type."""
    found: dict[str, str] = {}
    if flag == "c-format":
        for number, (position, length, conversion) in enumerate(_c_directives(text), start=1):
            found[position or str(number)] = (length or "") + _C_TYPES.get(conversion, conversion)
    else:
        number = 0
        for match in _PYTHON_DIRECTIVE.finditer(text):
            if match.group(2) == "%":
                continue
            number += 1
            name, conversion = match.group(1), match.group(2)
            found[name if name is not None else str(number)] = _PY_TYPES.get(conversion, "any")
    return found


def _c_directives(text: str) -> list[tuple[str | None, str | None, str]]:
    return [
        (m.group(1), m.group(2), m.group(3))
        for m in _C_DIRECTIVE.finditer(text)
        if m.group(3) != "%"
    ]


CHECKED_FORMATS = ("c-format", "python-format")  # the format flags whose directives are compared


def format_problem(entry: Entry, forms: plural_forms.PluralForms | None) -> str | None:
    """Why a translation breaks the format directives its flag promises, or None. As msgfmt,
    every form is compared with msgid_plural, and a form chosen for only a few counts (at most 4
    of 0..1000, as French msgstr[0] for 0 and 1), or for at most one count of the message's
    `range:`, may leave out a directive; nothing may differ."""
    flag = next((f for f in entry.flags if f in CHECKED_FORMATS), None)
    if flag is None or entry.fuzzy:
        return None
    if entry.msgid_plural is None:
        pairs = [("msgstr", entry.msgstr, entry.msgid, True)]
    else:
        relaxed = _relaxed_forms(forms, flag_range(entry.flags)) if forms else set()
        pairs = [
            (f"msgstr[{n}]", text, entry.msgid_plural, n not in relaxed)
            for n, text in enumerate(entry.msgstr_plural)
        ]
    wanted_by: dict[str, dict[str, str]] = {}
    for name, text, source, strict in pairs:
        if not text:
            continue
        wanted = wanted_by.setdefault(source, _directives(flag, source))
        got = _directives(flag, text)
        extra = [key for key in got if wanted.get(key) != got[key]]
        missing = [key for key in wanted if key not in got]
        if extra or (strict and missing):
            origin = "msgid" if entry.msgid_plural is None else "msgid_plural"
            return f"{flag}: the format directives of {name} differ from those of {origin}"
    return None


_FEW_COUNTS = 4  # found by trying msgfmt 0.21: a form chosen for 5 counts is checked strictly


def _relaxed_forms(
    forms: plural_forms.PluralForms, counts: tuple[int, int] | None
) -> frozenset[int]:
    few = _single_count_forms(forms)
    if counts is None:
        return few
    return few | {n for n in range(forms.nplurals) if _uses_in(forms, counts, n) <= 1}


@lru_cache(maxsize=64)
def _single_count_forms(forms: plural_forms.PluralForms) -> frozenset[int]:
    counts: dict[int, int] = {}
    for n in range(1001):
        index = forms.index(n)
        counts[index] = counts.get(index, 0) + 1
    return frozenset(index for index, count in counts.items() if count <= _FEW_COUNTS)


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
