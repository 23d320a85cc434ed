"""The REST API for build scripts, under /api/v1: JSON, bearer tokens, the same services as the web.

Every error is JSON, {"error": code, "message": text, "details": ...}, with its status; bad input
never gets a 500. Each view parses the request, calls a service and serialises what it returns.
The modules, by topic:

- `errors`: the JSON errors, and service refusals turned into them;
- `parsing`: what a client sends (bodies, query parameters, the bearer token);
- `catalogues`: languages, documents, figures, and the PO/MO/JSON files (download and upload);
- `units`: a translator's work: units, saves, memory, live checks, approval in bulk;
- `editions`: HTML and PDF editions; `jobs`: heavy work's progress and batch builds;
- `publications`: publishing an edition, and its publications with the corrections due;
- `openapi`: the description at /api/v1/openapi.json.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    """Routing errors (no such path, method not allowed) under /api/ are JSON too: a blueprint's
    own handlers never see them."""
    from translator.api.errors import http_error
    from translator.web.errors import page

    def handler(error: HTTPException) -> Response | HTTPException:
        return http_error(error) if request.path.startswith("/api/") else page(error)

    app.register_error_handler(404, handler)
    app.register_error_handler(405, handler)


# the routes join the blueprint as their modules are imported
from translator.api import (  # noqa: E402
    catalogues,
    editions,
    errors,
    jobs,
    openapi,
    parsing,
    publications,
    units,
)

__all__ = [
    "bp",
    "catalogues",
    "editions",
    "errors",
    "init_app",
    "jobs",
    "openapi",
    "parsing",
    "publications",
    "units",
]
