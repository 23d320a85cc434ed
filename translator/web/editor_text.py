"""How the editor shows a unit's texts: a plural unit's forms as fields, a stored text as it
reads, and a right-to-left text with its Latin runs and placeholders isolated."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from translator import languages, plurals
from translator.models import Unit
from translator.web.direction import inside, isolated

__all__ = ["form_fields", "isolated", "readable"]


def readable(unit: Unit, code: str, text: str, limit: int | None = None) -> Markup:
    """How a stored text of a unit reads: a plural one as its forms, one a line, named; cut to
    `limit` characters; in a right-to-left language isolated."""
    plain = plurals.labelled(text, code) if unit.plural else text
    if limit is not None and len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return inside(plain, code)


def form_fields(unit: Unit, code: str, text: str) -> list[dict[str, Any]]:
    """The editor's fields of a plural unit: one per plural form, labelled with its CLDR
    category and numbers, with the English it is made from."""
    if not unit.plural:
        return []
    forms = languages.plural_forms(code)
    values = plurals.split(text, len(forms))
    return [
        {
            "index": form.index,
            "label": plurals.label(form),
            "category": form.category,
            "english": unit.source if form.category == "one" else unit.source_plural,
            "text": value,
        }
        for form, value in zip(forms, values, strict=True)
    ]
