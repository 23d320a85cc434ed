"""Quality checks on a translation: each a small named rule with an id, a severity and a message.

A check looks at (source, translation, language) and returns the problems it finds, each a
`Message` (translator/messages.py): an English template a volunteer understands, marked `N_` so
the interface catalogue translates it, a stable code (`figures.missing`) and its values (the
figure, the name, the counts), so that the editor says it in the volunteer's language. Errors
block approval and publishing; warnings are shown. Checks import neither Flask nor SQLAlchemy:
the glossary comes in as plain data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from translator import languages, plurals
from translator.messages import N_, Message, message

TERM_TYPES = ("person", "place", "prison", "court", "organisation", "institution", "slogan", "term")
PROPER_TYPES = frozenset({"person", "place", "prison", "court", "organisation", "slogan"})


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Failure:
    """One problem found by one check: what it said (a message id and its values), and that
    said in English (`message`) for the command line and the API."""

    check: str
    severity: Severity
    said: Message

    @property
    def message(self) -> str:
        return self.said.english


@dataclass(frozen=True)
class Term:
    """A glossary entry: the English, its kind, and the accepted forms per language (approved
    form first)."""

    english: str
    type: str
    forms: dict[str, tuple[str, ...]] = field(hash=False)
    note: str = ""

    @property
    def is_name(self) -> bool:
        """A person's name: misspelling it is an error."""
        return self.type == "person"

    @property
    def is_proper(self) -> bool:
        """A proper noun (a name, a place, an organisation, a slogan): matched in its case."""
        return self.type in PROPER_TYPES


class Glossary(tuple[Term, ...]):
    """Terms in a tuple that works out its hash once: the glossary checks look up a cache keyed
    by the glossary for every translation, and hashing fifty terms each time (a call of Python
    per term) cost more than the rest of both checks."""

    _hash: int

    def __new__(cls, terms: Iterable[Term] = ()) -> Glossary:
        glossary = super().__new__(cls, terms)
        glossary._hash = tuple.__hash__(glossary)
        return glossary

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[Glossary], tuple[tuple[Term, ...]]]:
        # a copy in another process hashes its strings otherwise: its hash is worked out anew
        return Glossary, (tuple(self),)


@dataclass(frozen=True)
class Context:
    """What a check may need besides the texts: the language and the glossary."""

    language: str
    glossary: Sequence[Term] = field(default_factory=Glossary)

    def __post_init__(self) -> None:
        if not isinstance(self.glossary, Glossary):
            object.__setattr__(self, "glossary", Glossary(self.glossary))


class Check:
    """A check: subclasses set `id`, `severity`, `name` and implement `problems`."""

    id: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]

    def problems(self, source: str, translation: str, context: Context) -> Sequence[Message]:
        raise NotImplementedError

    def run(self, source: str, translation: str, context: Context) -> list[Failure]:
        problems = self.problems(source, translation, context)
        if not problems:  # most checks of most translations
            return []
        return [Failure(self.id, self.severity, message) for message in problems]


def all_checks() -> list[Check]:
    """Every check, in the order their failures are shown."""
    from translator.checks import (
        figures,
        glossary,
        length,
        markup,
        placeholders,
        punctuation,
        spacing,
        unchanged,
        urls,
    )

    return [
        figures.Figures(),
        figures.Digits(),
        markup.Markup(),
        urls.Urls(),
        placeholders.Placeholders(),
        glossary.NameSpelling(),
        glossary.Terminology(),
        punctuation.Punctuation(),
        spacing.Spacing(),
        unchanged.Unchanged(),
        length.Length(),
    ]


_CHECKS: list[Check] = []


def run_all(
    source: str, translation: str, context: Context, only: Iterable[str] | None = None
) -> list[Failure]:
    """Every failure of every check (or of the checks named in `only`) on one translation.

    An empty translation has nothing to check.
    """
    if not translation:
        return []
    if not _CHECKS:
        _CHECKS.extend(all_checks())
    wanted = set(only) if only is not None else None
    failures: list[Failure] = []
    for check in _CHECKS:
        if wanted is None or check.id in wanted:
            failures.extend(check.run(source, translation, context))
    return failures


def run_unit(
    source: str,
    source_plural: str | None,
    translation: str,
    context: Context,
    only: Iterable[str] | None = None,
) -> list[Failure]:
    """The failures of a unit's translation: for a plural unit, each form against the English
    singular (CLDR category "one") or plural (the other categories), the form named in the
    message; an empty form among filled ones is an error of its own ("plurals")."""
    if source_plural is None:
        return run_all(source, translation, context, only)
    if not translation:
        return []
    forms = languages.plural_forms(context.language)
    failures: list[Failure] = []
    for form, text in zip(forms, plurals.split(translation, len(forms)), strict=True):
        if not text and (only is None or PLURALS in only):
            empty = message(N_("the %(form)s form is empty"), "plurals.empty", form=form.category)
            failures.append(Failure(PLURALS, Severity.ERROR, empty))
        english = source if form.category == "one" else source_plural
        failures.extend(
            Failure(f.check, f.severity, in_form(form.category, f.said))
            for f in run_all(english, text, context, only)
        )
    return failures


PLURALS = "plurals"  # the id of the failure of an empty plural form


def in_form(category: str, problem: Message) -> Message:
    """A problem of one form of a plural unit, the form (its CLDR category) named first."""
    return message(N_("%(form)s form: %(problem)s"), "plurals.form", form=category, problem=problem)


def check_ids() -> list[str]:
    return list(dict.fromkeys(check.id for check in all_checks()))
