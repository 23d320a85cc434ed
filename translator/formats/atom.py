"""Atom 1.0 feeds (RFC 4287): a pure function from the feed's description and its entries to the
bytes any feed reader reads. Every text goes through ElementTree, which escapes it; characters
XML cannot hold at all (most C0 controls) are dropped first."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

NAMESPACE = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedMeta:
    id: str  # a URI that names the feed for good (urn:uuid:…)
    title: str
    self_url: str
    updated: datetime  # naive times are UTC
    language: str = ""  # xml:lang of the whole feed
    link: str = ""  # the page the feed is about, if any
    author: str = ""  # Atom asks for one: the desk, never a person


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str
    content: str  # plain text


def timestamp(moment: datetime) -> str:
    """RFC 3339, in UTC, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _text(text)
    return element


def atom(meta: FeedMeta, entries: list[Entry]) -> bytes:
    """The feed as UTF-8 bytes: the same input gives the same bytes."""
    feed = ET.Element("feed", {"xmlns": NAMESPACE})
    if meta.language:
        feed.set("xml:lang", _text(meta.language))
    _add(feed, "id", meta.id)
    _add(feed, "title", meta.title, type="text")
    _add(feed, "updated", timestamp(meta.updated))
    _add(feed, "link", rel="self", type="application/atom+xml", href=meta.self_url)
    if meta.link:
        _add(feed, "link", rel="alternate", type="text/html", href=meta.link)
    author = _add(feed, "author")
    _add(author, "name", meta.author or meta.title)
    for entry in entries:
        item = _add(feed, "entry")
        _add(item, "id", entry.id)
        _add(item, "title", entry.title, type="text")
        _add(item, "updated", timestamp(entry.updated))
        _add(item, "link", rel="alternate", type="text/html", href=entry.link)
        _add(item, "content", entry.content, type="text")
    body = ET.tostring(feed, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode()
