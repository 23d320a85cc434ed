"""Headers every response carries (nothing from another origin, no referrer, no framing), and the
one check of a redirect target taken from a request."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from flask import Flask, Response

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
    return response


# C0 controls, DEL and every kind of space: browsers drop tabs and newlines anywhere in a URL and
# trim the rest, so "/\t/example.org" arrives as "//example.org", another site.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f\s]")


def safe_path(target: str | None, fallback: str) -> str:
    """`target` when it is a path on this site (no scheme, no host, no backslash, however
    encoded), else `fallback`: a `next=` can never send someone to another site."""
    cleaned = _INVISIBLE.sub("", target or "")
    for form in (cleaned, unquote(cleaned), unquote(unquote(cleaned))):
        if not _local(_INVISIBLE.sub("", form)):
            return fallback
    return cleaned


def _local(path: str) -> bool:
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc
