"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json and tested by
schemathesis (tests/test_api_conformance.py): `paths` holds the operations, `schemas` the
shapes of bodies, `parts` the pieces both are made of."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from translator.api import bp
from translator.api.openapi.paths import PATHS
from translator.api.openapi.schemas import SCHEMAS
from translator.web.declared import public

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
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS,
    },
}


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    return jsonify(SPEC)
