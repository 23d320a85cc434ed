"""Publications over the API: publish an edition (a token with the `publish` scope, its account an
editor; the gate and the two-person rule as in the browser), list an edition's publications with
whether each is outdated by a correction of the English since, and list the latest publication of
every edition (what a build script asks once to know which editions are outdated). A publication
that corrects an outdated one says so in `correction`."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, url_for

from translator import languages
from translator.api import bp
from translator.api.errors import ApiError, refusals
from translator.api.parsing import actor, language, requires
from translator.models import Publication
from translator.services import documents, publications
from translator.services.policy import Action
from translator.web import session
from translator.web.declared import performs, signed_in


@bp.post("/documents/<slug>/languages/<code>/publications")
@requires("publish")
@performs(Action.PUBLISH)
def publish(slug: str, code: str) -> tuple[Response, int, dict[str, str]]:
    """201 and the new publication; 409 with the blockers when the edition may not go out."""
    _target(code)
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        made = publications.publish_edition(s, actor(), document, code, current_app.config["ROOT"])
        said = publication_json(made, publications.standing(s, made), slug)
    return jsonify(said), 201, {"Location": said["url"]}


@bp.get("/documents/<slug>/languages/<code>/publications")
@requires("read")
@signed_in
def list_publications(slug: str, code: str) -> Response:
    """The edition's publications, newest first, each with `outdated` and `changed`."""
    _target(code)
    with refusals(), session() as s:
        document = documents.by_slug(s, slug)
        found = publications.publications(s, document.id, code)
        said = [
            publication_json(p.publication, publications.standing(s, p.publication), slug)
            for p in found
        ]
    return jsonify(said)


@bp.get("/publications")
@requires("read")
@signed_in
def latest_publications() -> Response:
    """The latest publication of every edition published, by document and language, each with
    `outdated` and `changed`."""
    with session() as s:
        found = publications.latest_of_every_edition(s)
        said = [
            publication_json(p.publication, publications.standing(s, p.publication), p.document)
            for p in found
        ]
    return jsonify(said)


def _target(code: str) -> None:
    if code == languages.SOURCE_LANGUAGE:
        raise ApiError(404, "not-found", "the English is the source: it is not published")
    language(code)


def publication_json(
    publication: Publication, standing: publications.Standing, slug: str
) -> dict[str, Any]:
    """One shape for a publication, wherever the API shows one: no publisher's name."""
    return {
        "document": slug,
        "number": publication.number,
        "language": publication.language,
        "published_at": publication.published_at.isoformat(timespec="seconds") + "Z",
        "url": url_for(
            "editions.download",
            slug=slug,
            code=publication.language,
            file_format="html",
            _external=True,
        ),
        "outdated": standing.outdated,
        "changed": standing.changed,
        "correction": publications.correction_record(publication),
    }
