"""The personal Atom feed (/feeds/<secret>.atom), in its owner's interface language, and the
account page that shows and renews its address."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from translator.formats import atom
from translator.messages import Message
from translator.models import User, utcnow
from translator.services import events, feeds, interface
from translator.web import session
from translator.web.auth import login_required
from translator.web.declared import public, signed_in
from translator.web.interface import say, voice

bp = Blueprint("feeds", __name__)
MAX_AGE = 300  # a feed reader polls; an answer may be kept privately this long


@bp.get("/feeds/<secret>.atom")
@public
def feed(secret: str) -> Any:
    """The events that concern the feed's owner; an unknown and a revoked secret: one 404."""
    with session() as s:
        user = feeds.reader(s, secret)
        if user is None:
            abort(404)
        root = Path(current_app.config["ROOT"])
        with force_locale(_reader_language(user)):
            body = _atom(user, events.for_reader(s, user, root=root))
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    response.set_etag(hashlib.sha256(body).hexdigest())
    return response.make_conditional(request)


@bp.route("/account/feed", methods=["GET", "POST"])
@login_required()
@signed_in
def account() -> Any:
    """The feed's address: shown once when made; "New feed address" revokes the old one."""
    with session() as s:
        user = s.merge(g.user, load=False)
        made = None
        if request.method == "POST":
            if request.form.get("action") == "revoke":
                feeds.revoke(s, user)
            else:
                made = url_for("feeds.feed", secret=feeds.renew(s, user), _external=True)
        return render_template("account_feed.html", made=made, has_feed=feeds.has_feed(s, user))


def _reader_language(user: User) -> str:
    chosen = user.interface_language
    if interface.known(chosen):
        return chosen
    return interface.best_match(request.accept_languages) or "en"


def _atom(user: User, notices: list[events.Notice]) -> bytes:
    meta = atom.FeedMeta(
        id=_urn(f"feed/{user.id}"),
        title=_("Translation desk: what concerns you"),
        self_url=request.base_url,
        updated=max((n.at for n in notices), default=user.created_at or utcnow()),
        language=_reader_language(user),
        link=url_for("workspace.home", _external=True),
        author=_("Translation desk"),
    )
    entries = [
        atom.Entry(
            id=_urn(notice.key),
            title=say(_named(notice.title)),
            updated=notice.at,
            link=_link(notice),
            content=say(_named(notice.content)),
        )
        for notice in notices
    ]
    return atom.atom(meta, entries)


def _urn(key: str) -> str:
    """A stable id per event and desk (its host), the same at every read."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{request.host_url}{key}").urn


def _named(said: Message) -> Message:
    """The language's code given as its name in the reader's language ("fa" → "فارسی")."""
    return voice().language_named(said)


def _link(notice: events.Notice) -> str:
    language, slug = notice.language, notice.slug
    if notice.kind == events.EDITION_PUBLISHED and "publication" in notice.data:
        return url_for(
            "dashboard.snapshot", publication_id=int(notice.data["publication"]), _external=True
        )
    if notice.unit_id is not None and language:
        return url_for(
            "workspace.editor", code=language, slug=slug, unit_id=notice.unit_id, _external=True
        )
    if language:
        return url_for("dashboard.edition", slug=slug, code=language, _external=True)
    return url_for("dashboard.document", slug=slug, _external=True)
