"""A mail the desk sends, as MIME: what it says (already said in its reader's language) in a
plain-text part and an HTML part of the same words, and the headers a mail client needs to
show it in its language and direction and to stop it in one click.

Pure: no database, no Flask, no network. The HTML part loads nothing (no image, no style sheet,
no font from anywhere: a volunteer's mail client must not call out), holds only the text and
its links, and carries `lang` and `dir`, so Farsi reads right to left in any client.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, formataddr
from html import escape

# lines up to RFC 5322's 998 characters: folded at 78, a long link (List-Unsubscribe) would be
# written as encoded words, which no mail client follows
POLICY = default.clone(max_line_length=998)


@dataclass(frozen=True)
class Item:
    """One thing the mail tells: a title, a sentence, and where to see it ("" when the desk
    has no public address to link to)."""

    title: str
    text: str
    link: str = ""


@dataclass(frozen=True)
class Letter:
    """A mail to one address, every word of it already in its reader's language."""

    sender: str  # the desk's address
    sender_name: str
    to: str
    subject: str
    language: str  # a BCP 47 code: fa, de, ...
    direction: str  # ltr or rtl
    items: tuple[Item, ...]
    footer: tuple[str, ...] = ()  # paragraphs under the items
    stop_link: str = ""  # one click stops this kind of mail (RFC 8058), "" for none


def domain_of(address: str) -> str:
    """The domain of an address (the desk's own, for its Message-IDs)."""
    return address.rpartition("@")[2] or "localhost"


def write(letter: Letter, *, date: dt.datetime, message_id: str) -> EmailMessage:
    """The MIME message of `letter`: text/plain and text/html alternatives (UTF-8)."""
    mail = EmailMessage(policy=POLICY)
    mail["From"] = formataddr((letter.sender_name, letter.sender))
    mail["To"] = str(Address(addr_spec=letter.to))
    mail["Subject"] = letter.subject
    mail["Date"] = format_datetime(date.replace(tzinfo=dt.UTC))
    mail["Message-ID"] = message_id
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the desk
    mail["X-Auto-Response-Suppress"] = "All"
    if letter.stop_link:
        mail["List-Unsubscribe"] = f"<{letter.stop_link}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(plain(letter), cte="quoted-printable")
    mail.add_alternative(html(letter), subtype="html", cte="quoted-printable")
    mail["Content-Language"] = letter.language  # after the content, which clears Content-*
    return mail


def plain(letter: Letter) -> str:
    """The text part: each item a paragraph (title, sentence, link on its own line, where a
    client's bidirectional layout cannot reorder it), then the footer after a signature line."""
    blocks = ["\n".join(line for line in (i.title, i.text, i.link) if line) for i in letter.items]
    footer = [*letter.footer, letter.stop_link] if letter.stop_link else list(letter.footer)
    text = "\n\n".join(blocks)
    if footer:
        text += "\n\n-- \n" + "\n".join(footer)
    return text + "\n"


def html(letter: Letter) -> str:
    """The HTML part: the same words, the language and direction declared, nothing loaded."""
    items = "\n".join(_item(item) for item in letter.items)
    footer = "".join(f"<p>{escape(line)}</p>" for line in letter.footer)
    if letter.stop_link:
        footer += f'<p><a href="{escape(letter.stop_link)}">{escape(letter.stop_link)}</a></p>'
    return (
        f'<!doctype html>\n<html lang="{escape(letter.language)}" dir="{letter.direction}">\n'
        f'<head><meta charset="utf-8"><title>{escape(letter.subject)}</title></head>\n'
        f'<body dir="{letter.direction}">\n{items}\n<hr>\n<footer>{footer}</footer>\n'
        "</body>\n</html>\n"
    )


def _item(item: Item) -> str:
    title = escape(item.title)
    if item.link:
        title = f'<a href="{escape(item.link)}">{title}</a>'
    return f"<p><strong>{title}</strong><br>\n{escape(item.text)}</p>"
