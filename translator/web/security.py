"""Headers every response carries (nothing from another origin, no referrer, no framing), and the
one check of a redirect target taken from a request."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

from flask import Flask, Response, g, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def init_app(app: Flask) -> None:
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    if _private():
        response.headers["Cache-Control"] = "no-store"
    return response


def _private() -> bool:
    """A signed-in page: the request carries a session (signed in, or waiting for its second
    step), or asks for a page under PRIVATE_PATHS. The desk's own stylesheets, scripts and fonts
    are the same for everyone and stay cacheable."""
    if request.endpoint == "static":
        return False
    if g.get("user") is not None or g.get("pending"):
        return True
    return any(request.path == p or request.path.startswith(p + "/") for p in PRIVATE_PATHS)


# Signed-in pages are kept by no cache (a shared computer's browser, a proxy): every answer to a
# request carrying a signed-in (or half signed-in) session, and everything under these paths.
PRIVATE_PATHS = ("/translate", "/dashboard", "/admin", "/account", "/login/second-factor")

# What a redirect target may hold besides letters and digits: the rest (non-ASCII letters, quotes,
# angle brackets...) is percent-encoded, so a Location header holds printable ASCII only.
_KEPT = "/?&=%#:;@!$'()*+,~[]"
_ROUNDS = 4  # "%252F" is "/" encoded twice: a target still encoded after this many is refused


def safe_path(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback`: a `next=` (or any redirect taken
    from a request) can never send someone to another site, nor put a line break in a header.

    Refused: anything with a scheme or a host, a backslash, a control or invisible character
    (tab, newline, CR, NUL, DEL, C1 controls, zero-width and direction marks), a space of any
    kind, and the same hidden by percent-encoding, once or several times. Browsers drop tabs and
    newlines anywhere in a URL and trim spaces, so "/\t/example.org" would arrive as
    "//example.org", another site."""
    if not target or len(target) > 2000 or any(_invisible(c) or _blank(c) for c in target):
        return fallback
    form = target
    for _ in range(_ROUNDS):
        unspaced = "".join(c for c in form if not _blank(c))  # as a browser would trim them
        if any(_invisible(c) for c in form) or not _local(unspaced):
            return fallback
        decoded = unquote(form)
        if decoded == form:
            return quote(target, safe=_KEPT)
        form = decoded
    return fallback


def _invisible(char: str) -> bool:
    """Controls (C0, DEL, C1), format characters (zero-width, direction marks), surrogates,
    private use, and the line and paragraph separators."""
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def _blank(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Zs"


def _local(path: str) -> bool:
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc
