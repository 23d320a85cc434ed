"""What a client sends, read strictly: the bearer token, the body (size, JSON, fields) and the
query parameters. Anything the description does not allow is refused with a clear error."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from flask import current_app, g, request
from sqlalchemy.orm import Session

from translator import languages
from translator.api import bp
from translator.api.errors import ApiError, bad_request, invalid, not_found
from translator.models import User
from translator.services import policy
from translator.services import tokens as token_service
from translator.web import session

JSON_LIMIT = 1024 * 1024
PO_UPLOAD = "api.upload_file"


@bp.before_request
def _limit_body() -> None:
    """A body over the route's limit is refused before it is read (and before the token is looked
    up): PO uploads up to the import limit, JSON bodies up to 1 MiB."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    config = current_app.config
    limit = config["MAX_IMPORT_BYTES"] if request.endpoint == PO_UPLOAD else JSON_LIMIT
    limit = min(limit, config.get("MAX_CONTENT_LENGTH") or limit)
    request.max_content_length = limit  # also stops a body sent without a length
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(
            413, "request-entity-too-large", f"the body is over the limit of {limit} bytes"
        )


def requires(scope: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view that needs a valid bearer token (with `scope`, when the view names one; else the
    policy decides by the action's own scope); g.user, g.scopes are set."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            if not header.startswith("Bearer ") or not header[7:].strip():
                raise ApiError(401, "unauthorized", "send the token as Authorization: Bearer …")
            with session() as s:
                found = token_service.authenticate(s, header[7:].strip())
                if found is None:
                    raise ApiError(401, "unauthorized", "the token is not valid")
                g.user, g.scopes = found
                s.expunge(g.user)
            if scope is not None and scope not in g.scopes:
                raise ApiError(403, "forbidden", f"this token lacks the {scope!r} scope")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def actor() -> policy.Actor:
    """The token as the policy sees it: its account and its scopes."""
    return policy.token(g.user, g.scopes)


def attached(s: Session) -> User:
    """The token's user, in this session."""
    user: User = s.merge(g.user, load=False)
    return user


def language(code: str) -> str:
    """A language the desk translates into, or 404."""
    if code not in languages.TARGET_LANGUAGES:
        raise not_found(
            f"no language {code!r}; the desk translates into "
            f"{', '.join(languages.TARGET_LANGUAGES)}"
        )
    return code


def query(name: str, allowed: Collection[str], default: str | None = None) -> str | None:
    """A query parameter given at most once, with one of the allowed values (else 400)."""
    values = request.args.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise bad_request(f"give {name} once, not {len(values)} times")
    if values[0] not in allowed:
        raise bad_request(f"{name} must be one of {', '.join(allowed)}, not {values[0]!r}")
    return values[0]


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object; with `optional`, no body at all reads as {}."""
    data = request.get_data(cache=True)
    if optional and not data:
        return {}
    if not request.is_json:
        raise ApiError(415, "unsupported-media-type", "send JSON (Content-Type: application/json)")
    try:
        body = json.loads(data or b"null")
    except (ValueError, UnicodeDecodeError):
        raise bad_request("the body is not valid JSON") from None
    except RecursionError:
        raise bad_request("the body's JSON is nested too deeply") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def known_fields(body: dict[str, Any], fields: Collection[str]) -> None:
    """422 naming the properties the description does not allow."""
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise invalid(f"unknown properties: {', '.join(unknown)}", unknown)


def string(body: dict[str, Any], name: str) -> str | None:
    """A property that is a string when given (null is not a string)."""
    if name in body and not isinstance(body[name], str):
        raise invalid(f"{name} must be a string")
    return body.get(name)


def strings(body: dict[str, Any], name: str) -> list[str] | None:
    """A property that is a list of strings when given."""
    value = body.get(name)
    if name in body and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise invalid(f"{name} must be a list of texts")
    return value


def integers(body: dict[str, Any], name: str) -> list[int] | None:
    """A property that is a list of integers when given (true and false are not integers)."""
    value = body.get(name)
    if name in body and not (
        isinstance(value, list) and all(type(v) is int for v in value)  # noqa: E721
    ):
        raise invalid(f'send {{"{name}"?: [integer, ...]}}')
    return value
