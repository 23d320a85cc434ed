"""Thin Flask blueprints: each view parses the request, calls one service, renders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from translator import db


@contextmanager
def session() -> Iterator[Session]:
    """A transaction on the app's database for the length of a view."""
    with db.transaction(current_app.extensions["translator.sessions"]) as s:
        yield s
