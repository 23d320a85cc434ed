"""Use cases of the desk. They take a Session and paths, return values, and never import Flask."""

from __future__ import annotations


class DeskError(Exception):
    """A problem the user can fix, with a message that says what and where."""
