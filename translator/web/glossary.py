"""The glossary page: the campaign's names and terms with their approved forms per language."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from translator import languages
from translator.services import glossary
from translator.web import session
from translator.web.declared import public

bp = Blueprint("glossary", __name__)


@bp.get("/glossary")
@public
def index() -> str:
    unit = request.args.get("unit", "").strip()
    with session() as s:
        terms = glossary.terms(s)
    shown = glossary.matching(terms, unit) if unit else terms
    return render_template("glossary.html", terms=shown, unit=unit, languages=languages.targets())
