"""Editions over the API: the published HTML page, PDF or share image (PNG, of an alert or the
palm card) of a document in a language (a draft for people with a role in it), at once when
built already, else a job and 202."""

from __future__ import annotations

import dataclasses

from flask import Response, current_app, g

from translator import languages
from translator.api import bp
from translator.api.errors import ApiError, not_found, refusals
from translator.api.parsing import language, query, requires
from translator.services import accounts, builds, documents, edition_files
from translator.services.policy import Action
from translator.web import jobs as answering
from translator.web import session
from translator.web.declared import performs

DRAFT_VALUES = ("0", "1")


@bp.get("/documents/<slug>/languages/<code>/edition.<file_format>")
@requires("read")
@performs(Action.READ_UNREVIEWED, Action.START_JOB)
def edition(slug: str, code: str, file_format: str) -> Response:
    if file_format not in edition_files.FORMATS:
        raise not_found("editions are edition.html, edition.pdf and edition.png")
    draft = query("draft", DRAFT_VALUES, "0") == "1"
    if draft and not accounts.can_see_drafts(g.user, code):
        raise ApiError(403, "forbidden", f"drafts are for people with a role in {code}")
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        if code != languages.SOURCE_LANGUAGE:
            language(code)
        built = builds.gated_edition(s, current_app.config["ROOT"], document, code, draft=draft)
        edition_files.shareable(built, file_format)
        campaign = edition_files.campaign_name(s, code)  # on share images
    # built by a job (202 and the job's Location), or at once when its inputs are unchanged
    wanted = edition_files.Wanted(slug, code, file_format, draft)
    key = edition_files.key_of(built, file_format, campaign=campaign)
    return answering.file_or_job("edition", dataclasses.asdict(wanted), key)
