"""The browser's error pages: in the person's language, inside the desk's own page, keeping the
headers an error carries (Retry-After, Allow). The API answers its own JSON (api/errors.py)."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from translator import db

log = logging.getLogger(__name__)
RETRY_STORE = 5  # seconds: a restarted database answers again by then, a lock is released

TITLES = {
    400: _l("The request could not be used"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not possible here"),
    409: _l("Not possible now"),
    413: _l("Too large"),
    422: _l("Not kept"),
    429: _l("Too many requests"),
    503: _l("The desk is not available"),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, page)
    for kind in (OperationalError, InterfaceError, DBAPIError):
        app.register_error_handler(kind, store_unavailable)


def store_unavailable(error: DBAPIError) -> Response | HTTPException:
    """The store unreachable, starting, stopping, locked or out of disk: 503 with Retry-After
    (the API's JSON, or the desk's page), logged in one line; the request's transaction was
    rolled back. Any other database error is a bug: raised again, a 500 with its traceback."""
    if not db.unavailable(error):
        raise error
    cause = str(error.orig if error.orig is not None else error).strip().splitlines()
    log.warning(
        "the store is not available (%s %s): %s",
        request.method,
        request.path,
        cause[0] if cause else type(error).__name__,
    )
    if request.path.startswith("/api/"):
        from translator.api.errors import json_error

        response = json_error(
            503,
            "service-unavailable",
            f"the store is not available; ask again in {RETRY_STORE} seconds",
        )
        response.headers["Retry-After"] = str(RETRY_STORE)
        return response
    return page(ServiceUnavailable(description="", retry_after=RETRY_STORE))


def page(error: HTTPException) -> Response | HTTPException:
    """An error as a page of the desk; a redirect raised as an error (abort(redirect(...))) and
    everything under /api/ go their own way."""
    status = error.code or 500
    if request.path.startswith("/api/") or status < 400 or error.response is not None:
        return error
    title = TITLES.get(status, error.name)
    retry = dict(error.get_headers()).get("Retry-After", "")
    body = render_template(
        "error.html",
        status=status,
        title=title,
        description=error.description,
        retry=retry if retry.isdigit() else "5",
    )
    response = Response(body, status=status, mimetype="text/html")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
