"""Publishing an edition: the gate, the frozen snapshot, the two-person rule; urgent alerts.

A publication freezes what went out: the English version (the source file's SHA-256), each unit's
English and translation with its version, the edition's Markdown, who published and when. Later
edits never change it; publishing again makes a new numbered snapshot.

A publication is outdated when the English it went out with has changed since (`standing`): a
unit's English corrected by `translator extract`, a unit dropped or added. Its changed units are
the correction due; the translations of a changed English need editing, as always.

Publishing an edition whose latest publication is outdated makes a correction: the new snapshot
keeps which publication it corrects and the units changed (`Publication.correction`), and its
edition (HTML, PDF, share image) carries a dated note in its language saying so, with the
corrected passages as they read now (`correction_of`). The edition served as published carries
the note of its latest publication while that one is current (`current_correction`).

With the two-person rule switched on (a desk setting, changed by an admin), the person who approved
the edition's last change cannot publish it: a second editor has to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from translator import languages
from translator.formats import editions, markdown, share
from translator.messages import N_, message
from translator.models import (
    Change,
    Document,
    Publication,
    Setting,
    State,
    Unit,
    User,
    utcnow,
)
from translator.services import builds, editing, events, gate, policy
from translator.services.editing import Forbidden

TWO_PERSON_RULE = "two-person-rule"


def publish_edition(
    session: Session, who: policy.Actor | User, document: Document, language: str, root: Path
) -> Publication:
    """Freeze the edition as it is now, when it passes the gate and the publisher may."""
    if language not in languages.TARGET_LANGUAGES:
        raise editing.NotFound(f"no language {language!r}")
    actor = policy.actor_of(session, who)
    with policy.acting(
        session, actor, policy.Action.PUBLISH, language=language, document=document.slug
    ) as act:
        publication = _freeze(session, actor.user_id, document, language, root)
        act.details["number"] = publication.number
        events.edition_published(session, document, publication)
    return publication


def _freeze(
    session: Session, user_id: int | None, document: Document, language: str, root: Path
) -> Publication:
    """The snapshot, once the gate and the two-person rule let it be made."""
    if not gate.has_edition(document):
        raise gate.NotPublishable(
            [], f"{document.slug} holds interface strings: they have no edition to publish"
        )
    found = gate.blockers(session, document, language, root)
    if found:
        raise gate.NotPublishable(found)
    if two_person_rule(session):
        approver = last_approver(session, document, language)
        if approver is not None and approver == user_id:
            raise Forbidden(
                message(
                    N_(
                        "two-person rule: you approved the last change of this edition; "
                        "another editor publishes it"
                    ),
                    "two-person-rule",
                )
            )
    rows = editing.rows(session, document.id, language)
    previous = latest(session, document.id, language)
    source = builds.localised_source(session, root, document, language, draft=False)
    publication = Publication(
        document_id=document.id,
        language=language,
        number=previous.number + 1 if previous else 1,
        source_sha256=document.source_sha256,
        published_by=user_id,
        published_at=utcnow(),
        title=_title(source, document),
        markdown=source,
        units=[
            {"unit": u.id, "version": t.version, "source": u.source, "text": t.text}
            for u, t in rows
        ],
        correction=_corrects(session, previous),
    )
    session.add(publication)
    session.flush()
    return publication


def latest(session: Session, document_id: int, language: str) -> Publication | None:
    """An edition's latest publication, if it has been published."""
    return session.scalar(
        select(Publication)
        .where(Publication.document_id == document_id, Publication.language == language)
        .order_by(Publication.number.desc())
        .limit(1)
    )


def _corrects(session: Session, previous: Publication | None) -> dict[str, Any] | None:
    """What a new publication records of the one it corrects: only an outdated one is."""
    if previous is None:
        return None
    changed = standing(session, previous).changed
    if not changed:
        return None
    return {
        "of": previous.number,
        "of_date": previous.published_at.date().isoformat(),
        "changed": changed,
    }


def correction_of(publication: Publication) -> editions.Correction | None:
    """A publication's correction note: its date, the publication it corrects, and the texts
    of the changed units as this publication has them (a unit dropped since has none)."""
    recorded = publication.correction
    if not recorded:
        return None
    changed = {int(unit) for unit in recorded.get("changed", [])}
    return editions.Correction(
        date=publication.published_at.date(),
        of_number=int(recorded["of"]),
        of_date=dt.date.fromisoformat(str(recorded["of_date"])),
        passages=tuple(
            str(row["text"])
            for row in publication.units
            if int(row["unit"]) in changed and row.get("text")
        ),
    )


def correction_record(publication: Publication) -> dict[str, Any] | None:
    """A correction as the API and the command give it: the publication it corrects (`of`,
    `of_date`), its `date`, the units whose English changed (`changed`) and their texts as
    corrected (`passages`); None for a publication that corrects nothing."""
    note = correction_of(publication)
    if note is None or publication.correction is None:
        return None
    texts = {int(row["unit"]): str(row["text"]) for row in publication.units}
    changed = [int(unit) for unit in publication.correction.get("changed", [])]
    return {
        "of": note.of_number,
        "of_date": note.of_date.isoformat(),
        "date": note.date.isoformat(),
        "changed": changed,
        "passages": [{"unit": unit, "text": texts[unit]} for unit in changed if texts.get(unit)],
    }


def current_correction(
    session: Session, document_id: int, language: str
) -> editions.Correction | None:
    """The correction note an edition carries as published: its latest publication's, while
    that publication is current (none once the English has changed again)."""
    found = latest(session, document_id, language)
    if found is None or not found.correction or standing(session, found).outdated:
        return None
    return correction_of(found)


def _title(source: str, document: Document) -> str:
    return str(markdown.parse(source).meta.get("title", document.title))


def last_approver(session: Session, document: Document, language: str) -> int | None:
    """Who made the edition's latest approval."""
    return session.scalar(
        select(Change.user_id)
        .join(Unit, Unit.id == Change.unit_id)
        .where(
            Unit.document_id == document.id,
            Change.language == language,
            Change.new_state == State.APPROVED,
        )
        .order_by(Change.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Published:
    publication: Publication
    document: str
    publisher: str
    kind: str = ""  # the document's

    @property
    def has_share_image(self) -> bool:
        """Whether the snapshot is offered as a share image too (an alert, the palm card)."""
        return share.has_card(self.kind)


def publications(
    session: Session, document_id: int | None = None, language: str | None = None
) -> list[Published]:
    """Snapshots, newest first."""
    query = (
        select(Publication, Document.slug, User.username, Document.kind)
        .join(Document, Document.id == Publication.document_id)
        .outerjoin(User, User.id == Publication.published_by)
        .order_by(Publication.id.desc())
    )
    if document_id is not None:
        query = query.where(Publication.document_id == document_id)
    if language:
        query = query.where(Publication.language == language)
    return [Published(p, slug, who or "?", kind) for p, slug, who, kind in session.execute(query)]


def latest_of_every_edition(session: Session) -> list[Published]:
    """The latest publication of each edition that has gone out, by document slug and language."""
    latest_ids = (
        select(func.max(Publication.id))
        .group_by(Publication.document_id, Publication.language)
        .scalar_subquery()
    )
    query = (
        select(Publication, Document.slug, User.username, Document.kind)
        .join(Document, Document.id == Publication.document_id)
        .outerjoin(User, User.id == Publication.published_by)
        .where(Publication.id.in_(latest_ids))
        .order_by(Document.slug, Publication.language)
    )
    return [Published(p, slug, who or "?", kind) for p, slug, who, kind in session.execute(query)]


def corrections_due(session: Session, document_id: int | None = None) -> set[tuple[int, str]]:
    """The editions (document id, language) whose latest publication is outdated: only those
    whose English file changed since are looked at closely."""
    latest = (
        select(func.max(Publication.id))
        .group_by(Publication.document_id, Publication.language)
        .scalar_subquery()
    )
    query = (
        select(Publication)
        .join(Document, Document.id == Publication.document_id)
        .where(Publication.id.in_(latest), Publication.source_sha256 != Document.source_sha256)
    )
    if document_id is not None:
        query = query.where(Publication.document_id == document_id)
    return {
        (p.document_id, p.language) for p in session.scalars(query) if standing(session, p).outdated
    }


def published_editions(session: Session) -> set[tuple[str, str]]:
    """The editions (slug, language) that have gone out at least once: the public links them."""
    found = session.execute(
        select(Document.slug, Publication.language)
        .join(Document, Document.id == Publication.document_id)
        .distinct()
    )
    return {(slug, language) for slug, language in found}


def get(session: Session, publication_id: int) -> Published:
    row = session.execute(
        select(Publication, Document.slug, User.username, Document.kind)
        .join(Document, Document.id == Publication.document_id)
        .outerjoin(User, User.id == Publication.published_by)
        .where(Publication.id == publication_id)
    ).first()
    if row is None:
        raise editing.NotFound(f"no publication {publication_id}")
    return Published(row[0], row[1], row[2] or "?", row[3])


def edition_of(session: Session, published: Published, paper: str = "a4") -> editions.Edition:
    """The snapshot as an edition, rendered from the Markdown frozen at publication."""
    document = session.get(Document, published.publication.document_id)
    assert document is not None  # publications cascade with their document
    frozen = published.publication
    return builds.edition_from_source(
        document,
        frozen.language,
        frozen.markdown,
        False,
        paper,
        correction=correction_of(frozen),
    )


@dataclass(frozen=True)
class Standing:
    """A publication against the English as it is now."""

    changed: list[int]  # units whose English changed or went away since, and units added since

    @property
    def outdated(self) -> bool:
        return bool(self.changed)


def standing(session: Session, publication: Publication) -> Standing:
    """Which of the publication's units the English has changed since it went out (none when
    the document's English file is the one it went out with)."""
    current_sha = session.scalar(
        select(Document.source_sha256).where(Document.id == publication.document_id)
    )
    if current_sha == publication.source_sha256:
        return Standing([])
    frozen = {int(row["unit"]): str(row["source"]) for row in publication.units}
    current = {
        unit: source
        for unit, source in session.execute(
            select(Unit.id, Unit.source).where(
                Unit.document_id == publication.document_id, Unit.obsolete.is_(False)
            )
        )
    }
    changed = {unit for unit, source in frozen.items() if current.get(unit) != source}
    changed |= set(current) - set(frozen)
    return Standing(sorted(changed))


def two_person_rule(session: Session) -> bool:
    setting = session.get(Setting, TWO_PERSON_RULE)
    return setting is not None and setting.value == "on"


def set_two_person_rule(session: Session, who: policy.Actor | User, on: bool) -> None:
    actor = policy.actor_of(session, who)
    policy.require(session, actor, policy.Action.CHANGE_SETTINGS, setting=TWO_PERSON_RULE, on=on)
    setting = session.get(Setting, TWO_PERSON_RULE)
    if setting is None:
        session.add(Setting(key=TWO_PERSON_RULE, value="on" if on else "off"))
    else:
        setting.value = "on" if on else "off"


def mark_urgent(
    session: Session,
    who: policy.Actor | User,
    document: Document,
    deadline: dt.date | None,
    urgent: bool,
) -> None:
    """An editor marks a document urgent with a deadline, or takes the mark away; from then on
    the editor's decision stands over the front matter's `priority` and `deadline`."""
    if urgent and deadline is None:
        raise editing.Invalid(
            message(N_("an urgent document needs a deadline"), "urgency.no-deadline")
        )
    actor = policy.actor_of(session, who)
    policy.require(
        session,
        actor,
        policy.Action.SET_URGENCY,
        document=document.slug,
        urgent=urgent,
        deadline=deadline.isoformat() if deadline else None,
    )
    document.priority = "urgent" if urgent else None
    document.deadline = deadline if urgent else None
    document.urgency_set_by = actor.user_id
