"""Accounts: pseudonymous names, generated passwords, argon2 hashes; no e-mail, no real names."""

from __future__ import annotations

import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from translator import languages
from translator.messages import N_, Message, counted, message
from translator.models import Role, User
from translator.services import DeskError, audit, mail_addresses, policy

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")
_hasher = PasswordHasher()


def everyone(session: Session, *, who: User | None = None) -> list[User]:
    """Every account, by name (the people page): for editors and admins (`who=None` is the
    command line)."""
    policy.require(session, policy.by_whom(session, who), policy.Action.SEE_PEOPLE, audited=False)
    return list(session.scalars(select(User).order_by(User.username)))


def by_username(session: Session, username: str) -> User:
    """The account with this name; a `DeskError` naming it when there is none."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise DeskError(f"no user {username!r}")
    return user


def by_id(session: Session, user_id: int) -> User:
    """The account with this id; a `DeskError` when there is none."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise DeskError(f"no user {user_id}")
    return user


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user(
    session: Session, username: str, role: Role, langs: str = "", *, by: User | None = None
) -> str:
    """Create an account and return its generated password (stored only as an argon2 hash)."""
    actor = policy.by_whom(session, by)
    policy.require(session, actor, policy.Action.MANAGE_PEOPLE, audited=False)  # its own row
    if actor.user is not None and not can_manage(actor.user, role):
        raise policy.Refused(policy.Action.MANAGE_PEOPLE, "role")
    _check_username(session, username)
    codes = _languages(langs)
    password = generate_password()
    user = User(
        username=username,
        role=role.value,
        languages=",".join(codes),
        password_hash=_hasher.hash(password),
    )
    _add_account(session, user)
    audit.record(
        session, "account-created", actor=by, subject=user, role=role.value, languages=codes
    )
    return password


def verify_password(user: User | None, password: str) -> bool:
    """Whether the password is the user's. Without a user the same work is done against a hash
    of nothing, so that the time taken does not tell which user names exist."""
    try:
        return _hasher.verify(_hash_of(user), password) and user is not None
    except Exception:  # argon2 raises several kinds for a wrong or malformed hash
        return False


def _hash_of(user: User | None) -> str:
    return user.password_hash if user is not None else _nobody()


@cache
def _nobody() -> str:
    """A hash no password matches, made on first use (hashing at import would slow every start)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def ensure_admin(session: Session) -> str | None:
    """Create the first admin account when there is none; return its password, else None."""
    if session.scalar(select(User.id).where(User.role == Role.ADMIN.value)) is not None:
        return None
    return create_user(session, "admin", Role.ADMIN)


def languages_of(user: User) -> set[str]:
    """The languages a user works in (the policy's rule: editors and admins, all of them)."""
    return {code for code in languages.TARGET_LANGUAGES if policy.works_in(user, code)}


def can_translate(user: User, language: str) -> bool:
    return policy.allowed(policy.Actor(user), policy.Action.TRANSLATE, language=language)


def can_review(user: User, language: str) -> bool:
    """A reviewer of the language (the second factor aside: the policy asks it at the action)."""
    actor = policy.Actor(user, second_factor=True)
    return policy.allowed(actor, policy.Action.APPROVE, language=language)


def can_see_drafts(user: User | None, language: str) -> bool:
    """Drafts and previews hold unreviewed text: for signed-in people with a role in the
    language (the English for anyone signed in); the public sees published editions only."""
    actor = policy.Actor(user)
    return policy.allowed(actor, policy.Action.READ_UNREVIEWED, language=language)


def is_editor(user: User) -> bool:
    actor = policy.Actor(user, second_factor=True)
    return policy.allowed(actor, policy.Action.PUBLISH)


INVITATION_LIFETIME_DAYS = 7
MIN_PASSWORD = 10


def can_manage(user: User, role: Role) -> bool:
    """Admins create any account; editors create translators and reviewers."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.EDITOR and role in (Role.TRANSLATOR, Role.REVIEWER)


def invite(session: Session, by: policy.Actor | User, role: Role, langs: str = "") -> str:
    """A one-time invitation token (shown once) for a new account of `role`."""
    import hashlib
    from datetime import timedelta

    from translator.models import Invitation, utcnow

    actor = policy.actor_of(session, by)
    policy.require(session, actor, policy.Action.INVITE, audited=False)  # its own row
    inviter = actor.user
    if inviter is None or not can_manage(inviter, role):
        raise policy.Refused(policy.Action.INVITE, "role")
    codes = _languages(langs)
    raw = secrets.token_urlsafe(24)
    session.add(
        Invitation(
            token_sha256=hashlib.sha256(raw.encode()).hexdigest(),
            role=role.value,
            languages=",".join(codes),
            created_by=inviter.id,
            expires_at=utcnow() + timedelta(days=INVITATION_LIFETIME_DAYS),
        )
    )
    session.flush()
    audit.record(session, "invitation-created", actor=inviter, role=role.value, languages=codes)
    return raw


def invitation_offer(session: Session, raw: str) -> tuple[str, list[str]] | None:
    """What a valid invitation gives, for its page: the role and the language codes (none:
    every language); None for one used, expired or mistyped. Nothing is spent or counted."""
    import hashlib

    from translator.models import Invitation, utcnow

    invitation = session.scalar(
        select(Invitation).where(
            Invitation.token_sha256 == hashlib.sha256(raw.encode()).hexdigest()
        )
    )
    if invitation is None or invitation.used or invitation.expires_at < utcnow():
        return None
    return invitation.role, [code for code in invitation.languages.split(",") if code]


def accept_invitation(session: Session, raw: str, username: str, password: str) -> User:
    """Create the account an invitation is for; the invitation is then spent. A name already
    taken (in any case) is refused at most `invitations.MAX_REFUSALS` times per invitation, the
    last refusal spending it: a link cannot be used to test which pseudonyms exist."""
    import hashlib

    from sqlalchemy import update

    from translator.models import Invitation, utcnow
    from translator.services import invitations

    invitation = session.scalar(
        select(Invitation).where(
            Invitation.token_sha256 == hashlib.sha256(raw.encode()).hexdigest()
        )
    )
    if invitation is None or invitation.used or invitation.expires_at < utcnow():
        raise DeskError(_INVALID_INVITATION)
    if len(password) < MIN_PASSWORD:
        raise DeskError(
            message(
                N_("choose a password of at least %(count)d characters"),
                "password.short",
                count=MIN_PASSWORD,
            )
        )
    _check_name_form(username)
    if name_taken(session, username):
        refused = invitations.refuse_taken_name(session, invitation.id)
        if refused > invitations.MAX_REFUSALS:  # spent meanwhile: say nothing of the name
            raise DeskError(_INVALID_INVITATION)
        left = invitations.MAX_REFUSALS - refused
        if left == 0:
            raise DeskError(
                message(
                    N_(
                        "user name '%(name)s' is taken, and this invitation has now been "
                        "refused too many names: ask whoever invited you for a new one"
                    ),
                    "invitation.spent",
                    name=username,
                )
            )
        raise DeskError(
            counted(
                "user name '%(name)s' is taken: choose another (this invitation takes "
                "%(num)d more refusal)",
                "user name '%(name)s' is taken: choose another (this invitation takes "
                "%(num)d more refusals)",
                left,
                "name.taken",
                name=username,
            )
        )
    # spent here and now, atomically: two acceptances at once make one account, not two
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used.is_(False))
        .values(used=True)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise DeskError(_INVALID_INVITATION)
    user = User(
        username=username,
        role=invitation.role,
        languages=invitation.languages,
        password_hash=_hasher.hash(password),
    )
    _add_account(session, user)
    audit.record(
        session,
        "invitation-accepted",
        actor=user,
        subject=user,
        invited_by=invitation.created_by,
        role=user.role,
        languages=[c for c in user.languages.split(",") if c],
    )
    return user


_INVALID_INVITATION = message(
    N_("this invitation is not valid (used, expired or mistyped)"), "invitation.invalid"
)


def _add_account(session: Session, user: User) -> None:
    """Store a new account; a name made meanwhile by someone else, in any case, is refused by
    the store's unique index, and said so."""
    from sqlalchemy.exc import IntegrityError

    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise DeskError(_taken(user.username)) from None


def _languages(langs: str) -> list[str]:
    codes = [code.strip() for code in langs.split(",") if code.strip()]
    unknown = [code for code in codes if code not in languages.TARGET_LANGUAGES]
    if unknown:
        raise DeskError(
            f"unknown language {', '.join(unknown)}; the desk translates into "
            f"{', '.join(languages.TARGET_LANGUAGES)}"
        )
    return codes


def _check_username(session: Session, username: str) -> None:
    _check_name_form(username)
    if name_taken(session, username):
        raise DeskError(_taken(username))


def _taken(username: str) -> Message:
    return message(N_("user name '%(name)s' is taken"), "name.taken", name=username)


def _check_name_form(username: str) -> None:
    if not _USERNAME.match(username):
        raise DeskError(
            message(
                N_("user name '%(name)s': use 2-40 letters, digits, '.', '_' or '-'"),
                "name.form",
                name=username,
            )
        )


def name_taken(session: Session, username: str) -> bool:
    """Whether an account has this name in any case (`TRFA` is taken by `trfa`): names are
    unique without regard to case, in the store too (an index on lower(username), revision
    0002). Names are ASCII, so Python's lower() and the databases' agree."""
    found = select(User.id).where(func.lower(User.username) == username.lower())
    return session.scalar(found.limit(1)) is not None


def set_active(session: Session, by: User, user_id: int, active: bool) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise DeskError(f"no user {user_id}")
    policy.require(session, policy.by_whom(session, by), policy.Action.MANAGE_PEOPLE, audited=False)
    if not can_manage(by, Role(user.role)) or user.id == by.id:
        raise DeskError(f"{by.username} may not change {user.username}")
    user.active = active
    audit.record(
        session, "account-activated" if active else "account-deactivated", actor=by, subject=user
    )


def retire(session: Session, by: User | None, user_id: int) -> str:
    """Forget a volunteer: the account gets a neutral pseudonym everywhere it appears (history,
    comments, feed, publications and the audit log name accounts through this row), its
    sessions, tokens and second factor end, it can no longer sign in; the work stays. Returns
    the pseudonym."""
    from sqlalchemy import delete, update

    from translator.models import ApiToken, RecoveryCode, SecondFactor, WebSession

    user = session.get(User, user_id)
    if user is None:
        raise DeskError(f"no user {user_id}")
    policy.require(session, policy.by_whom(session, by), policy.Action.RETIRE, audited=False)
    if by is not None and (by.role != Role.ADMIN or by.id == user.id):
        raise DeskError(f"{by.username} may not retire {user.username}")
    pseudonym = _pseudonym(session)
    user.username, user.active = pseudonym, False
    user.password_hash = _nobody()  # no password opens it
    mail_addresses.stop(session, user)  # the address forgotten, nothing more mailed
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    session.execute(update(ApiToken).where(ApiToken.user_id == user.id).values(revoked=True))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()
    audit.record(session, "account-retired", actor=by, subject=user)
    return pseudonym


def _pseudonym(session: Session) -> str:
    while True:
        name = f"volunteer-{secrets.token_hex(3)}"
        if not name_taken(session, name):  # nor `Volunteer-3F9A1C`, chosen by someone
            return name
