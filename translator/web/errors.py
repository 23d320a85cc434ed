"""The browser's error pages: in the person's language, inside the desk's own page, keeping the
headers an error carries (Retry-After, Allow). The API answers its own JSON (api/errors.py)."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

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


def page(error: HTTPException) -> Response | HTTPException:
    """An error as a page of the desk; a redirect raised as an error (abort(redirect(...))) and
    everything under /api/ go their own way."""
    status = error.code or 500
    if request.path.startswith("/api/") or status < 400 or error.response is not None:
        return error
    title = TITLES.get(status, error.name)
    body = render_template("error.html", status=status, title=title, description=error.description)
    response = Response(body, status=status, mimetype="text/html")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
