"""The schemas of what /api/v1 takes and gives (components/schemas of its description)."""

from __future__ import annotations

from typing import Any

from translator.api.openapi.parts import STATES, ref
from translator.languages import TARGET_LANGUAGES

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
        "message": {"type": "string", "description": "in English"},
        "said": {
            "type": "string",
            "description": "the message in the asker's interface language (Accept-Language)",
        },
        "result": {"type": "string", "nullable": True, "description": "the file's URL, when done"},
    },
}
BUILD_REQUEST = {
    "type": "object",
    "additionalProperties": False,
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
LINE = {"type": "integer", "description": "the entry's line in the file"}
CONFLICT = {
    "type": "object",
    "required": ["line", "source", "current", "incoming"],
    "properties": {
        "line": LINE,
        "source": {"type": "string"},
        "current": {"type": "string", "description": "the desk's translation"},
        "incoming": {"type": "string", "description": "the file's translation"},
    },
}
IMPORT_REPORT = {
    "type": "object",
    "required": [
        "mode",
        "filled",
        "overwritten",
        "suggested",
        "unchanged",
        "conflicts",
        "unknown",
        "held",
        "plural_forms",
    ],
    "properties": {
        "mode": {"type": "string", "enum": ["untranslated-only", "suggest", "overwrite"]},
        "filled": {"type": "integer"},
        "overwritten": {"type": "integer"},
        "suggested": {"type": "integer"},
        "unchanged": {"type": "integer"},
        "conflicts": {
            "type": "array",
            "items": CONFLICT,
            "description": "the desk's translation and the file's differ: left alone",
        },
        "unknown": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["line", "source"],
                "properties": {"line": LINE, "source": {"type": "string"}},
            },
            "description": "entries of the file that are not units of the document",
        },
        "held": {
            "type": "array",
            "items": CONFLICT,
            "description": "approved translations only a reviewer of the language changes: "
            "the file's text became a suggestion",
        },
        "plural_forms": {
            "type": "array",
            "description": "plural entries of a file whose plural forms differ from the "
            "language's: forms filled from the closest one (marked needs-editing) and the "
            "file's forms no form of the language takes",
            "items": {
                "type": "object",
                "required": ["line", "source", "filled", "dropped", "note"],
                "properties": {
                    "line": LINE,
                    "source": {"type": "string"},
                    "filled": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "CLDR categories (one, few, many, ...) given the "
                        "closest form's text",
                    },
                    "dropped": {
                        "type": "array",
                        "items": {"type": "integer"},
                        "description": "the file's msgstr[n] that no form takes",
                    },
                    "note": {"type": "string", "description": "the same, in words"},
                },
            },
        },
    },
}

# An edition's status, as stats.StatusRow.as_json gives it
STATS_PROPERTIES: dict[str, object] = {
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
            "required": ["unit", "location", "code", "values", "message"],
            "properties": {
                "unit": {
                    "type": "integer",
                    "nullable": True,
                    "description": "null when the whole document is concerned",
                },
                "location": {"type": "string"},
                "check": {"type": "string"},
                "state": {"type": "string"},
                "code": {
                    "type": "string",
                    "description": "the kind of blocker, stable: `blocker.untranslated`, "
                    "`blocker.needs-editing`, `blocker.translated`, "
                    "`blocker.source-changed`, `blocker.file-changed`, `blocker.empty`, "
                    "`blocker.failing-check` (its value `problem`: the check's own code, "
                    "values and message)",
                },
                "values": {"type": "object"},
                "message": {"type": "string", "description": "in English, location first"},
            },
        },
    },
}

# A text a person sends: what no page, PDF or catalogue can hold (C0 controls but tab and
# newline, noncharacters, lone surrogates) is refused with 422, as one over the size limit.
TEXT: dict[str, Any] = {
    "type": "string",
    "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f"
    "\\ufdd0-\\ufdef\\ufffe\\uffff]*$",
}

SCHEMAS: dict[str, Any] = {
    "Job": JOB_SCHEMA,
    "BuildRequest": BUILD_REQUEST,
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
        "required": list(STATS_PROPERTIES),  # every property, each named once
        "properties": STATS_PROPERTIES,
    },
    "Check": {
        "type": "object",
        "required": ["check", "severity", "code", "values", "message"],
        "properties": {
            "check": {"type": "string"},
            "severity": {"type": "string", "enum": ["error", "warning"]},
            "code": {
                "type": "string",
                "description": "what the check found, stable: `figures.missing`, "
                "`glossary.name-misspelt`, ...",
            },
            "values": {
                "type": "object",
                "description": "the figures, names and counts of the message, by name (a "
                "message among them as {code, values, message})",
            },
            "message": {"type": "string", "description": "in English"},
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
                "type": "string",
                "nullable": True,
                "description": "the English plural (msgid_plural); null if none",
            },
            "text": {
                "type": "string",
                "description": "the translation (plural forms joined by \\x1e\\x1e)",
            },
            "forms": {
                "type": "array",
                "nullable": True,
                "items": {"type": "string"},
                "description": "a plural unit's forms, msgstr[0], msgstr[1], ... "
                "(as many as the language has); null for an ordinary unit",
            },
            "state": {"type": "string", "enum": STATES},
            "version": {"type": "integer"},
            "location": {"type": "string"},
            "checks": {"type": "array", "items": ref("Check")},
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
            "text": TEXT,
            "forms": {"type": "array", "items": TEXT},
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
                "type": "array",
                "nullable": True,
                "items": {"type": "string"},
                "description": "a plural unit's forms, msgstr[0], msgstr[1], ... "
                "(as many as the language has); null for an ordinary unit",
            },
            "version": {"type": "integer"},
            "state": {"type": "string", "enum": STATES},
            "checks": {"type": "array", "items": ref("Check")},
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
        "additionalProperties": False,
        "anyOf": [{"required": ["text"]}, {"required": ["forms"]}],
        "description": "text for an ordinary unit, forms for a plural unit",
        "properties": {"text": TEXT, "forms": {"type": "array", "items": TEXT}},
    },
    "Checked": {
        "type": "object",
        "required": ["checks"],
        "properties": {"checks": {"type": "array", "items": ref("Check")}},
    },
    "Approve": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "units": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "only these units of the edition (default: all)",
            }
        },
    },
    "Publication": {
        "type": "object",
        "required": [
            "document",
            "number",
            "language",
            "published_at",
            "url",
            "outdated",
            "changed",
            "correction",
        ],
        "properties": {
            "document": {"type": "string"},
            "number": {"type": "integer"},
            "language": {"type": "string"},
            "published_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
            "outdated": {"type": "boolean"},
            "changed": {"type": "array", "items": {"type": "integer"}},
            "correction": {
                "type": "object",
                "nullable": True,
                "description": "a publication made to correct an outdated one: which (`of`, "
                "`of_date`), when (`date`), the units whose English changed and their texts "
                "as corrected; null otherwise",
                "required": ["of", "of_date", "date", "changed", "passages"],
                "properties": {
                    "of": {"type": "integer"},
                    "of_date": {"type": "string", "format": "date"},
                    "date": {"type": "string", "format": "date"},
                    "changed": {"type": "array", "items": {"type": "integer"}},
                    "passages": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["unit", "text"],
                            "properties": {
                                "unit": {"type": "integer"},
                                "text": {"type": "string"},
                            },
                        },
                    },
                },
            },
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
    "ImportReport": IMPORT_REPORT,
}
