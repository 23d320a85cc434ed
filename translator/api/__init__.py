"""The REST API for build scripts, under /api/v1: JSON, bearer tokens, the same services as the web.

Every error is JSON, {"error": code, "message": text, "details": ...}, with its status; bad input
never gets a 500.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from translator import languages, plurals
from translator.formats import mo, po
from translator.models import Document, State, Translation, Unit
from translator.services import (
    DeskError,
    accounts,
    editing,
    edition_files,
    importing,
    publish,
    stats,
    writing,
)
from translator.services import tokens as token_service
from translator.web import jobs as answering
from translator.web import session

bp = Blueprint("api", __name__, url_prefix="/api/v1")
STATES = {state.label: state for state in State}
PO_TYPES = (
    "text/x-gettext-translation",
    "text/x-po",
    "application/x-gettext",
    "application/octet-stream",
    "text/plain",
)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return _json_error(error.status, error.code, error.message, error.details)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "-")
    response = _json_error(error.code or 500, code, error.description or error.name or "error")
    for name, value in error.get_headers():  # e.g. a 405's Allow
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


JSON_LIMIT = 1024 * 1024
SAVE_FIELDS = {"text", "forms", "version", "state"}


@bp.before_request
def _limit_body() -> None:
    """A body over the route's limit is refused before it is read (and before the token is looked
    up): PO uploads up to the import limit, JSON bodies up to 1 MiB."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    config = current_app.config
    limit = config["MAX_IMPORT_BYTES"] if request.endpoint == "api.upload_file" else JSON_LIMIT
    limit = min(limit, config.get("MAX_CONTENT_LENGTH") or limit)
    request.max_content_length = limit  # also stops a body sent without a length
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(
            413, "request-entity-too-large", f"the body is over the limit of {limit} bytes"
        )


def init_app(app: Flask) -> None:
    """Routing errors (no such path, method not allowed) under /api/ are JSON too: a blueprint's
    own handlers never see them."""

    def handler(error: HTTPException) -> Response | HTTPException:
        return _http_error(error) if request.path.startswith("/api/") else error

    app.register_error_handler(404, handler)
    app.register_error_handler(405, handler)


def _json_error(status: int, code: str, message: str, details: Any = None) -> Response:
    response = jsonify({"error": code, "message": message, "details": details})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="translation desk"'
    return response


def requires(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view that needs a valid bearer token with `scope`; g.user, g.scopes are set."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer ") or not header[7:].strip():
                raise ApiError(401, "unauthorized", "send the token as Authorization: Bearer …")
            with session() as s:
                found = token_service.authenticate(s, header[7:].strip())
                if found is None:
                    raise ApiError(401, "unauthorized", "the token is not valid")
                g.user, g.scopes = found
                s.expunge(g.user)
            if scope not in g.scopes:
                raise ApiError(403, "forbidden", f"this token lacks the {scope!r} scope")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _document(s: Any, slug: str) -> Document:
    document = s.scalar(select(Document).where(Document.slug == slug))
    if document is None:
        raise ApiError(404, "not-found", f"no document {slug!r}")
    return document


def _language(code: str) -> str:
    if code not in languages.TARGET_LANGUAGES:
        raise ApiError(
            404,
            "not-found",
            f"no language {code!r}; the desk translates into "
            f"{', '.join(languages.TARGET_LANGUAGES)}",
        )
    return code


def _with_etag(body: bytes, mimetype: str, filename: str | None = None) -> Response:
    etag = hashlib.sha256(body).hexdigest()
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype=mimetype)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(etag)
    return response


@bp.get("/languages")
@requires("read")
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
def list_documents() -> Response:
    with session() as s:
        documents = s.scalars(select(Document).order_by(Document.slug))
        return jsonify([_document_json(d) for d in documents])


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
def all_stats() -> Response:
    with session() as s:
        return jsonify([row.as_json() for row in stats.status(s, current_app.config["ROOT"])])


@bp.get("/documents/<slug>/languages/<code>/stats")
@requires("read")
def edition_stats(slug: str, code: str) -> Response:
    with session() as s:
        document = _document(s, slug)
        row = stats.edition(s, document, _language(code), current_app.config["ROOT"])
        return jsonify(row.as_json())


@bp.get("/documents/<slug>/languages/<code>/file")
@requires("read")
def download_file(slug: str, code: str) -> Response:
    file_format = request.args.get("format", "po")
    if file_format not in ("po", "mo", "json"):
        raise ApiError(400, "bad-request", f"format must be po, mo or json, not {file_format!r}")
    with session() as s:
        document = _document(s, slug)
        etag = f"{writing.fingerprint(s, document, _language(code))}-{file_format}"
        if request.if_none_match.contains(etag):  # answered without building the file
            response = Response(status=304)
            response.set_etag(etag)
            return response
        catalogue = writing.catalogue_for(s, document, code)
    body, mimetype = _file_body(catalogue, file_format)
    response = Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{slug}.{code}.{file_format}"'},
    )
    response.set_etag(etag)
    return response


def _file_body(catalogue: po.Catalogue, file_format: str) -> tuple[bytes, str]:
    if file_format == "po":
        return po.write(catalogue).encode(), "text/x-gettext-translation"
    if file_format == "mo":
        return mo.write_mo(catalogue), "application/x-gettext-translation"
    if file_format == "json":  # a plural entry maps its msgid to its forms
        table: dict[str, str | list[str]] = {
            e.msgid: e.msgstr_plural if e.msgid_plural is not None else e.msgstr
            for e in catalogue.entries
            if not e.obsolete and e.translated and not e.fuzzy
        }
        return json.dumps(table, ensure_ascii=False, indent=1).encode(), "application/json"
    raise ApiError(400, "bad-request", f"format must be po, mo or json, not {file_format!r}")


@bp.get("/files.zip")
@requires("read")
def download_zip() -> Response:
    file_format = request.args.get("format", "po")
    buffer = io.BytesIO()
    with session() as s, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in s.scalars(select(Document).order_by(Document.slug)):
            for code in languages.TARGET_LANGUAGES:
                body, _ = _file_body(writing.catalogue_for(s, document, code), file_format)
                name = (
                    f"{code}/{document.slug}.json"
                    if file_format == "json"
                    else f"{code}/LC_MESSAGES/{document.slug}.{file_format}"
                )
                archive.writestr(zipfile.ZipInfo(name, date_time=(2022, 1, 1, 0, 0, 0)), body)
    return _with_etag(buffer.getvalue(), "application/zip", f"translations-{file_format}.zip")


@bp.post("/documents/<slug>/languages/<code>/file")
@requires("translate")
def upload_file(slug: str, code: str) -> Response:
    mode = request.args.get("mode", "untranslated-only")
    if mode not in importing.MODES:
        raise ApiError(400, "bad-request", f"mode must be one of {', '.join(importing.MODES)}")
    if request.mimetype not in PO_TYPES:
        raise ApiError(
            415,
            "unsupported-media-type",
            f"send the PO file as the body with Content-Type {PO_TYPES[0]}",
        )
    language = _language(code)
    if not accounts.can_translate(g.user, language):
        raise ApiError(403, "forbidden", f"{g.user.username} does not translate into {code}")
    data = request.get_data(cache=False)  # Flask refuses a body over MAX_CONTENT_LENGTH: 413
    with session() as s:
        _document(s, slug)
    if len(data) > current_app.config["LARGE_IMPORT_BYTES"]:  # a worker imports it: 202
        params = {"filename": f"{slug}.{code}.po", "slug": slug, "language": language, "mode": mode}
        return answering.accepted(answering.start("import", params, payload=data))
    with session() as s:
        try:
            report = importing.import_file(
                s,
                data,
                f"{slug}.{code}.po",
                slug,
                language,
                mode=mode,
                user=_attached(s),
                max_bytes=current_app.config["MAX_IMPORT_BYTES"],
            )
        except importing.Forbidden as exc:
            raise ApiError(403, "forbidden", str(exc)) from None
        except DeskError as exc:
            line = re.search(r":(\d+): ", str(exc))
            raise ApiError(
                422, "invalid-content", str(exc), {"line": int(line.group(1)) if line else None}
            ) from None
    return jsonify(
        {
            "mode": report.mode,
            "filled": report.filled,
            "overwritten": report.overwritten,
            "suggested": report.suggested,
            "unchanged": report.unchanged,
            "conflicts": [c.__dict__ for c in report.conflicts],
            "unknown": [u.__dict__ for u in report.unknown],
            "held": [c.__dict__ for c in report.held],
        }
    )


def _attached(s: Any) -> Any:
    return s.merge(g.user, load=False)


@bp.get("/documents/<slug>/languages/<code>/units")
@requires("read")
def list_units(slug: str, code: str) -> Response:
    wanted = request.args.get("state")
    if wanted is not None and wanted not in STATES:
        raise ApiError(400, "bad-request", f"state must be one of {', '.join(STATES)}")
    with session() as s:
        document = _document(s, slug)
        found = editing.rows(s, document.id, _language(code), STATES[wanted] if wanted else None)
        failures = _failures(s, document, code)
        return jsonify(
            [
                _unit_json(unit, translation, failures.get(translation.id, []))
                for unit, translation in found
            ]
        )


def _failures(s: Any, document: Document, code: str) -> dict[int, list[dict[str, str]]]:
    from translator.models import CheckFailure

    query = (
        select(CheckFailure)
        .join(Translation)
        .join(Unit)
        .where(Unit.document_id == document.id, Translation.language == code)
    )
    found: dict[int, list[dict[str, str]]] = {}
    for failure in s.scalars(query):
        found.setdefault(failure.translation_id, []).append(
            {"check": failure.check, "severity": failure.severity, "message": failure.message}
        )
    return found


def _unit_json(unit: Unit, translation: Translation, checks: list[Any]) -> dict[str, Any]:
    return {
        "id": unit.id,
        "source": unit.source,
        "source_plural": unit.source_plural,
        **_texts(unit, translation),
        "state": State(translation.state).label,
        "version": translation.version,
        "location": unit.locations.split(" ")[0],
        "checks": checks,
    }


def _texts(unit: Unit, translation: Translation) -> dict[str, Any]:
    """A translation's text and, for a plural unit, its forms (msgstr[0], msgstr[1], ...)."""
    forms = plurals.forms_of(translation.text, translation.language) if unit.plural else None
    return {"text": translation.text, "forms": forms}


@bp.put("/units/<int:unit_id>/translations/<code>")
@requires("translate")
def save_translation(unit_id: int, code: str) -> Response:
    body = _json_body()
    unknown = sorted(set(body) - SAVE_FIELDS)
    if unknown:
        raise ApiError(422, "invalid-content", f"unknown properties: {', '.join(unknown)}", unknown)
    text, version, state = body.get("text"), body.get("version"), body.get("state")
    forms = body.get("forms")
    if forms is not None and not isinstance(forms, list):
        raise ApiError(400, "bad-request", "forms must be a list of texts, one per plural form")
    if forms is not None and text is None:
        text = ""
    if (
        not isinstance(text, str)
        or isinstance(version, bool)
        or not isinstance(version, int)
        or not 0 <= version <= editing.MAX_ID
    ):
        raise ApiError(
            422,
            "invalid-content",
            'send {"text": string (or "forms": [string, ...] for a plural unit), '
            '"version": integer from 0, '
            '"state"?: needs-editing | translated | approved}',
        )
    if state is not None and state not in ("needs-editing", "translated", "approved"):
        raise ApiError(
            422, "invalid-content", "state must be needs-editing, translated or approved"
        )
    if state == "approved" and "review" not in g.scopes:
        raise ApiError(403, "forbidden", "approving needs a token with the 'review' scope")
    with session() as s:
        wanted = STATES[state] if state else None
        try:
            unit, _ = editing.find(s, unit_id, code)
            if forms is not None:
                result = editing.save_forms(
                    s, _attached(s), unit_id, code, forms, version=version, state=wanted
                )
            elif unit.plural:
                raise editing.Invalid(f"unit {unit_id} has plural forms: send them as forms")
            else:
                result = editing.save(
                    s, _attached(s), unit_id, code, text, version=version, state=wanted
                )
        except editing.NotFound as exc:
            raise ApiError(404, "not-found", str(exc)) from None
        except editing.Forbidden as exc:
            raise ApiError(403, "forbidden", str(exc)) from None
        except editing.TooLong as exc:
            raise ApiError(422, "invalid-content", str(exc)) from None
        except editing.Invalid as exc:
            raise ApiError(400, "bad-request", str(exc)) from None
        translation = result.translation
        current = {
            **_texts(unit, translation),
            "version": translation.version,
            "state": State(translation.state).label,
        }
        if result.conflict:
            raise ApiError(
                409,
                "conflict",
                "someone saved this unit since your version; nothing was overwritten",
                current,
            )
        return jsonify(
            {
                **current,
                "checks": [
                    {"check": f.check, "severity": f.severity.value, "message": f.message}
                    for f in result.failures
                ],
            }
        )


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "unsupported-media-type", "send JSON (Content-Type: application/json)")
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad-request", "the body is not valid JSON") from None
    except RecursionError:
        raise ApiError(400, "bad-request", "the body's JSON is nested too deeply") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad-request", "the body must be a JSON object")
    return body


# --- the translator's helpers: memory, live checks, review in bulk ---------------------------


def _refused(action: Callable[[], Any]) -> Any:
    """Run a workspace service, its refusals turned into JSON errors."""
    try:
        return action()
    except editing.NotFound as exc:
        raise ApiError(404, "not-found", str(exc)) from None
    except editing.Forbidden as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    except editing.Invalid as exc:
        raise ApiError(400, "bad-request", str(exc)) from None


@bp.get("/units/<int:unit_id>/memory/<code>")
@requires("read")
def unit_memory(unit_id: int, code: str) -> Response:
    """What the editor's translation memory shows for a unit: never the unit's own text."""
    from translator.services import review

    with session() as s:
        found = _refused(lambda: review.memory_of_unit(s, unit_id, _language(code)))
        return jsonify(
            [
                {
                    "source": m.source,
                    "translation": m.translation,
                    "similarity": m.similarity,
                    "document": m.document,
                    "unit": m.unit_id,
                }
                for m in found
            ]
        )


@bp.post("/units/<int:unit_id>/check/<code>")
@requires("read")
def check_text(unit_id: int, code: str) -> Response:
    """The failures a text would have if saved: what the editor shows while typing."""
    from translator.checks import PLURALS, Failure, Severity

    body = _json_body()
    text, forms = body.get("text"), body.get("forms")
    if forms is not None and (
        not isinstance(forms, list) or not all(isinstance(f, str) for f in forms)
    ):
        raise ApiError(422, "invalid-content", "forms must be a list of texts")
    if forms is None and not isinstance(text, str):
        raise ApiError(422, "invalid-content", 'send {"text": string} (or "forms": [string, ...])')
    with session() as s:

        def run() -> list[Any]:
            unit, _ = editing.find(s, unit_id, _language(code))
            try:
                if unit.plural and forms is None:
                    raise editing.Invalid(f"unit {unit_id} has plural forms: send them as forms")
                checked = editing.text_of_forms(unit, code, forms) if forms is not None else text
            except editing.Invalid as exc:  # saving it would be refused: that is the failure
                return [Failure(PLURALS, Severity.ERROR, str(exc))]
            return editing.check(s, unit_id, code, str(checked))

        found = _refused(run)
    return jsonify(
        {
            "checks": [
                {"check": f.check, "severity": f.severity.value, "message": f.message}
                for f in found
            ]
        }
    )


@bp.post("/documents/<slug>/languages/<code>/approve")
@requires("review")
def approve_edition(slug: str, code: str) -> Response:
    """Approve every clean translated unit of an edition (or of the units listed)."""
    from translator.services import review

    body = _json_body() if request.get_data(cache=True) else {}
    units = body.get("units")
    if units is not None and (
        not isinstance(units, list)
        or not all(isinstance(u, int) and not isinstance(u, bool) for u in units)
    ):
        raise ApiError(422, "invalid-content", 'send {"units"?: [integer, ...]}')
    with session() as s:
        document = _document(s, slug)
        language = _language(code)
        done = _refused(
            lambda: review.approve_all(s, _attached(s), document.id, language, unit_ids=units)
        )
    return jsonify(
        {
            "approved": done.approved,
            "skipped": [
                {"unit": k.unit_id, "reason": k.reason, "message": k.message} for k in done.skipped
            ],
        }
    )


@bp.get("/documents/<slug>/languages/<code>/edition.<file_format>")
@requires("read")
def edition(slug: str, code: str, file_format: str) -> Response:
    if file_format not in ("html", "pdf"):
        raise ApiError(404, "not-found", "editions are edition.html and edition.pdf")
    draft = request.args.get("draft") == "1"
    if draft and not accounts.can_see_drafts(g.user, code):
        raise ApiError(403, "forbidden", f"drafts are for people with a role in {code}")
    with session() as s:
        document = _document(s, slug)
        if not publish.has_edition(document):
            raise ApiError(404, "not-found", f"{slug} holds interface strings: it has no edition")
        if code != languages.SOURCE_LANGUAGE:
            _language(code)
            found = [] if draft else publish.blockers(s, document, code, current_app.config["ROOT"])
            if found:
                raise ApiError(
                    409,
                    "not-publishable",
                    f"{len(found)} blockers",
                    [b.message for b in found[:20]],
                )
        built = publish.edition_for(s, current_app.config["ROOT"], document, code, draft)
    # built by a job (202 and the job's Location), or at once when its inputs are unchanged
    wanted = edition_files.Wanted(slug, code, file_format, draft)
    key = edition_files.key_of(built, file_format)
    return answering.file_or_job("edition", dataclasses.asdict(wanted), key)


@bp.get("/openapi.json")
def openapi() -> Response:
    from translator.api.openapi import SPEC

    return jsonify(SPEC)


from translator.api import jobs as _jobs  # noqa: E402  (its routes join this blueprint)

assert _jobs.bp is bp
