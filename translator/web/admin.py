"""Administration: accounts and invitations (admins and editors), API tokens and the audit log
(admins). Who may enter each page is the policy's least role of the actions it declares."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from translator import languages
from translator.models import Role
from translator.services import DeskError, accounts, audit, invitations, second_factor, tokens
from translator.services.policy import Action
from translator.web import auth, session
from translator.web.declared import performs, public
from translator.web.interface import told

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/tokens")
@auth.login_required()
@performs(Action.MANAGE_TOKENS)
def token_list(created: str | None = None, error: str | None = None) -> Any:
    with session() as s:
        me = s.merge(g.user, load=False)
        found = tokens.listing(s, who=me)
        users = [user.username for user in accounts.everyone(s, who=me)]
    return render_template(
        "admin_tokens.html",
        tokens=found,
        users=users,
        scopes=tokens.SCOPES,
        created=created,
        error=error,
    )


@bp.post("/tokens")
@auth.login_required()
@performs(Action.MANAGE_TOKENS)
def token_create() -> Any:
    scopes = [s for s in tokens.SCOPES if request.form.get(f"scope-{s}")]
    try:
        with session() as s:
            by = s.merge(g.user, load=False)
            raw = tokens.create(s, request.form.get("username", ""), scopes, by=by)
    except DeskError as exc:
        return token_list(error=told(exc)), 422
    return token_list(created=raw)


@bp.post("/tokens/<int:token_id>/revoke")
@auth.login_required()
@performs(Action.MANAGE_TOKENS)
def token_revoke(token_id: int) -> Any:
    try:
        with session() as s:
            tokens.revoke(s, token_id, by=s.merge(g.user, load=False))
    except DeskError as exc:
        return token_list(error=told(exc)), 404
    return redirect(url_for("admin.token_list"))


@bp.get("/users")
@auth.login_required()
@performs(Action.SEE_PEOPLE)
def users(
    created: tuple[str, str] | None = None, invitation: str | None = None, error: str | None = None
) -> Any:
    with session() as s:
        people = accounts.everyone(s, who=s.merge(g.user, load=False))
        enrolled = second_factor.enrolled_ids(s)
        pending = invitations.pending(s)
    roles = [r for r in Role if accounts.can_manage(g.user, r)]
    return render_template(
        "admin_users.html",
        people=people,
        roles=roles,
        created=created,
        invitation=invitation,
        pending=pending,
        error=error,
        languages=languages.targets(),
        enrolled=enrolled,
    )


def _form_role_and_languages() -> tuple[Role, str]:
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        raise DeskError("choose a role") from None
    chosen = [code for code in languages.TARGET_LANGUAGES if request.form.get(f"lang-{code}")]
    return role, ",".join(chosen)


@bp.post("/users")
@auth.login_required()
@performs(Action.MANAGE_PEOPLE)
def user_create() -> Any:
    try:
        role, langs = _form_role_and_languages()
        if not accounts.can_manage(g.user, role):
            raise DeskError(f"you may not create a {role.value}")
        name = request.form.get("username", "").strip()
        with session() as s:
            by = s.merge(g.user, load=False)
            password = accounts.create_user(s, name, role, langs, by=by)
    except DeskError as exc:
        return users(error=told(exc)), 422
    return users(created=(name, password))


@bp.post("/invitations")
@auth.login_required()
@performs(Action.INVITE)
def invitation_create() -> Any:
    try:
        role, langs = _form_role_and_languages()
        with session() as s:
            raw = accounts.invite(s, s.merge(g.user, load=False), role, langs)
    except DeskError as exc:
        return users(error=told(exc)), 422
    return users(invitation=url_for("admin.accept", token=raw, _external=True))


@bp.post("/invitations/<int:invitation_id>/revoke")
@auth.login_required()
@performs(Action.INVITE)
def invitation_revoke(invitation_id: int) -> Any:
    """Take back an invitation not yet used: its link stops working."""
    try:
        with session() as s:
            invitations.revoke(s, s.merge(g.user, load=False), invitation_id)
    except DeskError as exc:
        return users(error=told(exc)), 403
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
@auth.login_required()
@performs(Action.MANAGE_PEOPLE)
def user_active(user_id: int) -> Any:
    try:
        with session() as s:
            accounts.set_active(
                s, s.merge(g.user, load=False), user_id, request.form.get("active") == "1"
            )
    except DeskError as exc:
        return users(error=told(exc)), 403
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/retire")
@auth.login_required()
@performs(Action.RETIRE)
def user_retire(user_id: int) -> Any:
    """Forget a volunteer: a pseudonym everywhere, sessions and tokens ended (audited)."""
    if request.form.get("confirm") != "retire":
        return users(error=_("Type “retire” to confirm.")), 422
    try:
        with session() as s:
            accounts.retire(s, s.merge(g.user, load=False), user_id)
    except DeskError as exc:
        return users(error=told(exc)), 403
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/second-factor/reset")
@auth.login_required()
@performs(Action.RESET_SECOND_FACTOR)
def second_factor_reset(user_id: int) -> Any:
    """A lost phone: the person sets up a new second factor at their next sign-in."""
    try:
        with session() as s:
            person = accounts.by_id(s, user_id)
            second_factor.reset(s, s.merge(g.user, load=False), person)
    except DeskError as exc:
        return users(error=told(exc)), 404
    return redirect(url_for("admin.users"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept(token: str) -> Any:
    """The invited volunteer sees the role and languages offered, chooses a pseudonymous user
    name and a password, and is signed in at once (a new session, as at sign-in); an editor or
    admin is then sent to set up the second factor, as after signing in."""
    from translator.services import policy, sessions

    with session() as s:
        offer = accounts.invitation_offer(s, token)
    page: dict[str, Any] = {"offer": _offer(offer), "invalid": offer is None}
    if request.method == "GET":
        return auth.form_page("accept_invitation.html", **page)
    try:
        with session() as s:
            user = accounts.accept_invitation(
                s, token, request.form.get("username", "").strip(), request.form.get("password", "")
            )
            sessions.sign_out(s, request.cookies.get(auth.COOKIE))  # a new id, as at sign-in
            signed = sessions.start_session(s, user)
    except DeskError as exc:
        return auth.form_page("accept_invitation.html", 422, error=told(exc), **page)
    if policy.needs_second_factor(user):  # editors and admins: the second factor first
        target = url_for("auth.enrol", next=auth._own_work(user))
    else:
        target = auth._own_work(user)
    return auth._with_cookie(redirect(target), signed)


def _offer(offer: tuple[str, list[str]] | None) -> dict[str, Any] | None:
    """The role and languages an invitation gives, named in the reader's language."""
    from babel.lists import format_list

    from translator.web import interface
    from translator.web.labels import label, language_name

    if offer is None:
        return None
    role, codes = offer
    names = [language_name(code) for code in codes]
    return {
        "role": label(role),
        "languages": format_list(names, locale=interface.current()) if names else "",
        "second_factor": role in (Role.EDITOR, Role.ADMIN),
    }


@bp.get("/audit")
@auth.login_required()
@performs(Action.READ_AUDIT)
def audit_log() -> Any:
    """The newest rows of the audit log and whether the whole chain verifies."""
    with session() as s:
        verdict = audit.verify(s)
        rows = audit.rows(s, limit=500, who=s.merge(g.user, load=False))
    return render_template("admin_audit.html", rows=rows, verdict=verdict)


# the webhooks' pages are routes of this blueprint, kept in a module of their own
from translator.web import admin_webhooks  # noqa: E402, F401
