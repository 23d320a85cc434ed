"""The job routes of the API: a job's state, progress and result, and batch builds of editions."""

from __future__ import annotations

from flask import Response, g, jsonify, request
from sqlalchemy.orm import Session

from translator import languages
from translator.api import bp
from translator.api.errors import ApiError, bad_request
from translator.api.parsing import json_body, requires
from translator.models import Job
from translator.services import accounts, edition_files
from translator.services import jobs as records
from translator.services import tokens as token_service
from translator.services.policy import Action
from translator.web import jobs as answering
from translator.web import session
from translator.web.declared import performs, signed_in

ALL_LANGUAGES = [languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES]
BUILD_FIELDS = ("languages", "documents", "formats", "draft")


def _visible_job(s: Session, job_id: str) -> Job:
    """The job, if whoever asks may see it: its owner (by token or signed in), or anyone for a
    job started without signing in. Others get 404, as if it did not exist."""
    user = g.get("user")
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        found = token_service.authenticate(s, header[7:].strip())
        if found is None:
            raise ApiError(401, "unauthorized", "the token is not valid")
        user = found[0]
    job = records.get(s, job_id)
    if job is None or not records.visible(job, user):
        raise ApiError(404, "not-found", f"no job {job_id!r}")
    return job


@bp.get("/jobs/<job_id>")
@signed_in
def job(job_id: str) -> Response:
    """State (queued, running, done, failed), progress, a message, and the result's URL."""
    with session() as s:
        return jsonify(answering.status_json(_visible_job(s, job_id)))


@bp.get("/jobs/<job_id>/file")
@signed_in
def job_file(job_id: str) -> Response:
    with session() as s:
        found = _visible_job(s, job_id)
        if found.state != records.DONE or found.result_key is None:
            raise ApiError(409, "not-ready", f"the job is {found.state}: no file yet")
        stored = edition_files.find(s, found.result_key)
        if stored is None:
            raise ApiError(404, "not-found", "the job's file is gone")
        return answering.file_response(stored)


@bp.post("/editions/builds")
@requires("read")
@performs(Action.START_JOB)
def start_build() -> Response:
    """A batch of editions, built by a worker into one zip: {"languages": [...], "documents":
    [...], "formats": ["html", "pdf"], "draft": false} (every field optional)."""
    body = json_body()
    unknown = sorted(set(body) - set(BUILD_FIELDS))
    if unknown:
        raise bad_request(f"unknown properties: {', '.join(unknown)}")
    draft = body.get("draft", False)
    if not isinstance(draft, bool):
        raise bad_request("draft must be true or false")
    params = {
        "languages": _strings(body, "languages", ALL_LANGUAGES),
        "documents": _strings(body, "documents", None),
        "formats": _strings(body, "formats", ["html", "pdf"]),
        "draft": draft,
    }
    if params["draft"] and not accounts.is_editor(g.user):
        raise ApiError(403, "forbidden", "drafts are for editors")
    return answering.accepted(answering.start("build", params))


def _strings(body: dict[str, object], name: str, allowed: list[str] | None) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise bad_request(f"{name} must be a list of strings")
    unknown = [v for v in value if allowed is not None and v not in allowed]
    if unknown:
        raise bad_request(f"unknown {name}: {', '.join(unknown)}")
    return list(dict.fromkeys(value))  # each once
