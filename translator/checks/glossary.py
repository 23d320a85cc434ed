"""Names and terms use the approved spelling of the glossary in each language.

A name of a person (a prisoner, a judge, a signer) spelt otherwise is an error; other terms are
warnings. A form matches at the start of a word, so a Turkish suffix (Amini'nin) or a German
genitive (Aminis) is fine; proper nouns match case-sensitively, other terms in any case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from translator.checks import Check, Context, Severity, Term


class _Glossary(Check):
    names: bool

    def problems(self, source: str, translation: str, context: Context) -> Iterable[str]:
        problems = []
        for term in terms_in(source, tuple(context.glossary)):
            if term.is_name != self.names:
                continue
            forms = term.forms.get(context.language) or (term.english,)
            if not any(_found(form, translation, term.is_proper) for form in forms):
                kind = "the name" if term.is_name else "the term"
                problems.append(
                    f"{kind} '{term.english}' should be written '{forms[0]}' "
                    f"(glossary{': ' + term.note if term.note else ''})"
                )
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
