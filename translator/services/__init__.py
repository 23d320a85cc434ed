"""Use cases of the desk. They take a Session and paths, return values, and never import Flask."""

from __future__ import annotations

from translator.messages import Message


class DeskError(Exception):
    """A problem the user can fix, with a message that says what and where.

    Given as a `Message` (an id and its values), the edge says it in the reader's language
    (`said`); its English is the exception's text, for the API and the command line. Where it is
    known, the place is kept apart as well (`filename`, `line`, `unit`), so that an edge reports
    it as data (the API's `details`) without reading it back out of the message.
    """

    def __init__(
        self,
        message: str | Message,
        *,
        filename: str | None = None,
        line: int | None = None,
        unit: int | None = None,
    ) -> None:
        said = message if isinstance(message, Message) else None
        super().__init__(said.english if said is not None else message)
        self.said = said
        self.filename = filename
        self.line = line
        self.unit = unit


class Forbidden(DeskError):
    """The actor may not do this (the policy's refusal, or a service's own)."""


class Invalid(DeskError):
    """What was sent cannot be used as it is (400)."""


class TooLong(Invalid):
    """A text over a limit, or one no page or file can hold (422): nothing was kept."""
