"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json, tested by schemathesis."""

from __future__ import annotations

from typing import Any

from translator.languages import TARGET_LANGUAGES

STATES = ["untranslated", "needs-editing", "translated", "approved"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_json(_ref("Error"))}


ERRORS = {
    "400": _error("Malformed request"),
    "401": _error("No token, or a token that is not valid"),
    "403": _error("The token's scope or the user's role does not allow this"),
    "404": _error("No such document, language or unit"),
}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
LANG = {
    "name": "lang",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(TARGET_LANGUAGES)},
}
ETAG = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}}
FILE_FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["po", "mo", "json"], "default": "po"},
}
UNIT_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "format": "int32"},
}
NOT_MODIFIED = {"304": {"description": "Not modified since the ETag given"}}


def _get(
    summary: str,
    ok: dict[str, Any],
    parameters: list[Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {"200": ok, **ERRORS, **(extra or {})},
        }
    }


def _edition(name: str, media_type: str) -> dict[str, Any]:
    content = {"type": "string", **({"format": "binary"} if media_type.endswith("pdf") else {})}
    draft = {
        "name": "draft",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["0", "1"]},
    }
    any_language = {**LANG, "schema": {"type": "string", "enum": ["en", *TARGET_LANGUAGES]}}
    return _get(
        f"The published edition as {name} (?draft=1: a draft, for editors)",
        {"description": name, "content": {media_type: {"schema": content}}},
        [SLUG, any_language, draft, ETAG],
        {
            **NOT_MODIFIED,
            "202": ACCEPTED,
            "409": _error("Not publishable yet; details: the blockers"),
        },
    )


JOB_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
ACCEPTED = {
    "description": "Not built yet: a job builds it; follow the Location (the job) until done, "
    "then download its result",
    "headers": {"Location": {"schema": {"type": "string"}, "description": "/api/v1/jobs/{id}"}},
    **_json(_ref("Job")),
}
JOB_SCHEMA = {
    "type": "object",
    "required": ["id", "kind", "state", "progress", "message", "result"],
    "properties": {
        "id": {"type": "string"},
        "kind": {
            "type": "string",
            "enum": ["edition", "publication", "build", "import", "recheck"],
        },
        "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "progress": {
            "type": "object",
            "required": ["done", "total"],
            "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}},
        },
        "message": {"type": "string"},
        "result": {"type": "string", "nullable": True, "description": "the file's URL, when done"},
    },
}
BUILD_REQUEST = {
    "type": "object",
    "properties": {
        "languages": {
            "type": "array",
            "items": {"type": "string", "enum": ["en", *TARGET_LANGUAGES]},
        },
        "documents": {"type": "array", "items": {"type": "string"}},
        "formats": {"type": "array", "items": {"type": "string", "enum": ["html", "pdf"]}},
        "draft": {"type": "boolean", "description": "for editors"},
    },
}
JOB_PATHS: dict[str, Any] = {
    "/jobs/{id}": _get(
        "A job: its state, progress, message and, when done, its result's URL (the owner's "
        "token, or none for a job started without one)",
        {"description": "The job", **_json(_ref("Job"))},
        [JOB_ID],
    ),
    "/jobs/{id}/file": _get(
        "A finished job's file",
        {"description": "The file", "content": {"application/octet-stream": {"schema": {}}}},
        [JOB_ID, ETAG],
        {**NOT_MODIFIED, "409": _error("The job has not finished")},
    ),
    "/editions/builds": {
        "post": {
            "summary": "Build editions (publishable ones; all with draft) into one zip, as a job",
            "requestBody": {"required": True, **_json(BUILD_REQUEST)},
            "responses": {"202": ACCEPTED, **ERRORS},
        }
    },
}


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Translation desk API",
        "version": "1.0.0",
        "description": "Localised texts and editions of the International Emergency "
        "Campaign to Free Iran's Political Prisoners Now, for build scripts.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/languages": _get(
            "The languages the desk translates into",
            {"description": "Languages", **_json({"type": "array", "items": _ref("Language")})},
        ),
        "/documents": _get(
            "The documents",
            {"description": "Documents", **_json({"type": "array", "items": _ref("Document")})},
        ),
        "/stats": _get(
            "Status of every edition",
            {
                "description": "One row per edition",
                **_json({"type": "array", "items": _ref("Stats")}),
            },
        ),
        "/documents/{slug}/languages/{lang}/stats": _get(
            "Status of one edition",
            {"description": "The edition's figures", **_json(_ref("Stats"))},
            [SLUG, LANG],
        ),
        "/documents/{slug}/languages/{lang}/file": {
            **_get(
                "A catalogue: PO, MO or JSON (source to translation; a plural unit's forms "
                "as a list)",
                {
                    "description": "The file",
                    "headers": {"ETag": {"schema": {"type": "string"}}},
                    "content": {
                        "text/x-gettext-translation": {"schema": {"type": "string"}},
                        "application/x-gettext-translation": {
                            "schema": {"type": "string", "format": "binary"}
                        },
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": {
                                    "oneOf": [
                                        {"type": "string"},
                                        {"type": "array", "items": {"type": "string"}},
                                    ]
                                },
                            }
                        },
                    },
                },
                [SLUG, LANG, FILE_FORMAT, ETAG],
                NOT_MODIFIED,
            ),
            "post": {
                "summary": "Upload a PO file (import modes as the command line's)",
                "parameters": [
                    SLUG,
                    LANG,
                    {
                        "name": "mode",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["untranslated-only", "suggest", "overwrite"],
                        },
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {"text/x-gettext-translation": {"schema": {"type": "string"}}},
                },
                "responses": {
                    "200": {"description": "What the import did", **_json(_ref("ImportReport"))},
                    **ERRORS,
                    "413": _error("The file is over the upload limit"),
                    "415": _error("Not a PO file's content type"),
                    "422": _error("The PO file is malformed (details: line)"),
                },
            },
        },
        "/files.zip": _get(
            "Every catalogue in one zip",
            {
                "description": "A zip",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            },
            [FILE_FORMAT, ETAG],
            NOT_MODIFIED,
        ),
        "/documents/{slug}/languages/{lang}/units": _get(
            "The units of an edition with their translations",
            {"description": "Units", **_json({"type": "array", "items": _ref("Unit")})},
            [
                SLUG,
                LANG,
                {
                    "name": "state",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": STATES},
                },
            ],
        ),
        "/units/{id}/translations/{lang}": {
            "put": {
                "summary": "Save a translation made from a version",
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "format": "int32"},
                    },
                    LANG,
                ],
                "requestBody": {"required": True, **_json(_ref("Save"))},
                "responses": {
                    "200": {"description": "Saved", **_json(_ref("Saved"))},
                    **ERRORS,
                    "409": _error(
                        "Someone saved since that version; details: the "
                        "current text, version and state"
                    ),
                    "413": _error("The body is over 1 MiB"),
                    "415": _error("Not JSON"),
                    "422": _error(
                        "Fields missing, unknown or of the wrong type, or a translation far "
                        "longer than its English (over 20 times, or 64 KiB)"
                    ),
                },
            }
        },
        "/units/{id}/memory/{lang}": _get(
            "What the translation memory offers a unit (never its own text), best first",
            {"description": "Suggestions", **_json({"type": "array", "items": _ref("Memory")})},
            [UNIT_ID, LANG],
        ),
        "/units/{id}/check/{lang}": {
            "post": {
                "summary": "Run the checks on a text before saving it (nothing is saved)",
                "parameters": [UNIT_ID, LANG],
                "requestBody": {"required": True, **_json(_ref("CheckText"))},
                "responses": {
                    "200": {"description": "The failures", **_json(_ref("Checked"))},
                    **ERRORS,
                    "415": _error("Not JSON"),
                    "422": _error("Fields missing or of the wrong type"),
                },
            }
        },
        "/documents/{slug}/languages/{lang}/approve": {
            "post": {
                "summary": "Approve every clean translated unit of an edition (or the units "
                "listed); the others are skipped, each with its reason",
                "parameters": [SLUG, LANG],
                "requestBody": {"required": False, **_json(_ref("Approve"))},
                "responses": {
                    "200": {
                        "description": "What was approved and skipped",
                        **_json(_ref("Approved")),
                    },
                    **ERRORS,
                    "415": _error("Not JSON"),
                    "422": _error("Fields of the wrong type"),
                },
            }
        },
        "/documents/{slug}/languages/{lang}/edition.html": _edition("HTML", "text/html"),
        "/documents/{slug}/languages/{lang}/edition.pdf": _edition("PDF", "application/pdf"),
        **JOB_PATHS,
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Job": JOB_SCHEMA,
            "Error": {
                "type": "object",
                "required": ["error", "message", "details"],
                "properties": {
                    "error": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {},
                },
            },
            "Language": {
                "type": "object",
                "required": ["code", "name", "direction"],
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "native_name": {"type": "string"},
                    "direction": {"type": "string", "enum": ["ltr", "rtl"]},
                    "plural_forms": {"type": "string"},
                },
            },
            "Document": {
                "type": "object",
                "required": ["slug", "kind", "title", "date"],
                "properties": {
                    "slug": {"type": "string"},
                    "kind": {
                        "type": "string",
                        "enum": ["appeal", "alert", "press-release", "faq", "palm-card", "strings"],
                    },
                    "title": {"type": "string"},
                    "date": {"type": "string", "format": "date", "nullable": True},
                    "priority": {"type": "string", "nullable": True},
                    "deadline": {"type": "string", "format": "date", "nullable": True},
                },
            },
            "Stats": {
                "type": "object",
                "required": [
                    "document",
                    "language",
                    "total",
                    "untranslated",
                    "needs_editing",
                    "translated",
                    "approved",
                    "words_total",
                    "words_translated",
                    "percent_translated",
                    "percent_approved",
                    "publishable",
                    "blockers",
                ],
                "properties": {
                    "document": {"type": "string"},
                    "language": {"type": "string"},
                    **{
                        key: {"type": "integer"}
                        for key in (
                            "total",
                            "untranslated",
                            "needs_editing",
                            "translated",
                            "approved",
                            "words_total",
                            "words_translated",
                        )
                    },
                    "percent_translated": {"type": "number"},
                    "percent_approved": {"type": "number"},
                    "publishable": {"type": "boolean"},
                    "blockers": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "description": "one reason, with either `check` (a failing "
                            "error-level check) or `state` (short of approved, "
                            "`source-changed` or `empty`)",
                            "required": ["unit", "location", "message"],
                            "properties": {
                                "unit": {
                                    "type": "integer",
                                    "nullable": True,
                                    "description": "null when the whole document is concerned",
                                },
                                "location": {"type": "string"},
                                "check": {"type": "string"},
                                "state": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            },
            "Check": {
                "type": "object",
                "required": ["check", "severity", "message"],
                "properties": {
                    "check": {"type": "string"},
                    "severity": {"type": "string", "enum": ["error", "warning"]},
                    "message": {"type": "string"},
                },
            },
            "Unit": {
                "type": "object",
                "required": [
                    "id",
                    "source",
                    "source_plural",
                    "text",
                    "forms",
                    "state",
                    "version",
                    "checks",
                ],
                "properties": {
                    "id": {"type": "integer"},
                    "source": {"type": "string"},
                    "source_plural": {
                        "type": ["string", "null"],
                        "description": "the English plural (msgid_plural); null if none",
                    },
                    "text": {
                        "type": "string",
                        "description": "the translation (plural forms joined by \\x1e\\x1e)",
                    },
                    "forms": {
                        "type": ["array", "null"],
                        "items": {"type": "string"},
                        "description": "a plural unit's forms, msgstr[0], msgstr[1], ... "
                        "(as many as the language has); null for an ordinary unit",
                    },
                    "state": {"type": "string", "enum": STATES},
                    "version": {"type": "integer"},
                    "location": {"type": "string"},
                    "checks": {"type": "array", "items": _ref("Check")},
                },
            },
            "Save": {
                "type": "object",
                "required": ["version"],
                "anyOf": [{"required": ["text"]}, {"required": ["forms"]}],
                "additionalProperties": False,
                "description": "text for an ordinary unit, forms for a plural unit (400 when "
                "their number is not the language's number of plural forms)",
                "properties": {
                    "text": {"type": "string"},
                    "forms": {"type": "array", "items": {"type": "string"}},
                    "version": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                    "state": {
                        "type": "string",
                        "enum": ["needs-editing", "translated", "approved"],
                    },
                },
            },
            "Saved": {
                "type": "object",
                "required": ["text", "forms", "version", "state", "checks"],
                "properties": {
                    "text": {"type": "string"},
                    "forms": {
                        "type": ["array", "null"],
                        "items": {"type": "string"},
                        "description": "a plural unit's forms, msgstr[0], msgstr[1], ... "
                        "(as many as the language has); null for an ordinary unit",
                    },
                    "version": {"type": "integer"},
                    "state": {"type": "string", "enum": STATES},
                    "checks": {"type": "array", "items": _ref("Check")},
                },
            },
            "Memory": {
                "type": "object",
                "required": ["source", "translation", "similarity", "document", "unit"],
                "properties": {
                    "source": {"type": "string"},
                    "translation": {"type": "string"},
                    "similarity": {"type": "integer", "minimum": 60, "maximum": 100},
                    "document": {"type": "string", "description": "the document's slug"},
                    "unit": {"type": "integer", "description": "the unit it comes from"},
                },
            },
            "CheckText": {
                "type": "object",
                "anyOf": [{"required": ["text"]}, {"required": ["forms"]}],
                "description": "text for an ordinary unit, forms for a plural unit",
                "properties": {
                    "text": {"type": "string"},
                    "forms": {"type": "array", "items": {"type": "string"}},
                },
            },
            "Checked": {
                "type": "object",
                "required": ["checks"],
                "properties": {"checks": {"type": "array", "items": _ref("Check")}},
            },
            "Approve": {
                "type": "object",
                "properties": {
                    "units": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "description": "only these units of the edition (default: all)",
                    }
                },
            },
            "Approved": {
                "type": "object",
                "required": ["approved", "skipped"],
                "properties": {
                    "approved": {"type": "array", "items": {"type": "integer"}},
                    "skipped": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["unit", "reason", "message"],
                            "properties": {
                                "unit": {"type": "integer"},
                                "reason": {
                                    "type": "string",
                                    "enum": [
                                        "untranslated",
                                        "needs-editing",
                                        "failing-checks",
                                        "two-person-rule",
                                        "conflict",
                                    ],
                                },
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            },
            "ImportReport": {
                "type": "object",
                "required": [
                    "mode",
                    "filled",
                    "overwritten",
                    "suggested",
                    "unchanged",
                    "conflicts",
                    "unknown",
                ],
                "properties": {
                    "mode": {"type": "string"},
                    "filled": {"type": "integer"},
                    "overwritten": {"type": "integer"},
                    "suggested": {"type": "integer"},
                    "unchanged": {"type": "integer"},
                    "conflicts": {"type": "array", "items": {"type": "object"}},
                    "unknown": {"type": "array", "items": {"type": "object"}},
                    "held": {
                        "type": "array",
                        "items": {"type": "object"},
                        "description": "approved translations only a reviewer of the language "
                        "changes: the file's text became a suggestion",
                    },
                },
            },
        },
    },
}
