"""The catalogues as a build script downloads them: one edition's PO, MO or JSON file, or every
catalogue of the store in one zip. Same store, same bytes (the zip's dates are fixed).

A file once built is kept in the process under its ETag (the edition's fingerprint and the
format) until KEPT newer ones push it out: a build script pulling the zip again after one edit
waits for one catalogue, not sixty."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import OrderedDict

from sqlalchemy.orm import Session

from translator import languages
from translator.formats import mo, po
from translator.models import Document, User
from translator.services import DeskError, documents, policy, writing

Reader = policy.Actor | User
READ = policy.Action.READ_UNREVIEWED

FORMATS = ("po", "mo", "json")
_ZIP_DATE = (2022, 1, 1, 0, 0, 0)
KEPT = 512  # files kept per process (a few MB)
_built: OrderedDict[str, bytes] = OrderedDict()
_lock = threading.Lock()


class UnknownFormat(DeskError):
    """A file format the desk does not write."""


def check_format(file_format: str) -> str:
    """The format, if the desk writes it; else UnknownFormat."""
    if file_format not in FORMATS:
        raise UnknownFormat(f"format must be po, mo or json, not {file_format!r}")
    return file_format


def etag(
    session: Session, document: Document, language: str, file_format: str, *, who: Reader
) -> str:
    """What the file's bytes depend on, known without building it; for those who may read the
    language's unreviewed text (the policy)."""
    policy.require(session, policy.actor_of(session, who), READ, language=language)
    return f"{writing.fingerprint(session, document, language)}-{check_format(file_format)}"


def one(
    session: Session,
    document: Document,
    language: str,
    file_format: str,
    tag: str | None = None,
    *,
    who: Reader,
) -> bytes:
    """One edition's catalogue as a file: built, or as built before from the same state (its
    `etag`, computed here unless the caller has it already)."""
    policy.require(session, policy.actor_of(session, who), READ, language=language)
    tag = tag or etag(session, document, language, file_format, who=who)
    key = f"{session.get_bind().engine.url}|{tag}"
    with _lock:
        if key in _built:
            _built.move_to_end(key)
            return _built[key]
    data = body(writing.catalogue_for(session, document, language), file_format)
    with _lock:
        _built[key] = data
        while len(_built) > KEPT:
            _built.popitem(last=False)
    return data


def body(catalogue: po.Catalogue, file_format: str) -> bytes:
    """A catalogue's bytes: PO, MO, or JSON (msgid to translation; a plural entry to its forms;
    untranslated and needs-editing entries left out, as gettext leaves them out of an MO)."""
    if file_format == "po":
        return po.write(catalogue).encode()
    if file_format == "mo":
        return mo.write_mo(catalogue)
    table: dict[str, str | list[str]] = {
        e.msgid: e.msgstr_plural if e.msgid_plural is not None else e.msgstr
        for e in catalogue.entries
        if not e.obsolete and e.translated and not e.fuzzy
    }
    return json.dumps(table, ensure_ascii=False, indent=1).encode()


def archive(session: Session, file_format: str, *, who: Reader) -> bytes:
    """Every document's catalogue in every language the reader may read (the policy: their
    languages; every language for editors, admins and the operator), in one zip laid out as
    gettext reads it (`<lang>/LC_MESSAGES/<slug>.po|mo`; JSON as `<lang>/<slug>.json`)."""
    check_format(file_format)
    actor = policy.actor_of(session, who)
    readable = [c for c in languages.TARGET_LANGUAGES if policy.allowed(actor, READ, language=c)]
    if not readable:
        policy.require(session, actor, READ)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for document in documents.listing(session, order="slug"):
            for code in readable:
                bundle.writestr(
                    zipfile.ZipInfo(_name(document.slug, code, file_format), date_time=_ZIP_DATE),
                    one(session, document, code, file_format, who=actor),
                )
    return buffer.getvalue()


def _name(slug: str, language: str, file_format: str) -> str:
    if file_format == "json":
        return f"{language}/{slug}.json"
    return f"{language}/LC_MESSAGES/{slug}.{file_format}"
