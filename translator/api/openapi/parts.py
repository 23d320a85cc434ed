"""The pieces the API's description is assembled from: references, error answers, parameters."""

from __future__ import annotations

from typing import Any

from translator.languages import SOURCE_LANGUAGE, TARGET_LANGUAGES

STATES = ["untranslated", "needs-editing", "translated", "approved"]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return {"description": description, **json_content(ref("Error"))}


ERRORS = {
    "400": error("Malformed request (a query parameter repeated or of an unknown value)"),
    "401": error("No token, or a token that is not valid"),
    "403": error("The token's scope or the user's role does not allow this"),
    "404": error("No such document, language or unit"),
}
# what a JSON body can be refused for, besides its fields
JSON_BODY_ERRORS = {
    "413": error("The body is over 1 MiB"),
    "415": error("Not JSON"),
}


def query_enum(name: str, values: list[str], default: str | None = None) -> dict[str, Any]:
    """An optional query parameter taking one of `values`, given at most once."""
    schema: dict[str, Any] = {"type": "string", "enum": values}
    if default is not None:
        schema["default"] = default
    return {"name": name, "in": "query", "required": False, "schema": schema}


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
LANG = {
    "name": "lang",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(TARGET_LANGUAGES)},
}
ANY_LANGUAGE = {**LANG, "schema": {"type": "string", "enum": [SOURCE_LANGUAGE, *TARGET_LANGUAGES]}}
ETAG = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
FILE_FORMAT = query_enum("format", ["po", "mo", "json"], "po")
UNIT_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "format": "int32"},
}
JOB_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
NOT_MODIFIED = {"304": {"description": "Not modified since the ETag given"}}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
# what starting a job may answer: the asker's own unfinished jobs at their cap, the desk's queue
# full or its job broker unreachable (ask again after Retry-After)
BUSY = {
    "429": {**error("Too many unfinished jobs of yours"), "headers": RETRY_AFTER},
    "503": {
        **error("The desk is busy, or its store or job broker is unreachable"),
        "headers": RETRY_AFTER,
    },
}
ACCEPTED = {
    "description": "Not built yet: a job builds it; follow the Location (the job) until done, "
    "then download its result",
    "headers": {"Location": {"schema": {"type": "string"}, "description": "/api/v1/jobs/{id}"}},
    **json_content(ref("Job")),
}


def get(
    summary: str,
    ok: dict[str, Any],
    parameters: list[Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A GET operation answering `ok`, the common errors and `extra`."""
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": ok, **ERRORS, **(extra or {})},
        }
    }
