"""The API's errors: one JSON shape, {"error", "message", "details"}, and the services' refusals
translated into it at one place."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from translator.api import bp
from translator.services import (
    DeskError,
    downloads,
    editing,
    gate,
    policy,
)

BLOCKERS_SHOWN = 20


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return json_error(error.status, error.code, error.message, error.details)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """A Werkzeug error as JSON, keeping its headers (a 405's Allow)."""
    code = (error.name or "error").lower().replace(" ", "-")
    response = json_error(error.code or 500, code, error.description or error.name or "error")
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def json_error(status: int, code: str, message: str, details: Any = None) -> Response:
    response = jsonify({"error": code, "message": message, "details": details})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="translation desk"'
    return response


def not_found(message: str) -> ApiError:
    return ApiError(404, "not-found", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad-request", message)


def invalid(message: str, details: Any = None) -> ApiError:
    """422: well-formed JSON whose fields are missing, unknown or of the wrong type."""
    return ApiError(422, "invalid-content", message, details)


@contextmanager
def refusals() -> Iterator[None]:
    """Run services, their refusals turned into JSON errors with the context they carry."""
    try:
        yield
    except (editing.NotFound, gate.NoEdition) as exc:
        raise not_found(str(exc)) from None
    except policy.Refused as exc:  # why, as data: the reason's stable code and the action
        details = {"code": exc.message.code, "action": exc.action.value, **exc.message.values}
        raise ApiError(403, "forbidden", str(exc), details) from None
    except editing.Forbidden as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    except editing.TooLong as exc:
        raise invalid(str(exc)) from None
    except (editing.Invalid, downloads.UnknownFormat) as exc:
        raise bad_request(str(exc)) from None
    except gate.NotPublishable as exc:
        shown = [blocker.as_json() for blocker in exc.blockers[:BLOCKERS_SHOWN]]
        raise ApiError(409, "not-publishable", str(exc), shown) from None
    except DeskError as exc:  # a file that cannot be imported: where, as data
        raise invalid(str(exc), {"line": exc.line}) from None
