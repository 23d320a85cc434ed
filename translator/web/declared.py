"""Every route says what it does in the policy's terms: the actions it performs (the services
ask the policy about each), that it only serves the signed-in person's own things, or that it
is public. A test over the URL map fails for a route that says nothing, so a new door cannot
forget the rules. The declaration is also the route's gate (web/auth.py): a signed-in person who
could do none of its actions is refused before it, and the second factor is asked before a
route whose every action needs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from translator.services.policy import RULES, Action

View = TypeVar("View", bound=Callable[..., Any])
ATTRIBUTE = "desk_declared"
PUBLIC = "public"
SIGNED_IN = "signed-in"


def performs(*actions: Action) -> Callable[[View], View]:
    """The policy's actions this route performs (each asked by the service that does it)."""
    if not actions:
        raise ValueError("name the actions, or declare the route public or signed_in")

    def declare(view: View) -> View:
        setattr(view, ATTRIBUTE, tuple(actions))
        return view

    return declare


def public(view: View) -> View:
    """Anyone, signed in or not: published and public things only."""
    setattr(view, ATTRIBUTE, PUBLIC)
    return view


def signed_in(view: View) -> View:
    """The signed-in person's own things (their account, their work list, the figures every
    volunteer sees), no action of the policy."""
    setattr(view, ATTRIBUTE, SIGNED_IN)
    return view


def declaration(view: Callable[..., Any] | None) -> tuple[Action, ...] | str | None:
    return getattr(view, ATTRIBUTE, None) if view is not None else None


def all_privileged(view: Callable[..., Any] | None) -> bool:
    """True when every action the route performs needs the second factor first."""
    found = declaration(view)
    return isinstance(found, tuple) and all(RULES[action].privileged for action in found)


def declared_actions(view: Callable[..., Any] | None) -> tuple[Action, ...]:
    """The actions a route performs (none for a public or personal one)."""
    found = declaration(view)
    return found if isinstance(found, tuple) else ()
