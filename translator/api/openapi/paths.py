"""The operations of /api/v1, by topic as the views are: catalogues, units, editions, jobs."""

from __future__ import annotations

from typing import Any

from translator.api.openapi.parts import (
    ACCEPTED,
    ANY_LANGUAGE,
    BUSY,
    ERRORS,
    ETAG,
    FILE_FORMAT,
    JOB_ID,
    JSON_BODY_ERRORS,
    LANG,
    NOT_MODIFIED,
    SLUG,
    STATES,
    UNIT_ID,
    error,
    get,
    json_content,
    query_enum,
    ref,
)

PO_TYPES = (
    "text/x-gettext-translation",
    "text/x-po",
    "application/x-gettext",
    "application/octet-stream",
    "text/plain",
)
CATALOGUE_JSON = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
}

CATALOGUES: dict[str, Any] = {
    "/languages": get(
        "The languages the desk translates into",
        {"description": "Languages", **json_content({"type": "array", "items": ref("Language")})},
    ),
    "/documents": get(
        "The documents",
        {"description": "Documents", **json_content({"type": "array", "items": ref("Document")})},
    ),
    "/stats": get(
        "Status of every edition",
        {
            "description": "One row per edition",
            **json_content({"type": "array", "items": ref("Stats")}),
        },
    ),
    "/state": get(
        "One name for everything this token may pull: the same while no file it may fetch has "
        "changed (ask with If-None-Match: 304)",
        {
            "description": "The campaign's state",
            "headers": {"ETag": {"schema": {"type": "string"}}},
            **json_content(
                {
                    "type": "object",
                    "required": ["state"],
                    "properties": {"state": {"type": "string"}},
                    "additionalProperties": False,
                }
            ),
        },
        [ETAG],
        NOT_MODIFIED,
    ),
    "/documents/{slug}/languages/{lang}/stats": get(
        "Status of one edition",
        {"description": "The edition's figures", **json_content(ref("Stats"))},
        [SLUG, LANG],
    ),
    "/documents/{slug}/languages/{lang}/file": {
        **get(
            "A catalogue: PO, MO or JSON (source to translation; a plural unit's forms as a list)",
            {
                "description": "The file",
                "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {
                    "text/x-gettext-translation": {"schema": {"type": "string"}},
                    "application/x-gettext-translation": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                    "application/json": {"schema": CATALOGUE_JSON},
                },
            },
            [SLUG, LANG, FILE_FORMAT, ETAG],
            NOT_MODIFIED,
        ),
        "post": {
            "summary": "Upload a PO file (import modes as the command line's); the whole file "
            "is read and checked first: a malformed file imports nothing",
            "parameters": [
                SLUG,
                LANG,
                query_enum("mode", ["untranslated-only", "suggest", "overwrite"]),
            ],
            "requestBody": {
                "required": True,
                "description": "a PO file (UTF-8 or the charset it declares)",
                "content": {media: {"schema": {"type": "string"}} for media in PO_TYPES},
            },
            "responses": {
                "200": {"description": "What the import did", **json_content(ref("ImportReport"))},
                "202": {**ACCEPTED, "description": "A large file: a job imports it"},
                **ERRORS,
                **BUSY,
                "413": error("The file is over the upload limit"),
                "415": error("Not a PO file's content type"),
                "422": error(
                    "The PO file cannot be imported (malformed, another language, or a "
                    "translation far longer than its English); details: line"
                ),
            },
        },
    },
    "/files.zip": get(
        "Every catalogue in one zip",
        {
            "description": "A zip",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        [FILE_FORMAT, ETAG],
        NOT_MODIFIED,
    ),
}

UNITS: dict[str, Any] = {
    "/documents/{slug}/languages/{lang}/units": get(
        "The units of an edition with their translations",
        {"description": "Units", **json_content({"type": "array", "items": ref("Unit")})},
        [SLUG, LANG, query_enum("state", STATES)],
    ),
    "/units/{id}/translations/{lang}": {
        "put": {
            "summary": "Save a translation made from a version",
            "parameters": [UNIT_ID, LANG],
            "requestBody": {"required": True, **json_content(ref("Save"))},
            "responses": {
                "200": {"description": "Saved", **json_content(ref("Saved"))},
                **ERRORS,
                "400": error(
                    "The body does not fit the unit: forms for an ordinary unit, a text for a "
                    "plural one, or another number of forms than the language has"
                ),
                "409": error(
                    "Someone saved since that version; details: the current text, version and state"
                ),
                **JSON_BODY_ERRORS,
                "422": error(
                    "Fields missing, unknown or of the wrong type, or a translation far "
                    "longer than its English (over 20 times, or 64 KiB), or holding characters "
                    "no page can hold (controls, noncharacters, lone surrogates)"
                ),
            },
        }
    },
    "/units/{id}/memory/{lang}": get(
        "What the translation memory offers a unit (never its own text), best first",
        {"description": "Suggestions", **json_content({"type": "array", "items": ref("Memory")})},
        [UNIT_ID, LANG],
    ),
    "/units/{id}/check/{lang}": {
        "post": {
            "summary": "Run the checks on a text before saving it (nothing is saved)",
            "parameters": [UNIT_ID, LANG],
            "requestBody": {"required": True, **json_content(ref("CheckText"))},
            "responses": {
                "200": {"description": "The failures", **json_content(ref("Checked"))},
                **ERRORS,
                **JSON_BODY_ERRORS,
                "422": error(
                    "Fields missing, unknown or of the wrong type, or a text no save would "
                    "take (over 20 times its English, over 64 KiB, or holding characters no "
                    "page can hold)"
                ),
            },
        }
    },
    "/documents/{slug}/languages/{lang}/approve": {
        "post": {
            "summary": "Approve every clean translated unit of an edition (or the units "
            "listed); the others are skipped, each with its reason",
            "parameters": [SLUG, LANG],
            "requestBody": {"required": False, **json_content(ref("Approve"))},
            "responses": {
                "200": {
                    "description": "What was approved and skipped",
                    **json_content(ref("Approved")),
                },
                **ERRORS,
                **JSON_BODY_ERRORS,
                "422": error("Fields unknown or of the wrong type"),
            },
        }
    },
    "/documents/{slug}/languages/{lang}/publications": {
        "post": {
            "summary": "Publish the edition as it is now (a token with the publish scope, its "
            "account an editor; the gate and the two-person rule apply)",
            "parameters": [SLUG, LANG],
            "responses": {
                "201": {"description": "The new publication", **json_content(ref("Publication"))},
                **ERRORS,
                "409": error("Not publishable yet; details: the blockers"),
            },
        },
        **get(
            "The edition's publications, newest first, each outdated when the English of its "
            "units has changed since (changed: those units)",
            {
                "description": "Publications",
                **json_content({"type": "array", "items": ref("Publication")}),
            },
            [SLUG, LANG],
        ),
    },
    "/publications": get(
        "The latest publication of every edition published, by document and language, each "
        "outdated when the English of its units has changed since (changed: those units)",
        {
            "description": "Publications",
            **json_content({"type": "array", "items": ref("Publication")}),
        },
    ),
}


def _edition(name: str, media_type: str, *, missing: str = "") -> dict[str, Any]:
    binary = media_type != "text/html"
    content = {"type": "string", **({"format": "binary"} if binary else {})}
    return get(
        f"The published edition as {name} (?draft=1: a draft, for people with a role in the "
        "language)",
        {"description": name, "content": {media_type: {"schema": content}}},
        [SLUG, ANY_LANGUAGE, query_enum("draft", ["0", "1"], "0"), ETAG],
        {
            **NOT_MODIFIED,
            "202": ACCEPTED,
            "409": error("Not publishable yet; details: the blockers"),
            **BUSY,
            **({"404": error(missing)} if missing else {}),
        },
    )


EDITIONS: dict[str, Any] = {
    "/documents/{slug}/languages/{lang}/edition.html": _edition("HTML", "text/html"),
    "/documents/{slug}/languages/{lang}/edition.pdf": _edition("PDF", "application/pdf"),
    "/documents/{slug}/languages/{lang}/edition.png": _edition(
        "a share image: a PNG of 1080 x 1350 pixels with the title, the first lines, the date "
        "and the campaign's name",
        "image/png",
        missing="No such document or language, or one that gets no share image (only alerts "
        "and the palm card do)",
    ),
}

# A job is seen by its owner's token, or by anyone when started without one: a token is optional.
OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{"bearer": []}, {}]
JOB_FILE_TYPES = ("text/html", "application/pdf", "image/png", "application/zip")

JOBS: dict[str, Any] = {
    "/jobs/{id}": {
        "get": {
            **get(
                "A job: its state, progress, message and, when done, its result's URL (the "
                "owner's token, or none for a job started without one)",
                {"description": "The job", **json_content(ref("Job"))},
                [JOB_ID],
            )["get"],
            "security": OPTIONAL_TOKEN,
        }
    },
    "/jobs/{id}/file": {
        "get": {
            **get(
                "A finished job's file: an edition (HTML, PDF or PNG) or a batch's zip",
                {
                    "description": "The file",
                    "content": {
                        media: {"schema": {"type": "string", "format": "binary"}}
                        for media in JOB_FILE_TYPES
                    },
                },
                [JOB_ID, ETAG],
                {**NOT_MODIFIED, "409": error("The job has not finished")},
            )["get"],
            "security": OPTIONAL_TOKEN,
        }
    },
    "/editions/builds": {
        "post": {
            "summary": "Build editions (publishable ones; all with draft) into one zip, as a job",
            "requestBody": {"required": True, **json_content(ref("BuildRequest"))},
            "responses": {"202": ACCEPTED, **ERRORS, **JSON_BODY_ERRORS, **BUSY},
        }
    },
}

PATHS: dict[str, Any] = {**CATALOGUES, **UNITS, **EDITIONS, **JOBS}
