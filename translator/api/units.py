"""A translator's work over the API: an edition's units, saving a translation (a text, or a plural
unit's forms) from the version it was made from, the memory, live checks and approval in bulk."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from translator import plurals
from translator.api import bp
from translator.api.errors import ApiError, invalid, refusals
from translator.api.parsing import (
    actor,
    integers,
    json_body,
    known_fields,
    language,
    query,
    requires,
    string,
    strings,
)
from translator.checks import Failure
from translator.messages import Message
from translator.models import CheckFailure, State, Translation, Unit
from translator.services import documents, editing, policy, review
from translator.services.policy import Action
from translator.web import session
from translator.web.declared import performs

STATES = {state.label: state for state in State}
SAVED_STATES = ("needs-editing", "translated", "approved")
SAVE_FIELDS = ("text", "forms", "version", "state")
CHECK_FIELDS = ("text", "forms")
APPROVE_FIELDS = ("units",)
SAVE_SHAPE = (
    'send {"text": string (or "forms": [string, ...] for a plural unit), '
    '"version": integer from 0, "state"?: needs-editing | translated | approved}'
)


@bp.get("/documents/<slug>/languages/<code>/units")
@requires("read")
@performs(Action.READ_UNREVIEWED)
def list_units(slug: str, code: str) -> Response:
    wanted = query("state", STATES)
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        lang = language(code)
        state = STATES[wanted] if wanted else None
        found = editing.readable_rows(s, actor(), document.id, lang, state)
        return jsonify([_unit_json(*row) for row in found])


def _unit_json(
    unit: Unit, translation: Translation, failures: list[CheckFailure]
) -> dict[str, Any]:
    return {
        "id": unit.id,
        "source": unit.source,
        "source_plural": unit.source_plural,
        **_texts(unit, translation),
        "state": State(translation.state).label,
        "version": translation.version,
        "location": unit.locations.split(" ")[0],
        "checks": [check_json(f.check, f.severity, f.said) for f in failures],
    }


def _texts(unit: Unit, translation: Translation) -> dict[str, Any]:
    """A translation's text and, for a plural unit, its forms (msgstr[0], msgstr[1], ...)."""
    forms = plurals.forms_of(translation.text, translation.language) if unit.plural else None
    return {"text": translation.text, "forms": forms}


def _checks_json(failures: list[Failure]) -> list[dict[str, Any]]:
    return [check_json(f.check, f.severity.value, f.said) for f in failures]


def check_json(check: str, severity: str, said: Message) -> dict[str, Any]:
    """One failing check as the API gives it: the check, its severity, what it said as a stable
    code and its values, and that in English."""
    return {"check": check, "severity": severity, **said.as_json()}


@bp.put("/units/<int:unit_id>/translations/<code>")
@requires()  # the policy: translate, approve (review) or change approved text (review)
@performs(Action.TRANSLATE, Action.APPROVE, Action.CHANGE_APPROVED)
def save_translation(unit_id: int, code: str) -> Response:
    body = json_body()
    known_fields(body, SAVE_FIELDS)
    text, forms, version = _text(body), _forms(body), _version(body)
    if (forms is None) == (text is None):  # one of them: a text, or a plural unit's forms
        raise invalid(SAVE_SHAPE)
    state = body.get("state")
    if state is not None and state not in SAVED_STATES:
        raise invalid("state must be needs-editing, translated or approved")
    with refusals(), session() as s:
        result = editing.save_sent(
            s,
            actor(),
            unit_id,
            code,
            text=text,
            forms=forms,
            version=version,
            state=STATES[state] if state else None,
        )
        translation = result.translation
        current = {
            **_texts(translation.unit, translation),
            "version": translation.version,
            "state": State(translation.state).label,
        }
        if result.conflict:
            raise ApiError(
                409,
                "conflict",
                "someone saved this unit since your version; nothing was overwritten",
                current,
            )
        return jsonify({**current, "checks": _checks_json(result.failures)})


def _text(body: dict[str, Any]) -> str | None:
    try:
        return string(body, "text")
    except ApiError:
        raise invalid(SAVE_SHAPE) from None


def _forms(body: dict[str, Any]) -> list[str] | None:
    try:
        return strings(body, "forms")
    except ApiError:
        raise invalid(SAVE_SHAPE) from None


def _version(body: dict[str, Any]) -> int:
    version = body.get("version")
    if type(version) is not int or not 0 <= version <= editing.MAX_ID:  # a bool is no version
        raise invalid(SAVE_SHAPE)
    return version


@bp.get("/units/<int:unit_id>/memory/<code>")
@requires("read")
@performs(Action.READ_UNREVIEWED)
def unit_memory(unit_id: int, code: str) -> Response:
    """What the editor's translation memory shows for a unit: never the unit's own text."""
    with refusals(), session() as s:
        lang = language(code)
        policy.require(s, actor(), policy.Action.READ_UNREVIEWED, language=lang)
        found = review.memory_of_unit(s, unit_id, lang)
        return jsonify(
            [
                {
                    "source": m.source,
                    "translation": m.translation,
                    "similarity": m.similarity,
                    "document": m.document,
                    "unit": m.unit_id,
                }
                for m in found
            ]
        )


@bp.post("/units/<int:unit_id>/check/<code>")
@requires("read")
@performs(Action.CHECK_TEXT)
def check_text(unit_id: int, code: str) -> Response:
    """The failures a text would have if saved: what the editor shows while typing."""
    body = json_body()
    known_fields(body, CHECK_FIELDS)
    text, forms = string(body, "text"), strings(body, "forms")
    if forms is None and text is None:
        raise invalid('send {"text": string} (or "forms": [string, ...])')
    with refusals(), session() as s:
        found = editing.check_sent(s, actor(), unit_id, language(code), text=text, forms=forms)
    return jsonify({"checks": _checks_json(found)})


@bp.post("/documents/<slug>/languages/<code>/approve")
@requires()  # the policy: bulk approval takes the review scope
@performs(Action.BULK_APPROVE)
def approve_edition(slug: str, code: str) -> Response:
    """Approve every clean translated unit of an edition (or of the units listed)."""
    body = json_body(optional=True)
    known_fields(body, APPROVE_FIELDS)
    units = integers(body, "units")
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        done = review.approve_all(s, actor(), document.id, language(code), unit_ids=units)
    return jsonify(
        {
            "approved": done.approved,
            "skipped": [
                {"unit": k.unit_id, "reason": k.reason, "message": k.message} for k in done.skipped
            ],
        }
    )
