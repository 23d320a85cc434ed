"""Answering for heavy work: the built file at once when the store has it, else a job and 202."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge, ServiceUnavailable, TooManyRequests

from translator import jobs as engine
from translator.models import EditionFile, Job
from translator.services import edition_files, sessions
from translator.services import jobs as records
from translator.web import session
from translator.web.interface import gettext as _  # numbers in the interface's digits
from translator.web.interface import say


def file_or_job(kind: str, params: dict[str, Any], key: str) -> Response:
    """The file whose inputs hash to `key` when it is built already; else a job that builds it,
    answered `202 Accepted` with its Location. One unfinished job per file and person, and a few
    per person in all (see `start`)."""
    with session() as s:
        found = edition_files.find(s, key)
        if found is not None:
            return file_response(found)
    return accepted(start(kind, params, key=key))


def start(
    kind: str, params: dict[str, Any], *, key: str | None = None, payload: bytes | None = None
) -> str:
    """Record a job for the signed-in person (or nobody, counted by the salted hash of the
    address) and queue it; its id. Past a cap: 429 (the asker's own jobs) or 503 (the whole
    desk's), with Retry-After; an upload over the import limit: 413; the job queue unreachable:
    503 with Retry-After, and no job kept. The same input asked for again gives the same job,
    sent to the workers again when it is overdue (records.Timing). The API's handler
    of HTTP errors gives each its JSON shape, keeping the Retry-After header."""
    config = current_app.config
    user = g.get("user")
    client = (
        None
        if user is not None
        else sessions.client_key(request.remote_addr or "", config["SECRET_KEY"])
    )
    try:
        with session() as s:
            job, new = records.start(
                s,
                kind,
                params,
                owner=user,
                client=client,
                input_key=key,
                payload=payload,
                max_payload=int(config["MAX_IMPORT_BYTES"]),
            )
            job_id, resend = job.id, not new and records.overdue(job, records.Timing.of(config))
    except records.TooManyJobs as exc:
        raise TooManyRequests(
            _refusal(
                exc,
                _(
                    "You have %(limit)s unfinished jobs, the most allowed. Ask again in "
                    "%(seconds)s seconds, when one of them is done.",
                    limit=exc.limit,
                    seconds=exc.retry_after,
                ),
            ),
            retry_after=exc.retry_after,
        ) from None
    except records.DeskBusy as exc:
        raise ServiceUnavailable(
            _refusal(
                exc,
                _("The desk is busy. Ask again in %(seconds)s seconds.", seconds=exc.retry_after),
            ),
            retry_after=exc.retry_after,
        ) from None
    except records.PayloadTooLarge as exc:
        raise RequestEntityTooLarge(
            _refusal(exc, _("The file is over the limit of %(limit)s bytes.", limit=exc.limit))
        ) from None
    if new or resend:
        try:
            engine.enqueue(config, current_app.extensions["translator.sessions"], job_id, new=new)
        except engine.BrokerUnavailable as exc:
            # the page's description: none (its title, "The desk is not available", says it)
            raise ServiceUnavailable(
                str(exc) if request.path.startswith("/api/") else "",
                retry_after=exc.retry_after,
            ) from None
    return job_id


def _refusal(exc: Exception, localised: str) -> str:
    """The API's message is English (with a stable code beside it); a page's is the reader's."""
    return str(exc) if request.path.startswith("/api/") else localised


def accepted(job_id: str) -> Response:
    """202 with the job's URL; a browser gets a page that follows it and then offers the file."""
    location = url_for("api.job", job_id=job_id)
    with session() as s:
        job = records.get(s, job_id)
        assert job is not None
        body = status_json(job)
    if not request.path.startswith("/api/") and request.accept_mimetypes.accept_html:
        response = Response(render_template("job.html", status_url=location), mimetype="text/html")
    else:
        response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = location
    response.headers["Retry-After"] = "1"
    return response


def status_json(job: Job) -> dict[str, Any]:
    """A job as the API and the progress page read it."""
    status = records.status(job)
    return {
        "id": status.id,
        "kind": status.kind,
        "state": status.state,
        "progress": {"done": status.done, "total": status.total},
        "message": status.message,
        # the message in the asker's interface language (the progress page shows it)
        "said": say(status.said) if status.said is not None else status.message,
        "result": url_for("api.job_file", job_id=job.id) if status.has_file else None,
    }


def file_response(found: EditionFile) -> Response:
    """A stored file as a download, with its key as ETag: its inputs' hash never changes."""
    if request.if_none_match.contains(found.key):
        response = Response(status=304)
    else:
        response = Response(found.data, mimetype=found.mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    response.set_etag(found.key)
    return response
