"""Editions in the browser: the HTML preview of a document in a language, and downloads.

Who sees what: anyone, the published editions (edition.html, edition.pdf, and edition.png, the
share image of an alert or the palm card); signed-in people with a role in the language, the
preview and drafts (?draft=1), since they hold unreviewed text (and a draft PDF is rendered on
request, so the public must not be able to ask for one).
"""

from __future__ import annotations

from dataclasses import asdict, replace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    request,
    send_file,
    url_for,
)

from translator import languages
from translator.formats import editions
from translator.services import accounts, builds, edition_files, gate
from translator.services.policy import Action
from translator.web import document_or_404, jobs, session
from translator.web.declared import performs, public
from translator.web.public_pages import EDITION, kept

bp = Blueprint("editions", __name__)
_ASSETS = {
    "edition.css": editions.ASSETS / "edition.css",
    **{f"fonts/{name}": editions.FONT_DIR / name for name in editions.FONTS},
}


def _may_see_drafts(code: str) -> None:
    """Sign in first, or 403 without a role in the language."""
    if g.user is None:
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    if not accounts.can_see_drafts(g.user, code):
        abort(403)


def _edition(slug: str, code: str, draft: bool) -> editions.Edition:
    if code != languages.SOURCE_LANGUAGE and code not in languages.TARGET_LANGUAGES:
        abort(404)
    if draft:
        _may_see_drafts(code)
    try:
        with session() as s:
            document = document_or_404(s, slug)
            edition = builds.gated_edition(
                s, current_app.config["ROOT"], document, code, draft=draft
            )
    except gate.NoEdition as exc:
        abort(Response(f"{exc}\n", 404, mimetype="text/plain"))
    except gate.NotPublishable as exc:
        first = exc.blockers[0].message
        abort(
            Response(
                f"Not publishable yet: {len(exc.blockers)} blockers, the first: {first}\n"
                "Add ?draft=1 for a draft.\n",
                409,
                mimetype="text/plain",
            )
        )
    return replace(edition, assets=url_for("editions.asset", name="edition.css").rsplit("/", 1)[0])


@bp.get("/documents/<slug>/<code>/preview")
@performs(Action.READ_UNREVIEWED)
def preview(slug: str, code: str) -> str:
    """The document as it reads now in a language, unfinished units marked; an edition that
    may go out (every unit approved, nothing blocking) reads as it will, not as a draft."""
    if code != languages.SOURCE_LANGUAGE and code not in languages.TARGET_LANGUAGES:
        abort(404)
    _may_see_drafts(code)
    with session() as s:
        document = document_or_404(s, slug)
        ready = code == languages.SOURCE_LANGUAGE or (
            gate.has_edition(document)
            and not gate.blockers(s, document, code, current_app.config["ROOT"])
        )
    return editions.render_html(_edition(slug, code, draft=not ready))


@bp.get("/documents/<slug>/<code>/edition.<file_format>")
@performs(Action.READ_UNREVIEWED, Action.START_JOB)
@kept(EDITION)
def download(slug: str, code: str, file_format: str) -> Response:
    """The edition as a file (published ones, or drafts with ?draft=1): at once when built
    already, else 202 and a page that follows the job building it."""
    if file_format not in edition_files.FORMATS:
        abort(404)
    draft = request.args.get("draft") == "1"
    edition = _edition(slug, code, draft)
    try:
        edition_files.shareable(edition, file_format)
    except gate.NoEdition as exc:
        abort(Response(f"{exc}\n", 404, mimetype="text/plain"))
    with session() as s:
        campaign = edition_files.campaign_name(s, code)  # on share images
    wanted = edition_files.Wanted(slug, code, file_format, draft, assets=edition.assets)
    key = edition_files.key_of(edition, file_format, campaign=campaign)
    return jobs.file_or_job("edition", asdict(wanted), key)


@bp.get("/editions/assets/<path:name>")
@public
def asset(name: str) -> Response:
    path = _ASSETS.get(name)
    if path is None or not path.is_file():
        abort(404)
    return send_file(path, max_age=86400)
