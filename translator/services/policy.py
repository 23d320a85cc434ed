"""Who may do what: one policy that every action of the desk asks, whatever the door.

Each action has a name (`Action`) and one rule (`RULES`): the least role that may do it, whether
it is bound to a language (a translator of Farsi translates Farsi only), whether it is privileged
(editors and admins do it only with their second factor done, and it is written to the audit
log), and the API token scope that may do it (or none: no token may). A service that performs an
action asks `require` (or opens `acting`, which also writes the audit row when the action is
done); the web, the API and the CLI only turn a refusal into a redirect, a status or an exit code.
Before a page that performs actions, the web asks `decide_entry` (`may_enter`) whether the
person could do any of them at all: one gate for every route, from these same rules.

The actor is who acts and through which door: a person in the browser (the second factor done
when their account has one: a session with a second factor passed the second step to exist), an
API token (its scopes; a token stands in for the second factor, and only admins, who have one,
make tokens), the `translator` command (the operator, who acts as the desk and may do anything),
or nobody (a visitor).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from translator import languages, plurals
from translator.messages import N_, Message, message
from translator.models import Role, Unit, User
from translator.services import Forbidden, TooLong, audit

LEVEL = {Role.TRANSLATOR: 1, Role.REVIEWER: 2, Role.EDITOR: 3, Role.ADMIN: 4}


class Action(enum.StrEnum):
    READ_UNREVIEWED = "read-unreviewed"  # a language's drafts, previews, units, PO/MO/JSON files
    CHECK_TEXT = "check-text"  # run the checks on a text, saving nothing
    TRANSLATE = "translate"
    SUGGEST = "suggest"
    COMMENT = "comment"
    IMPORT = "import"  # a PO file; approved text it would change is held for a reviewer
    APPROVE = "approve"
    CHANGE_APPROVED = "change-approved"  # new text for, or un-approving, an approved translation
    SEND_BACK = "send-back"
    REVERT = "revert"
    DECIDE_SUGGESTION = "decide-suggestion"  # accept or reject
    BULK_APPROVE = "bulk-approve"
    RESOLVE_QUESTION = "resolve-question"
    PUBLISH = "publish"
    SET_URGENCY = "set-urgency"
    CHANGE_SETTINGS = "change-settings"
    CHANGE_GLOSSARY = "change-glossary"
    SEE_PEOPLE = "see-people"  # the accounts page
    MANAGE_PEOPLE = "manage-people"  # create, (de)activate
    INVITE = "invite"
    RETIRE = "retire"
    RESET_SECOND_FACTOR = "reset-second-factor"
    MANAGE_TOKENS = "manage-tokens"
    MANAGE_WEBHOOKS = "manage-webhooks"  # endpoints that hear of events, their delivery log
    READ_AUDIT = "read-audit"
    START_JOB = "start-job"  # heavy work for oneself: an edition's PDF, a batch build


@dataclass(frozen=True)
class Rule:
    role: Role  # the least role
    per_language: bool  # the actor must work in the action's language
    privileged: bool  # second factor first (editors and admins), and an audit row
    scope: str | None  # the token scope that may do it; None: no token may


_T, _R, _E, _A = Role.TRANSLATOR, Role.REVIEWER, Role.EDITOR, Role.ADMIN
RULES: dict[Action, Rule] = {
    Action.READ_UNREVIEWED: Rule(_T, True, False, "read"),
    Action.CHECK_TEXT: Rule(_T, True, False, "read"),
    Action.TRANSLATE: Rule(_T, True, False, "translate"),
    Action.SUGGEST: Rule(_T, True, False, "translate"),
    Action.COMMENT: Rule(_T, True, False, "translate"),
    Action.IMPORT: Rule(_T, True, False, "translate"),
    Action.APPROVE: Rule(_R, True, True, "review"),
    Action.CHANGE_APPROVED: Rule(_R, True, True, "review"),
    Action.SEND_BACK: Rule(_R, True, True, "review"),
    Action.REVERT: Rule(_T, True, False, "translate"),
    Action.DECIDE_SUGGESTION: Rule(_R, True, True, "review"),
    Action.BULK_APPROVE: Rule(_R, True, True, "review"),
    Action.RESOLVE_QUESTION: Rule(_R, True, False, None),
    Action.PUBLISH: Rule(_E, False, True, "publish"),
    Action.SET_URGENCY: Rule(_E, False, True, None),
    Action.CHANGE_SETTINGS: Rule(_A, False, True, None),
    Action.CHANGE_GLOSSARY: Rule(_A, False, True, None),
    Action.SEE_PEOPLE: Rule(_E, False, True, None),
    Action.MANAGE_PEOPLE: Rule(_E, False, True, None),
    Action.INVITE: Rule(_E, False, True, None),
    Action.RETIRE: Rule(_A, False, True, None),
    Action.RESET_SECOND_FACTOR: Rule(_A, False, True, None),
    Action.MANAGE_TOKENS: Rule(_A, False, True, None),
    Action.MANAGE_WEBHOOKS: Rule(_A, False, True, None),
    Action.READ_AUDIT: Rule(_A, False, True, None),
    Action.START_JOB: Rule(_T, False, False, "read"),
}


@dataclass(frozen=True)
class Actor:
    """Who acts, and through which door."""

    user: User | None
    second_factor: bool = False  # done in this session (or the door needs none: token, operator)
    scopes: frozenset[str] | None = None  # an API token's; None for a browser or the operator
    operator: bool = False  # the `translator` command, which acts as the desk

    @property
    def user_id(self) -> int | None:
        """The account acting, as history and audit rows name it (None: the operator)."""
        return self.user.id if self.user is not None else None

    @property
    def kind(self) -> str:
        if self.operator:
            return "operator"
        if self.user is None:
            return "anonymous"
        return "token" if self.scopes is not None else "browser"


OPERATOR = Actor(None, second_factor=True, operator=True)
ANONYMOUS = Actor(None)


def browser(session: Session, user: User | None) -> Actor:
    """A person signed in in the browser: a session of an account with a second factor exists
    only once its second step is done."""
    if user is None:
        return ANONYMOUS
    from translator.services import second_factor

    return Actor(user, second_factor=second_factor.enrolled(session, user))


def token(user: User, scopes: frozenset[str]) -> Actor:
    return Actor(user, second_factor=True, scopes=scopes)


def actor_of(session: Session, who: Actor | User | None) -> Actor:
    """An Actor as given; a bare account is a person in the browser."""
    return who if isinstance(who, Actor) else browser(session, who)


def by_whom(session: Session, by: Actor | User | None) -> Actor:
    """For the services of accounts, invitations, tokens and the glossary, whose `by=None` has
    always meant the command line: the operator; anyone else as `actor_of` says."""
    return OPERATOR if by is None else actor_of(session, by)


class Refused(Forbidden):
    """The policy's no: `reason` is a stable code (sign-in, inactive, role, language, scope,
    second-factor), `action` what was asked; `message` says it to a person (its English, with
    the action named, is the exception's text for the API and the command line)."""

    def __init__(self, action: Action, reason: str, *, language: str | None = None) -> None:
        super().__init__(_MESSAGES[reason].format(action=action.value, language=language))
        self.action, self.reason, self.language = action, reason, language
        values = {"language": languages.get(language).native_name} if language else {}
        self.message = message(_SAID[reason], f"forbidden.{reason}", **values)


class SecondFactorNeeded(Refused):
    """An editor or admin must set up the second factor before this action."""


_MESSAGES = {
    "sign-in": "sign in to {action}",
    "inactive": "this account is not active",
    "role": "your role may not {action}",
    "language": "you do not work in {language}: you may not {action} there",
    "scope": "this token's scopes do not allow {action}",
    "second-factor": "set up your second factor before you {action}",
}


_SAID = {
    "sign-in": N_("Sign in first."),
    "inactive": N_("This account is not active."),
    "role": N_("Your role does not allow this."),
    "language": N_("You do not work in %(language)s, so you cannot do this there."),
    "scope": N_("This token's scopes do not allow this."),
    "second-factor": N_("Set up your second factor first."),
}


def decide(actor: Actor, action: Action, *, language: str | None = None) -> str | None:
    """None when `actor` may do `action` (in `language`), else the reason code why not."""
    if actor.operator:
        return None
    rule, user = RULES[action], actor.user
    if user is None:
        return "sign-in"
    if not user.active:
        return "inactive"
    if actor.scopes is not None and (rule.scope is None or rule.scope not in actor.scopes):
        return "scope"
    if LEVEL[Role(user.role)] < LEVEL[rule.role]:
        return "role"
    if rule.per_language and language is not None and not works_in(user, language):
        return "language"
    if rule.privileged and needs_second_factor(user) and not actor.second_factor:
        return "second-factor"
    return None


def decide_entry(
    actor: Actor, actions: Iterable[Action], *, language: str | None = None
) -> str | None:
    """The door's question before a route acts: None when `actor` could do at least one of
    `actions` at all (their role is high enough, and an action of a language is in `language`,
    or, when none is named, in some language they work in), else the reason the first is
    refused. The second factor is left to the action (and to the door that sends editors to set
    it up), so a person who could do it once it is done may enter."""
    ready = replace(actor, second_factor=True)
    first: str | None = None
    for action in actions:
        places: list[str | None] = [language]
        if RULES[action].per_language and language is None and actor.user is not None:
            user = actor.user
            places = [code for code in languages.TARGET_LANGUAGES if works_in(user, code)]
        reasons = [decide(ready, action, language=place) for place in places] or ["language"]
        if None in reasons:
            return None
        first = first or reasons[0]
    return first or "role"  # no action named: nothing this door lets anyone do


def may_enter(actor: Actor, actions: Iterable[Action], *, language: str | None = None) -> bool:
    """Whether `actor` could do at least one of `actions` at all (see `decide_entry`)."""
    return decide_entry(actor, actions, language=language) is None


def works_in(user: User, language: str) -> bool:
    """Editors and admins work in every language; the English is everyone's."""
    if language == languages.SOURCE_LANGUAGE or user.role in (Role.EDITOR, Role.ADMIN):
        return True
    return language in {code for code in user.languages.split(",") if code}


def needs_second_factor(user: User) -> bool:
    """Editors and admins act on privileged things only with a second factor."""
    return user.role in (Role.EDITOR, Role.ADMIN)


def allowed(actor: Actor, action: Action, *, language: str | None = None) -> bool:
    return decide(actor, action, language=language) is None


def require(
    session: Session,
    actor: Actor,
    action: Action,
    *,
    language: str | None = None,
    subject: User | int | None = None,
    **details: Any,
) -> None:
    """Refuse (`Refused`) unless `actor` may; a privileged action is written to the audit log
    (in the caller's transaction: undone with it when the action fails)."""
    with acting(session, actor, action, language=language, subject=subject, **details):
        pass


@dataclass
class Acting:
    """An action under way: what it found out (figures) goes into its audit row; `done` is set
    False when nothing happened after all (a save that met someone else's), so no row is kept."""

    details: dict[str, Any] = field(default_factory=dict)
    done: bool = True


@contextmanager
def acting(
    session: Session,
    actor: Actor,
    action: Action,
    *,
    language: str | None = None,
    subject: User | int | None = None,
    **details: Any,
) -> Iterator[Acting]:
    """Refuse unless `actor` may; then do the action, and, when it is privileged (or the service
    audits it anyway: `audited=True` in details) write its audit row once it is done."""
    reason = decide(actor, action, language=language)
    if reason is not None:
        kind = SecondFactorNeeded if reason == "second-factor" else Refused
        raise kind(action, reason, language=language)
    audited = details.pop("audited", RULES[action].privileged)
    act = Acting(dict(details))
    yield act
    if audited and act.done:
        extra = {"language": language} if language is not None else {}
        audit.record(
            session,
            action.value,
            actor=actor.user,
            subject=subject,
            via=actor.kind,
            **extra,
            **act.details,
        )


# The limits of every text a person sends (a translation, a suggestion, a comment, a question,
# a text to check), whatever the door.
MAX_TEXT_BYTES = 64 * 1024
MAX_RATIO = 20  # a translation, times its English, counted in characters (a short one gets 200)

# What no page, PDF or catalogue can carry: C0 controls but tab and newline (a carriage return
# is folded into the newline), lone surrogates, and Unicode's noncharacters.
_UNUSABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(0x11))
    + "]"
)


def unusable(text: str) -> Message | None:
    """Why no page or file can hold `text` (the first such character, and where), or None."""
    found = _UNUSABLE.search(text)
    if found is None:
        return None
    return message(
        N_("it holds the character %(character)s at %(position)d"),
        "text.unusable-character",
        character=f"U+{ord(found.group()):04X}",
        position=found.start() + 1,
    )


def _oversized(text: str) -> bool:
    """Over the size limit in UTF-8 (a lone surrogate counted as it was sent)."""
    return len(text.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES


def limit_text(text: str) -> None:
    """Refuse (TooLong, 422) a text over the size limit or holding unusable characters."""
    if _oversized(text):
        raise TooLong(
            message(
                N_("the text is over %(size)d KiB; nothing was kept"),
                "text.too-big",
                size=MAX_TEXT_BYTES // 1024,
            )
        )
    reason = unusable(text)
    if reason:
        raise TooLong(
            message(N_("the text cannot be kept: %(reason)s"), "text.unusable", reason=reason)
        )


def translation_too_long(unit: Unit, text: str) -> Message | None:
    """Why `text` cannot be a translation of the unit (too big, far longer than its English,
    or holding unusable characters), or None."""
    english = max(len(unit.source), len(unit.source_plural or ""))
    if _oversized(text):
        size = MAX_TEXT_BYTES // 1024
        return message(N_("the translation is over %(size)d KiB"), "text.too-big", size=size)
    if max(map(len, text.split(plurals.SEPARATOR))) > MAX_RATIO * max(english, 10):
        return message(
            N_("the translation is over %(ratio)d times as long as the English"),
            "text.too-long",
            ratio=MAX_RATIO,
        )
    reason = unusable(text.replace(plurals.SEPARATOR, "\n"))  # the forms' own separator
    if reason is None:
        return None
    return message(N_("the translation cannot be kept: %(reason)s"), "text.unusable", reason=reason)


def limit_translation(unit: Unit, text: str) -> None:
    reason = translation_too_long(unit, text)
    if reason:
        raise TooLong(
            message(
                N_("unit %(unit)d: %(reason)s; nothing was saved"),
                "text.refused",
                unit=unit.id,
                reason=reason,
            )
        )
