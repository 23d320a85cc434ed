"""The catalogues for build scripts: the languages, the documents, their figures, and each
edition's catalogue as a PO, MO or JSON file (one, or all in a zip); PO files uploaded back."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Response, current_app, g, jsonify, request

from translator import languages
from translator.api import bp
from translator.api.errors import ApiError, refusals
from translator.api.parsing import actor, attached, language, query, requires
from translator.models import Document
from translator.services import campaign_state, documents, downloads, importing, policy, stats
from translator.services.policy import Action
from translator.web import jobs as answering
from translator.web import session
from translator.web.declared import performs, signed_in

MEDIA_TYPES = {
    "po": "text/x-gettext-translation",
    "mo": "application/x-gettext-translation",
    "json": "application/json",
}
PO_TYPES = (
    "text/x-gettext-translation",
    "text/x-po",
    "application/x-gettext",
    "application/octet-stream",
    "text/plain",
)


@bp.get("/languages")
@requires("read")
@signed_in
def list_languages() -> Response:
    return jsonify(
        [
            {
                "code": lang.code,
                "name": lang.name,
                "native_name": lang.native_name,
                "direction": lang.direction,
                "plural_forms": lang.plural_forms,
            }
            for lang in languages.targets()
        ]
    )


@bp.get("/documents")
@requires("read")
@signed_in
def list_documents() -> Response:
    with session() as s:
        return jsonify([_document_json(d) for d in documents.listing(s, order="slug")])


def _document_json(document: Document) -> dict[str, Any]:
    return {
        "slug": document.slug,
        "kind": document.kind,
        "title": document.title,
        "date": document.date.isoformat() if document.date else None,
        "priority": document.priority,
        "deadline": document.deadline.isoformat() if document.deadline else None,
    }


@bp.get("/stats")
@requires("read")
@signed_in
def all_stats() -> Response:
    with session() as s:
        return jsonify([row.as_json() for row in stats.status(s, current_app.config["ROOT"])])


@bp.get("/state")
@requires("read")
@signed_in
def state() -> Response:
    """One name for everything this token may pull (services/campaign_state): a build script
    that kept it asks with If-None-Match and, on a 304, knows that no file has changed."""
    known = current_app.extensions
    desk = known.get("translator.made_of")
    if desk is None:  # the same in every process of this desk: worked out once each
        desk = known["translator.made_of"] = campaign_state.made_of(current_app.config)
    with session() as s:
        name = campaign_state.state(s, current_app.config["ROOT"], attached(s), g.scopes, desk)
    if request.if_none_match.contains(name):
        unchanged = Response(status=304)
        unchanged.set_etag(name)
        return unchanged
    response = jsonify({"state": name})
    response.set_etag(name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/documents/<slug>/languages/<code>/stats")
@requires("read")
@signed_in
def edition_stats(slug: str, code: str) -> Response:
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        row = stats.edition(s, document, language(code), current_app.config["ROOT"])
        return jsonify(row.as_json())


@bp.get("/documents/<slug>/languages/<code>/file")
@requires("read")
@performs(Action.READ_UNREVIEWED)
def download_file(slug: str, code: str) -> Response:
    file_format = query("format", downloads.FORMATS, "po") or "po"
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        etag = downloads.etag(s, document, language(code), file_format, who=actor())
        if request.if_none_match.contains(etag):  # answered without building the file
            response = Response(status=304)
        else:
            body = downloads.one(s, document, code, file_format, etag, who=actor())
            response = _attachment(body, file_format, f"{slug}.{code}.{file_format}")
    response.set_etag(etag)
    return response


@bp.get("/files.zip")
@requires("read")
@performs(Action.READ_UNREVIEWED)
def download_zip() -> Response:
    file_format = query("format", downloads.FORMATS, "po") or "po"
    with refusals(), session() as s:
        body = downloads.archive(s, file_format, who=actor())
    etag = hashlib.sha256(body).hexdigest()
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/zip")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="translations-{file_format}.zip"'
        )
    response.set_etag(etag)
    return response


def _attachment(body: bytes, file_format: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/documents/<slug>/languages/<code>/file")
@requires("translate")
@performs(Action.IMPORT)
def upload_file(slug: str, code: str) -> Response:
    mode = query("mode", importing.MODES, "untranslated-only") or "untranslated-only"
    if request.mimetype not in PO_TYPES:
        raise ApiError(
            415,
            "unsupported-media-type",
            f"send the PO file as the body with Content-Type {PO_TYPES[0]}",
        )
    lang = language(code)
    data = request.get_data(cache=False)  # Flask refuses a body over MAX_CONTENT_LENGTH: 413
    with refusals(), session() as s:
        documents.by_slug(s, slug)
        policy.require(s, actor(), policy.Action.IMPORT, language=lang)
    if len(data) > current_app.config["LARGE_IMPORT_BYTES"]:  # a worker imports it: 202
        params = {
            "filename": f"{slug}.{lang}.po",
            "slug": slug,
            "language": lang,
            "mode": mode,
            "scopes": sorted(g.scopes),  # the worker imports as this token would
        }
        return answering.accepted(answering.start("import", params, payload=data))
    with refusals(), session() as s:
        try:
            report = importing.import_file(
                s,
                data,
                f"{slug}.{lang}.po",
                slug,
                lang,
                mode=mode,
                who=actor(),
                max_bytes=current_app.config["MAX_IMPORT_BYTES"],
            )
        except importing.NotThisDocument as exc:  # another document's file: nothing imported
            details = {**exc.said.as_json(), "line": None, "suggested": exc.suggested}
            raise ApiError(422, "not-this-document", exc.said.english, details) from None
    return jsonify(report.as_json())
