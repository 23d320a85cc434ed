"""Thin Flask blueprints: each view parses the request, calls one service, renders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort, current_app
from sqlalchemy.orm import Session

from translator import db
from translator.services import editing


@contextmanager
def session() -> Iterator[Session]:
    """A transaction on the app's database for the length of a view."""
    with db.transaction(current_app.extensions["translator.sessions"]) as s:
        yield s


@contextmanager
def as_http() -> Iterator[None]:
    """The services' refusals as HTTP errors: 403, 404, 400."""
    try:
        yield
    except editing.Forbidden as exc:
        abort(403, description=str(exc))
    except editing.NotFound:
        abort(404)
    except editing.Invalid as exc:
        abort(400, description=str(exc))
