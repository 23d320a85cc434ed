"""The campaign's state as one name, for a build script that pulls everything: it moves whenever
anything a pull may fetch could have changed, so a pull with nothing changed asks one question
(`GET /api/v1/state` with the name it kept) instead of one per file.

It is made of what the files' own ETags are made of, for the whole desk at once:
- every document's sign (services/dashboard_versions: its versions in `public_versions` and
  `dashboard_versions`, raised by the store's triggers at every change of a translation, a unit,
  the document, a publication, a check failure; the store's newest translation, for one
  inserted alone; its English file's time, size and inode);
- the desk's own versions (the glossary: the campaign's name on share images), the
  publications and the settings;
- who asks: the account's role, languages and standing, and the token's scopes (drafts and
  publishability are read by them);
- what the desk is made of (`made_of`: its code, templates, stylesheet and fonts, and its
  configuration), so that a desk upgraded gives new files a new name.
A document's sign is read as the dashboard reads it: a few aggregates and a stat per source file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from translator.models import Publication, Setting, Translation, User
from translator.services import dashboard_versions, public

PACKAGE = Path(__file__).resolve().parent.parent  # translator/
# configuration that says nothing about the files served (and a secret's hash is no one's business)
_NOT_OUTPUT = ("SECRET", "PASSWORD", "TOKEN", "DATABASE_URL", "BROKER", "SMTP")


def state(
    session: Session, root: Path | None, reader: User, scopes: Iterable[str], desk: str
) -> str:
    """The name of everything `reader` (with a token of `scopes`) may pull from the desk now;
    `desk` names what the desk is made of (`made_of`)."""
    signs = sorted(dashboard_versions.signs(session, root, None).items())
    changed = session.scalar(select(func.max(Translation.updated_at)))
    publications = session.execute(
        select(func.count(), func.coalesce(func.max(Publication.id), 0))
    ).one()
    settings = sorted(tuple(row) for row in session.execute(select(Setting.key, Setting.value)))
    who = (reader.id, reader.role, reader.languages, reader.active, sorted(scopes))
    parts = (
        signs,
        str(changed),
        public.of_desk(session.connection()),
        tuple(publications),
        settings,
        who,
        desk,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def made_of(config: Mapping[str, object]) -> str:
    """What the desk's files are made with: every file of its package (name, size and time:
    the code, templates, stylesheet and fonts) and its plain configuration values. The same in
    every process of one desk, so that they all answer with one name."""
    settled = sorted(
        (key, repr(value))
        for key, value in config.items()
        if isinstance(value, str | int | float | bool | type(None))
        and not any(word in key for word in _NOT_OUTPUT)
    )
    return hashlib.sha256(repr((_package(), settled)).encode()).hexdigest()


@cache
def _package() -> tuple[tuple[str, int, int], ...]:
    found = []
    for folder, directories, files in os.walk(PACKAGE):
        directories[:] = sorted(d for d in directories if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".mo")):
                continue  # compiled from what is counted already
            path = os.path.join(folder, name)
            found.append((os.path.relpath(path, PACKAGE), *_size_and_time(path)))
    return tuple(found)


def _size_and_time(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns
