"""Plural translations in the store: a unit's forms kept in one text, joined by a separator.

As Weblate does, a plural unit's translation is stored in `Translation.text` as its forms in
gettext's order (msgstr[0], msgstr[1], ...) joined by SEPARATOR, so every path that copies, counts
or compares a text keeps working; only the catalogues, the checks, the editor and the API split it.
"""

from __future__ import annotations

from collections.abc import Sequence

from translator import languages

SEPARATOR = "\x1e\x1e"  # two ASCII record separators, as Weblate's PLURAL_SEPARATOR


def split(text: str, count: int) -> list[str]:
    """A stored text's forms, exactly `count` of them (missing ones empty, extra ones dropped)."""
    forms = text.split(SEPARATOR) if text else []
    return (forms + [""] * count)[:count]


def join(forms: Sequence[str]) -> str:
    """The stored text of forms; no form at all filled is no translation."""
    if not any(forms):
        return ""
    return SEPARATOR.join(forms)


def forms_of(text: str, language: str) -> list[str]:
    """A plural translation's forms in a language, as many as the language has."""
    return split(text, languages.get(language).nplurals)


def labelled(text: str, language: str) -> str:
    """A plural translation readable as plain text: one form a line, named by its CLDR category
    (for conflicts and the history)."""
    if not text:
        return ""
    forms = languages.plural_forms(language)
    values = split(text, len(forms))
    pairs = zip(forms, values, strict=True)
    return "\n".join(f"[{form.category}] {value}" for form, value in pairs)


def label(form: languages.PluralForm) -> str:
    """A form's name for a translator: its category and numbers that take it, e.g. "one — 0, 1"."""
    examples = ", ".join(str(n) for n in form.examples)
    return f"{form.category} — {examples}"
