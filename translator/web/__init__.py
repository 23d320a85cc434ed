"""Thin Flask blueprints: each view parses the request, calls one service, renders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import abort, current_app
from sqlalchemy.orm import Session

from translator import db, languages
from translator.models import Document
from translator.services import editing
from translator.services.documents import by_slug


@contextmanager
def session() -> Iterator[Session]:
    """A transaction on the app's database for the length of a view."""
    with db.transaction(current_app.extensions["translator.sessions"]) as s:
        yield s


@contextmanager
def as_http() -> Iterator[None]:
    """The services' refusals as HTTP errors: 403, 404, 422 (too long), 400."""
    try:
        yield
    except editing.Forbidden as exc:
        abort(403, description=str(exc))
    except editing.NotFound:
        abort(404)
    except editing.TooLong as exc:
        abort(422, description=str(exc))
    except editing.Invalid as exc:
        abort(400, description=str(exc))


def target_language(code: str) -> languages.Language:
    """A language the desk translates into, or 404."""
    if code not in languages.TARGET_LANGUAGES:
        abort(404)
    return languages.get(code)


def document_or_404(s: Any, slug: str) -> Document:
    try:
        return by_slug(s, slug)
    except editing.NotFound:
        abort(404)
