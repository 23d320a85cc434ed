"""Editions over the API: the published HTML page, PDF or share image (PNG, of an alert or the
palm card) of a document in a language (a draft for people with a role in it), at once when
built already, else a job and 202.

A file's ETag is the hash of its inputs (edition_files.key_of), and finding it takes the gate's
checks and the edition's text. A build script asks again for every file with If-None-Match; so
each process remembers the key it last answered for a file under the versions the edition is
made from (services/public.of_edition: one small query and a stat), and answers 304 from that
while the versions stand, without the checks: a pull with nothing changed costs a query a file.
"""

from __future__ import annotations

import dataclasses

from flask import Response, current_app, g, request

from translator import languages
from translator.api import bp
from translator.api.errors import ApiError, not_found, refusals
from translator.api.parsing import language, query, requires
from translator.services import accounts, builds, documents, edition_files, public
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
    asked = (slug, code, file_format, draft)
    version = _versions(slug, code)  # before the edition is read: a change since shows later
    remembered = _remembered(asked, version)
    if remembered is not None:
        unchanged = Response(status=304)
        unchanged.set_etag(remembered)
        return unchanged
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
    _known()[asked] = (version, key)
    return answering.file_or_job("edition", dataclasses.asdict(wanted), key)


Asked = tuple[str, str, str, bool]  # document, language, format, draft


def _known() -> dict[Asked, tuple[str, str]]:
    """This process's last key of each file, with the versions it was found under (a few
    hundred entries at most: one per edition file)."""
    found: dict[Asked, tuple[str, str]] = current_app.extensions.setdefault(
        "translator.edition_keys", {}
    )
    return found


def _versions(slug: str, code: str) -> str:
    engine = current_app.extensions["translator.sessions"].kw["bind"]
    with engine.connect() as connection:  # one read: no transaction to begin or end
        return public.of_edition(connection, current_app.config["ROOT"], slug, code)


def _remembered(asked: Asked, version: str) -> str | None:
    """The file's key when the asker has it already and nothing it is made from has moved."""
    known = _known().get(asked)
    if known is None or known[0] != version or not request.if_none_match.contains(known[1]):
        return None
    return known[1]
