"""Names and terms use the approved spelling of the glossary in each language.

A name of a person (a prisoner, a judge, a signer) spelt otherwise is an error; other terms are
warnings. A form matches at the start of a word, so a Turkish suffix (Amini'nin) or a German
genitive (Aminis) is fine; proper nouns match case-sensitively, other terms in any case. A name
that is not there at all and one written close to but not as the glossary has it get different
messages: "missing" and "misspelt" (with what was written).

A note may speak of one language: the part after "[de]" (up to the next "[xx]") is for German
translators only; the part before any such mark is for everyone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

from translator.checks import Check, Context, Severity, Term
from translator.messages import N_, Message, message

CLOSE = 85  # percent alike: a form written this close to the glossary's is misspelt, not missing
_WORD = re.compile(r"[^\W_](?:[\w\u200c'’-]*[^\W_])?")  # a word, ZWNJ and apostrophes inside
_NOTE_PART = re.compile(r"\[([a-z]{2,3})\]\s*")


class _Glossary(Check):
    names: bool

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        problems = []
        for term in terms_in(source, context.glossary):
            if term.is_name != self.names:
                continue
            forms = term.forms.get(context.language) or (term.english,)
            if not any(_found(form, translation, term.is_proper) for form in forms):
                problems.append(_problem(term, forms[0], translation, context.language))
        return problems


class NameSpelling(_Glossary):
    id = "glossary"
    name = "Names (glossary)"
    severity = Severity.ERROR
    names = True


class Terminology(_Glossary):
    id = "glossary"
    name = "Terms (glossary)"
    severity = Severity.WARNING
    names = False


@lru_cache(maxsize=65536)
def terms_in(source: str, glossary: Sequence[Term]) -> tuple[Term, ...]:
    folded = source.casefold()
    return tuple(
        term
        for term in glossary
        # a plain substring test first: most terms are not in most units
        if (term.english in source if term.is_proper else term.english.casefold() in folded)
        and _found(term.english, source, term.is_proper, whole_word=True)
    )


def _found(form: str, text: str, case_sensitive: bool, whole_word: bool = False) -> bool:
    return _pattern(form, case_sensitive, whole_word).search(text) is not None


@lru_cache(maxsize=8192)
def _pattern(form: str, case_sensitive: bool, whole_word: bool) -> re.Pattern[str]:
    end = r"(?!\w)" if whole_word else ""
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(form)}{end}", flags)


def _problem(term: Term, form: str, translation: str, language: str) -> Message:
    note = note_for(term, language)
    written = _close_to(form, translation)
    kind = "name" if term.is_name else "term"
    found = "missing" if written is None else "misspelt"
    text, code = _MESSAGES[kind, found, bool(note)]
    values = {"english": term.english, "form": form, "note": note, "written": written or ""}
    return message(text, code, **{name: values[name] for name in _NAMES[found, bool(note)]})


_NAMES = {
    ("missing", False): ("english", "form"),
    ("missing", True): ("english", "form", "note"),
    ("misspelt", False): ("english", "written", "form"),
    ("misspelt", True): ("english", "written", "form", "note"),
}
# (name or term, missing or misspelt, with a note) -> the message and its code
_MESSAGES = {
    ("name", "missing", False): (
        N_("the name '%(english)s' is missing: write it '%(form)s' (glossary)"),
        "glossary.name-missing",
    ),
    ("name", "missing", True): (
        N_("the name '%(english)s' is missing: write it '%(form)s' (glossary: %(note)s)"),
        "glossary.name-missing",
    ),
    ("name", "misspelt", False): (
        N_(
            "the name '%(english)s' is misspelt: '%(written)s' should be written '%(form)s' "
            "(glossary)"
        ),
        "glossary.name-misspelt",
    ),
    ("name", "misspelt", True): (
        N_(
            "the name '%(english)s' is misspelt: '%(written)s' should be written '%(form)s' "
            "(glossary: %(note)s)"
        ),
        "glossary.name-misspelt",
    ),
    ("term", "missing", False): (
        N_("the term '%(english)s' is missing: write it '%(form)s' (glossary)"),
        "glossary.term-missing",
    ),
    ("term", "missing", True): (
        N_("the term '%(english)s' is missing: write it '%(form)s' (glossary: %(note)s)"),
        "glossary.term-missing",
    ),
    ("term", "misspelt", False): (
        N_(
            "the term '%(english)s' is misspelt: '%(written)s' should be written '%(form)s' "
            "(glossary)"
        ),
        "glossary.term-misspelt",
    ),
    ("term", "misspelt", True): (
        N_(
            "the term '%(english)s' is misspelt: '%(written)s' should be written '%(form)s' "
            "(glossary: %(note)s)"
        ),
        "glossary.term-misspelt",
    ),
}


def _close_to(form: str, translation: str) -> str | None:
    """What the translation wrote in place of `form`: the run of whole words most like it (as
    many words as the form has, one more or one fewer), if at least CLOSE% alike. A fast
    partial match finds where to look first, so a long text costs little."""
    near = fuzz.partial_ratio_alignment(form, translation, score_cutoff=CLOSE - 10)
    if near is None:
        return None
    low, high = near.dest_start - len(form), near.dest_end + len(form)
    words = [m.span() for m in _WORD.finditer(translation) if m.end() > low and m.start() < high]
    size = len(form.split())
    best, score = None, float(CLOSE)
    for count in {max(1, size - 1), size, size + 1}:
        for first in range(len(words) - count + 1):
            start, end = words[first][0], words[first + count - 1][1]
            alike = fuzz.ratio(form, translation[start:end])
            if alike >= score:
                best, score = translation[start:end], alike
    return best


def note_for(term: Term, language: str) -> str:
    """The parts of a term's note for everyone and for `language`'s translators."""
    pieces = _NOTE_PART.split(term.note)
    kept = [pieces[0].strip().rstrip(";,")]
    for code, text in zip(pieces[1::2], pieces[2::2], strict=True):
        if code == language:
            kept.append(text.strip().rstrip(";,"))
    return " ".join(piece for piece in kept if piece)
