"""The documents page: every document and its status in each language."""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, g, render_template

from translator import languages
from translator.services import accounts, documents, stats
from translator.web import session
from translator.web.declared import public

bp = Blueprint("documents", __name__)


@bp.get("/healthz")
@public
def health() -> tuple[str, int, dict[str, str]]:
    """For load balancers and benchmarks: the app answers (no database work)."""
    return "ok\n", 200, {"Content-Type": "text/plain"}


@bp.get("/")
@public
def index() -> str:
    with session() as s:
        listed = documents.listing(s)
        rows = stats.status(s)
    by_document: dict[str, dict[str, stats.StatusRow]] = defaultdict(dict)
    for row in rows:
        by_document[row.document][row.language] = row
    previews = {
        lang.code for lang in languages.targets() if accounts.can_see_drafts(g.user, lang.code)
    }  # the public gets no preview or draft links: those are for people with a role
    return render_template(
        "documents.html",
        documents=listed,
        status=by_document,
        languages=languages.targets(),
        previews=previews,
    )
