"""Public pages answered from kept bytes, with HTTP caching done right.

A view marked `@kept(kind)` is answered, for a visitor who is not signed in, from the bytes made
the last time, as long as the versions they were made from (services/public.py) have not moved:
one small query, no template, no edition built, no check run. Every such answer carries a strong
ETag (the bytes' hash; `If-None-Match` gets 304), `Cache-Control: public` with the kind's
`max-age` so that a proxy in front (deploy/nginx.conf) or a browser may keep it, and `Vary` where
the interface language changes the page. Signed-in people, and requests with a query (a draft),
get the view as before: `no-store` from web/security.py.

Each process keeps its own shelf, a bounded LRU; several processes each make a page once per
change.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Response, current_app, g, make_response, request
from sqlalchemy import Connection

from translator.services import public
from translator.web import interface

SHELF_SIZE = 512  # pages kept per process: every public page of 400 documents in 7 languages


@dataclass(frozen=True)
class Kind:
    """How one kind of public page is kept: its versions, the setting that says how long a cache
    may keep it (seconds), and whether the interface language changes it."""

    max_age: str
    version: Callable[[Connection, dict[str, Any]], str]
    by_language: bool = False

    def cache_control(self, config: dict[str, Any]) -> str:
        return f"public, max-age={int(config[self.max_age])}"


FRONT_PAGE = Kind("PUBLIC_MAX_AGE", lambda c, _: public.of_desk(c), by_language=True)
BADGE = Kind("PUBLIC_MAX_AGE", lambda c, _: public.of_desk(c))
EDITION = Kind(
    "EDITION_MAX_AGE",
    lambda c, args: public.of_edition(c, current_app.config["ROOT"], args["slug"], args["code"]),
)


@dataclass(frozen=True)
class Page:
    """A public answer as kept: the versions it was made from, its bytes and headers."""

    version: str
    body: bytes
    mimetype: str
    disposition: str | None
    etag: str  # the bytes' hash: strong, the same in every process that made the same bytes


class Shelf:
    """The pages of one process, the least recently asked for dropped first."""

    def __init__(self, size: int = SHELF_SIZE) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[Any, ...], Page] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[Any, ...], page: Page) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def shelf() -> Shelf:
    found: Shelf = current_app.extensions.setdefault("translator.public_pages", Shelf())
    return found


def kept(kind: Kind) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Answer the view from the shelf for visitors who are not signed in (see the module)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(**kwargs: Any) -> Any:
            if not _for_everyone():
                return view(**kwargs)
            language = interface.current() if kind.by_language else ""
            key = (request.endpoint, tuple(sorted(kwargs.items())), language)
            engine = current_app.extensions["translator.sessions"].kw["bind"]
            with engine.connect() as connection:  # one read: no transaction to begin or end
                version = kind.version(connection, kwargs)
            page = shelf().get(key)
            if page is None or page.version != version:
                made = make_response(view(**kwargs))
                if made.status_code != 200:
                    return made  # a job to follow, a 404, a 409: said as the view says it
                page = _page(made, version)
                shelf().put(key, page)
            return _answer(page, kind)

        return wrapper

    return decorate


def _for_everyone() -> bool:
    """A visitor's plain GET: nobody signed in (nor half-way), no query (a draft, a filter)."""
    return (
        request.method in ("GET", "HEAD")
        and g.get("user") is None
        and not g.get("pending")
        and not request.args
    )


def _page(made: Response, version: str) -> Page:
    made.direct_passthrough = False  # a file sent as a stream is read into the page once
    body = made.get_data()
    return Page(
        version=version,
        body=body,
        mimetype=made.headers.get("Content-Type", "application/octet-stream"),
        disposition=made.headers.get("Content-Disposition"),
        etag=hashlib.sha256(body).hexdigest()[:32],
    )


def _answer(page: Page, kind: Kind) -> Response:
    response = Response(page.body, headers={"Content-Type": page.mimetype})
    if page.disposition:
        response.headers["Content-Disposition"] = page.disposition
    response.set_etag(page.etag)
    response.headers["Cache-Control"] = kind.cache_control(current_app.config)
    if kind.by_language:
        response.vary.update(("Accept-Language", "Cookie"))
    response.make_conditional(request)  # 304, bodiless, when If-None-Match names the bytes
    return response
