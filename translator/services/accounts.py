"""Accounts: pseudonymous names, generated passwords, argon2 hashes; no e-mail, no real names."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from translator import languages
from translator.models import Role, User
from translator.services import DeskError

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
_hasher = PasswordHasher()


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(session: Session, username: str, role: Role, langs: str = "") -> str:
    """Create an account and return its generated password (stored only as an argon2 hash)."""
    if not _USERNAME.match(username):
        raise DeskError(f"user name {username!r}: use 2-40 letters, digits, '.', '_' or '-'")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise DeskError(f"user name {username!r} is taken")
    codes = [code.strip() for code in langs.split(",") if code.strip()]
    unknown = [code for code in codes if code not in languages.TARGET_LANGUAGES]
    if unknown:
        raise DeskError(
            f"unknown language {', '.join(unknown)}; the desk translates into "
            f"{', '.join(languages.TARGET_LANGUAGES)}"
        )
    password = generate_password()
    session.add(
        User(
            username=username,
            role=role.value,
            languages=",".join(codes),
            password_hash=_hasher.hash(password),
        )
    )
    session.flush()
    return password


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except Exception:  # argon2 raises several kinds for a wrong or malformed hash
        return False


def ensure_admin(session: Session) -> str | None:
    """Create the first admin account when there is none; return its password, else None."""
    if session.scalar(select(User.id).where(User.role == Role.ADMIN.value)) is not None:
        return None
    return create_user(session, "admin", Role.ADMIN)


def languages_of(user: User) -> set[str]:
    """The languages a user works in: editors and admins, all of them."""
    if user.role in (Role.EDITOR, Role.ADMIN):
        return set(languages.TARGET_LANGUAGES)
    return {code for code in user.languages.split(",") if code}


def can_translate(user: User, language: str) -> bool:
    return user.active and language in languages_of(user)


def can_review(user: User, language: str) -> bool:
    return user.active and user.role != Role.TRANSLATOR and language in languages_of(user)


def is_editor(user: User) -> bool:
    return user.active and user.role in (Role.EDITOR, Role.ADMIN)
