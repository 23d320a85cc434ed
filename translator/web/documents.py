"""The documents page: every document and its status in each language."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, render_template
from sqlalchemy import text

from translator import jobs, languages
from translator.formats import share
from translator.services import accounts, documents, publications, stats
from translator.web import session
from translator.web.declared import public
from translator.web.public_pages import FRONT_PAGE, kept

bp = Blueprint("documents", __name__)


@bp.get("/healthz")
@public
def health() -> tuple[str, int, dict[str, str]]:
    """For load balancers and benchmarks: the app answers (no database work)."""
    return "ok\n", 200, {"Content-Type": "text/plain"}


PROBE_SECONDS = 1.0  # each of readiness's probes answers within this, or counts as unreachable


@bp.get("/readyz")
@public
def ready() -> Response | tuple[str, int, dict[str, str]]:
    """For load balancers: 200 when the store answers (and the broker, when jobs go to one),
    else 503 naming what is unreachable. Each probe is bounded by PROBE_SECONDS."""
    config = current_app.config
    engine = current_app.extensions["translator.sessions"].kw["bind"]
    probes: dict[str, Callable[[], object]] = {"store": lambda: _select_one(engine)}
    if not jobs.embedded(config):  # JOBS_EAGER, or the embedded broker: only the store counts
        probes["broker"] = lambda: jobs.broker_answers(config, PROBE_SECONDS)
    answered = _probe(probes, PROBE_SECONDS)
    unreachable = [name for name in probes if not answered.get(name)]
    if not unreachable:
        return "ok\n", 200, {"Content-Type": "text/plain"}
    response = jsonify({"status": "unavailable", "unreachable": unreachable})
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    response.headers["Cache-Control"] = "no-store"
    return response


def _select_one(engine: Any) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _probe(probes: dict[str, Callable[[], object]], seconds: float) -> dict[str, bool]:
    """Run the probes at once, each in a thread of its own (a hung connection is left to its
    own timeout): which ones answered within `seconds`."""
    answered: dict[str, bool] = {}

    def attempt(name: str, probe: Callable[[], object]) -> None:
        try:
            probe()
        except Exception:
            return
        answered[name] = True

    threads = [
        threading.Thread(target=attempt, args=item, daemon=True, name=f"ready-{item[0]}")
        for item in probes.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:  # at most `seconds` in all: they run side by side
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(answered)


@bp.get("/")
@public
@kept(FRONT_PAGE)
def index() -> str:
    with session() as s:
        listed = documents.listing(s)
        rows = stats.status(s)
        published = publications.published_editions(s)
    by_document: dict[str, dict[str, stats.StatusRow]] = defaultdict(dict)
    for row in rows:
        by_document[row.document][row.language] = row
    previews = {
        lang.code for lang in languages.targets() if accounts.can_see_drafts(g.user, lang.code)
    }  # the public gets no preview or draft links: those are for people with a role
    return render_template(
        "documents.html",
        documents=listed,
        status=by_document,
        languages=languages.targets(),
        previews=previews,
        published=published,
        share_kinds=share.SHARED_KINDS,
    )
