"""Schemathesis against the running API: every check, 50 examples per operation as a reviewer
and 10 as each other kind of client (a translator of another language, a read-only token, no
token), on SQLite; on PostgreSQL as the reviewer, the one client whose requests reach the store
(the others are refused before it). The description must say exactly what the server does:
zero findings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import BACKENDS
from translator import db
from translator.models import Role
from translator.services import accounts, tokens

# Examples per operation: 50 as a reviewer, who may do everything the API offers in Farsi; the
# other clients are refused most operations early, and a refusal's shape is the same whatever
# the body: fewer examples find the same (and keep `make test` within its minutes).
EXAMPLES = {"reviewer": 50, "translator": 10, "reader": 10, "anonymous": 10}
ROLES = tuple(EXAMPLES)
# (store, client): every client on SQLite, the reviewer on PostgreSQL too
RUNS = [("sqlite", role) for role in ROLES] + [
    (backend, "reviewer") for backend in BACKENDS if backend != "sqlite"
]

# positive_data_acceptance, where a schema cannot say all: which refusals are still right.
UNIT_DEPENDENT = {
    # Whether a unit takes a text or forms, and how many forms a language has, depend on the unit
    # in the path: a schema-valid save can be wrong for its unit (400). How much longer than its
    # English a translation may be (20 times, 422) depends on that English.
    "PUT /units/{id}/translations/{lang}": ["400", "422"],
    # A string is all a schema can say of a PO file; the reader refuses malformed ones (422).
    "POST /documents/{slug}/languages/{lang}/file": ["422"],
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def keys(app) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "sahar", Role.REVIEWER, "fa")
        accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
        return {
            "reviewer": tokens.create(s, "sahar", ["read", "translate", "review"]),
            "translator": tokens.create(s, "jonas", ["read", "translate", "review"]),
            "reader": tokens.create(s, "sahar", ["read"]),
            "anonymous": None,
        }


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app over real HTTP (schemathesis' in-process WSGI transport cannot take the
    engine's request options). Jobs go to the embedded default's queue (a SQLite file in the
    instance folder) as in `translator serve`, not run inside the request: a batch of every PDF
    per example would take minutes, and what the API promises is the 202 and the job."""
    app.config["JOBS_EAGER"] = False
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def findings(base_url: str, token: str | None, examples: int) -> list[str]:
    """Run schemathesis' engine (examples, coverage and fuzzing phases, every check) and list
    each distinct failure as operation, check, title and a request that shows it; an operation
    the engine did not test is a finding too."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import Status, events

    config = SchemathesisConfig.from_dict(
        {
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            "generation": {"max-examples": examples, "mode": "all", "database": "none"},
            "checks": {"enabled": True},
            # the description declares no links between operations: nothing to chain
            "phases": {"stateful": {"enabled": False}},
            "request-timeout": 60,  # a zip of every catalogue, on a busy machine
            "suppress-health-check": ["all"],
            "operations": [
                {
                    "include-name": name,
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, *extra]}
                    },
                }
                for name, extra in UNIT_DEPENDENT.items()
            ],
        }
    )
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    found: dict[tuple[str, str, str], str] = {}
    tested: dict[str, int] = {}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, (events.NonFatalError, events.FatalError)):
            found[("engine", "error", type(event).__name__)] = str(event.info.__dict__)
        if not isinstance(event, events.ScenarioFinished):
            continue
        label = event.recorder.label
        tested[label] = tested.get(label, 0) + len(event.recorder.cases)
        for nodes in event.recorder.checks.values():
            for node in nodes:
                if node.status == Status.FAILURE and node.failure_info is not None:
                    failure = node.failure_info.failure
                    key = (label, node.name, failure.title)
                    found.setdefault(key, f"{failure.message}\n{node.failure_info.code_sample}")
    for operation in schema.get_all_operations():
        label = operation.ok().label
        if not tested.get(label):
            found[(label, "untested", "no case was run")] = ""
    return [f"{' · '.join(key)}\n{detail}" for key, detail in sorted(found.items())]


@pytest.mark.slow
@pytest.mark.timeout(900)  # 35-80 s each on an idle machine; three times that when it is busy
@pytest.mark.parametrize(("database_url", "role"), RUNS, indirect=["database_url"])
def test_schemathesis_finds_nothing(server: str, keys: dict[str, str | None], role: str) -> None:
    found = findings(server, keys[role], EXAMPLES[role])
    assert not found, f"as {role}:\n" + "\n\n".join(found)
