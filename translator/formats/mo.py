"""Compile a catalogue into GNU MO files, one per domain, with the messages `msgfmt` puts in them,
in linear time."""

from __future__ import annotations

import re
import struct

from translator.formats.catalogue import DEFAULT_DOMAIN, Catalogue, Entry

MAGIC = 0x950412DE
_CREATION_DATE = re.compile(r"^POT-Creation-Date:[^\n]*\n?", re.M)


def write_mo(catalogue: Catalogue, domain: str | None = None) -> bytes:
    """The MO file of one domain of a catalogue (its first by default), little-endian, without
    a hash table.

    As msgfmt: the domain's header entry (even when fuzzy) without its POT-Creation-Date, and no
    `""` entry when it has no header or an empty one; then every message that is neither
    obsolete nor fuzzy and whose msgstr (for a plural, msgstr[0]) is not empty, sorted by msgid.
    Built from a list of parts joined once, so the time grows linearly with the catalogue (the
    Python libraries append to a bytes object and are quadratic).
    """
    pairs = sorted(_pairs(catalogue, domain or catalogue.domain or DEFAULT_DOMAIN))
    count = len(pairs)
    originals_at = 28
    translations_at = originals_at + 8 * count
    data_at = translations_at + 8 * count
    index: list[bytes] = []
    blobs: list[bytes] = []
    offset = data_at
    for column in (0, 1):
        for pair in pairs:
            index.append(struct.pack("<II", len(pair[column]), offset))
            blobs.append(pair[column] + b"\0")
            offset += len(pair[column]) + 1
    header = struct.pack("<7I", MAGIC, 0, count, originals_at, translations_at, 0, data_at)
    return b"".join([header, *index, *blobs])


def compiled_domains(catalogue: Catalogue) -> list[str]:
    """The domains msgfmt writes an MO file for (named so): those with a message to compile."""
    first = catalogue.domain or DEFAULT_DOMAIN
    names = dict.fromkeys([first, *(entry.domain or first for entry in catalogue.entries)])
    return [name for name in names if _pairs(catalogue, name)]


def _pairs(catalogue: Catalogue, domain: str) -> list[tuple[bytes, bytes]]:
    first = catalogue.domain or DEFAULT_DOMAIN
    header = catalogue.header_text() if catalogue.has_header and domain == first else ""
    pairs = [(b"", _without_creation_date(header))] if header else []
    for entry in catalogue.entries:
        if entry.obsolete or (entry.domain or first) != domain or not entry.first_form:
            continue
        if entry.msgid == "" and entry.msgctxt is None:  # another domain's header
            pairs.append((b"", _without_creation_date(entry.msgstr)))
        elif not entry.fuzzy:
            pairs.append((_mo_key(entry), _mo_value(entry)))
    return pairs


def _without_creation_date(header: str) -> bytes:
    """The header as msgfmt compiles it: its first POT-Creation-Date line left out."""
    match = _CREATION_DATE.search(header)
    if match:
        header = header[: match.start()] + header[match.end() :]
    return header.encode()


def _mo_key(entry: Entry) -> bytes:
    msgid = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\0{entry.msgid_plural}"
    return (msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{msgid}").encode()


def _mo_value(entry: Entry) -> bytes:
    return (
        "\0".join(entry.msgstr_plural) if entry.msgid_plural is not None else entry.msgstr
    ).encode()
