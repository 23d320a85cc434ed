"""Thin Flask blueprints: each view parses the request, calls one service, renders."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import abort, current_app, g, redirect, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound

from translator import db, languages
from translator.models import Document
from translator.services import editing, policy
from translator.services.documents import by_slug


@contextmanager
def session() -> Iterator[Session]:
    """A transaction on the app's database for the length of a view."""
    with db.transaction(current_app.extensions["translator.sessions"]) as s:
        yield s


@contextmanager
def as_http() -> Iterator[None]:
    """The services' refusals as HTTP errors: 403, 404, 422 (too long), 400; an editor or admin
    without a second factor is sent to set it up, and brought back afterwards."""
    try:
        yield
    except policy.SecondFactorNeeded:
        abort(redirect(url_for("auth.enrol", next=come_back())))
    except policy.Refused as exc:
        from translator.web.interface import say

        abort(403, description=say(exc.message))
    except editing.Forbidden as exc:
        abort(403, description=_told(exc))
    except editing.NotFound:
        abort(404)
    except editing.TooLong as exc:
        abort(422, description=_told(exc))
    except editing.Invalid as exc:
        abort(400, description=_told(exc))


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


def actor(s: Session) -> policy.Actor:
    """The person signed in (or the visitor), as the policy sees them."""
    user = g.get("user")
    return policy.browser(s, s.merge(user, load=False) if user is not None else None)


def come_back() -> str:
    """A page to come back to after setting up the second factor: this address if it is a page
    (a form posted to its own page), else the nearest page above it (…/12/send-back → …/12),
    else the front page."""
    path = request.path
    adapter = current_app.url_map.bind("")
    while path:
        try:
            adapter.match(path, method="GET")
            return path
        except (NotFound, MethodNotAllowed):
            path = path.rsplit("/", 1)[0]
        except Exception:  # a redirect (a missing slash): the page exists
            return path
    return "/"


def _told(error: Exception) -> str:
    from translator.web.interface import told  # the interface module imports this one

    return told(error)
