"""The interface's own language: which ones the desk speaks, and an account's choice of one."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from translator import languages
from translator.models import User
from translator.services import editing

# English first: the language of the catalogue's template, and the fallback
INTERFACE_LANGUAGES = (languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES)


def known(code: str | None) -> bool:
    return code in INTERFACE_LANGUAGES


def best_match(accepted: Iterable[tuple[str, float]]) -> str | None:
    """The interface language for a browser's Accept-Language, in its order of preference; a
    regional tag stands for its language (de-CH for de, fa-IR for fa), before any later choice."""
    for tag, quality in sorted(accepted, key=lambda item: -item[1]):
        code = tag.replace("_", "-").split("-")[0].lower()
        if quality > 0 and known(code):
            return code
    return None


def set_preference(session: Session, user_id: int, code: str) -> None:
    """Store the account's interface language; "" goes back to following the browser."""
    if code and not known(code):
        raise editing.Invalid(f"unknown interface language: {code!r}")
    user = session.get(User, user_id)
    if user is None:
        raise editing.NotFound(f"no account {user_id}")
    user.interface_language = code
