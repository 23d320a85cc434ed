"""Signing in and out (with a second factor when one is set up), the signed-in user on every
request, CSRF protection on every form, the gate of every route (the policy's answer for the
actions it declares), and the second factor editors and admins need before they approve,
publish or administer."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from translator import languages
from translator.services import policy, second_factor, sessions
from translator.web import come_back, session
from translator.web.declared import all_privileged, declared_actions, public, signed_in
from translator.web.interface import say, told
from translator.web.security import safe_path

bp = Blueprint("auth", __name__)
COOKIE = "desk_session"
# Before there is a session (signing in, accepting an invitation) a form carries a token of its
# own: a random value, in the form and (signed, dated) in this cookie, compared on the POST, so a
# page elsewhere cannot sign a visitor in as someone else (login CSRF).
FORM_COOKIE = "desk_form"
FORM_FIELD = "form_token"
FORM_LIFETIME = 2 * 3600  # seconds: a form shown is good for at least half of it
FORM_REFUSED = _l(
    "This form expired or did not come from this site: reload the page and try again."
)


def init_app(app: Flask) -> None:
    app.before_request(_load_user)
    app.before_request(_protect_forms)
    app.before_request(_policy_first)
    app.before_request(_second_factor_first)
    app.context_processor(
        lambda: {"csrf_token": g.get("csrf_token", ""), "current_user": g.get("user")}
    )


def _load_user() -> None:
    g.user, g.csrf_token, g.pending = None, "", False
    raw = request.cookies.get(COOKIE)
    if not raw:
        return
    with session() as s:
        found = sessions.current(s, raw)
        if found is not None:
            g.user, g.csrf_token = found.user, found.csrf_token
            s.expunge(found.user)
        elif request.endpoint == "auth.second_step":
            waiting = sessions.current(s, raw, pending=True)
            g.csrf_token, g.pending = (waiting.csrf_token, True) if waiting else ("", False)


def _route_language() -> str | None:
    """The language a route acts in (its `code`), when it is one the desk knows (an unknown
    code is the view's 404, not a refusal)."""
    code = (request.view_args or {}).get("code")
    known = code == languages.SOURCE_LANGUAGE or code in languages.TARGET_LANGUAGES
    return code if known else None


def _policy_first() -> None:
    """The one gate of every page that performs actions: a signed-in person who could do none
    of them (the policy's least role, their languages) is refused before the page, 403 with the
    policy's reason; visitors are sent to sign in by `login_required` (or served what is public
    by the view). The services still ask the policy for each action they do."""
    user = g.user
    if user is None or request.path.startswith("/api/"):
        return  # the API has its own door: tokens, JSON errors
    actions = declared_actions(current_app.view_functions.get(request.endpoint or ""))
    if not actions:
        return
    language = _route_language()
    reason = policy.decide_entry(policy.Actor(user), actions, language=language)
    if reason is None:
        return
    if reason == "language" and language is None:
        abort(403)  # they work in no language at all: nothing more to say
    refused = policy.Refused(actions[0], reason, language=language)
    abort(403, description=say(refused.message))


def _second_factor_first() -> Any:
    """An editor or admin without a second factor sets one up before a page whose every action
    needs it (the administration, publishing, the settings, bulk approval); an action that
    needs it only for some data (saving over approved text) is refused by the service, with
    the same way to the set-up page (`web.as_http`). Either way they come back afterwards."""
    user = g.user
    if request.path.startswith("/api/"):
        return None  # a token stands in for the second factor: only admins make them
    if user is None or not policy.needs_second_factor(user):
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if not all_privileged(view):
        return None
    language = _route_language()
    without = policy.Actor(user)  # what the policy says before the second factor is done
    actions = declared_actions(view)
    reasons = {policy.decide(without, action, language=language) for action in actions}
    if "second-factor" not in reasons:
        return None  # refused for another reason (the role): the service says so
    with session() as s:
        if second_factor.enrolled(s, user):
            return None
    return redirect(url_for("auth.enrol", next=come_back()))


def _protect_forms() -> None:
    """Every browser POST carries the session's CSRF token (the API uses bearer tokens)."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    if request.endpoint in ("auth.login", "admin.accept"):
        # no session yet: the form's own token, checked before any password (nothing counted)
        if not _form_token_matches():
            abort(400, description=str(FORM_REFUSED))
        return
    if request.endpoint == "interface.choose" and g.user is None:
        return  # a visitor's choice of language only sets a cookie in their own browser
    if request.endpoint in ("mail.confirm", "mail.stop"):
        return  # a mailed link's signed token is the proof (a one-click stop sends no cookie)
    sent = request.form.get("csrf_token", "")
    if not g.csrf_token or not hmac.compare_digest(sent, g.csrf_token):
        abort(400, description=_("The form expired or did not come from this site; reload it."))


def login_required() -> Callable[..., Any]:
    """Signed in, or sent to sign in (and brought back). Who may enter is the policy's to say,
    from the route's declared actions (`_policy_first`), never a predicate written here."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.login", next=request.path))
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _form_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="desk-form-token")


def _form_token_sent(max_age: int | None = None) -> str | None:
    """The random value in this browser's form cookie, if the desk signed it within `max_age`
    seconds (FORM_LIFETIME unless given)."""
    cookie = request.cookies.get(FORM_COOKIE, "")
    if not cookie:
        return None
    try:
        value = _form_serializer().loads(cookie, max_age=max_age or FORM_LIFETIME)
    except BadSignature:  # expired ones too (SignatureExpired is a BadSignature)
        return None
    return value if isinstance(value, str) and value else None


def _form_token_matches() -> bool:
    expected = _form_token_sent()
    sent = request.form.get(FORM_FIELD, "")
    return expected is not None and hmac.compare_digest(sent.encode(), expected.encode())


def form_page(template: str, status: int = 200, **context: Any) -> Any:
    """A page with a form posted before there is a session (sign-in, invitation): it carries the
    form token, and this browser gets (or keeps, while it is young) the cookie that matches it."""
    token = _form_token_sent(FORM_LIFETIME // 2)
    fresh = token is None
    if token is None:
        token = secrets.token_urlsafe(32)
    response = current_app.make_response(
        (render_template(template, form_token=token, **context), status)
    )
    if fresh:
        response.set_cookie(
            FORM_COOKIE,
            _form_serializer().dumps(token),
            httponly=True,
            samesite="Strict",
            secure=request.is_secure,
            max_age=FORM_LIFETIME,
        )
    response.headers["Cache-Control"] = "no-store"  # the token is this browser's alone
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    if request.method == "GET":
        return form_page("login.html", joined=request.args.get("joined") == "1")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    client = sessions.client_key(request.remote_addr or "", current_app.config["SECRET_KEY"])
    with session() as s:
        try:
            signed = sessions.sign_in(s, username, password, client)
        except sessions.TooManyAttempts as exc:
            return form_page("login.html", 429, error=told(exc))
        if signed is None:
            return form_page("login.html", 401, error=_("Wrong user name or password."))
        sessions.sign_out(s, request.cookies.get(COOKIE))  # a new id at every sign-in
    target = safe_path(request.args.get("next"), _own_work(signed.user))
    if signed.pending:
        return _with_cookie(redirect(url_for("auth.second_step", next=target)), signed)
    return _with_cookie(redirect(target), signed)


def _with_cookie(response: Any, signed: sessions.SignedIn) -> Any:
    response.set_cookie(
        COOKIE,
        signed.session_id,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        max_age=int(sessions.LIFETIME.total_seconds()),
    )
    response.headers["Cache-Control"] = "no-store"  # it hands out a session
    return response


@bp.route("/login/second-factor", methods=["GET", "POST"])
@public
def second_step() -> Any:
    """The code from the authenticator app (or a recovery code), after the password."""
    if not g.pending:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("second_step.html")
    with session() as s:
        try:
            signed = sessions.second_step(
                s, request.cookies.get(COOKIE), request.form.get("code", "")
            )
        except sessions.TooManyAttempts as exc:
            return render_template("second_step.html", error=told(exc)), 429
        if signed is None:
            error = _("That code does not open this account; try the next one.")
            return render_template("second_step.html", error=error), 401
    target = safe_path(request.args.get("next"), _own_work(signed.user))
    return _with_cookie(redirect(target), signed)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required()
@signed_in
def enrol() -> Any:
    """Set up the second factor: a QR code and the secret in text, then a first code."""
    with session() as s:
        user = s.merge(g.user, load=False)
        if second_factor.enrolled(s, user):
            left = second_factor.recovery_left(s, user)
            return render_template("second_factor.html", enrolled=True, left=left)
        if request.method == "POST":
            try:
                codes = second_factor.confirm(s, user, request.form.get("code", ""))
            except second_factor.DeskError as exc:
                return _enrolment(s, user, error=told(exc)), 422
            return render_template(
                "second_factor.html",
                enrolled=True,
                codes=codes,
                next=safe_path(request.args.get("next"), ""),
            )
        return _enrolment(s, user)


def _enrolment(s: Any, user: Any, error: str | None = None) -> str:
    secret = second_factor.pending_secret(s, user) or second_factor.begin(s, user)
    link = second_factor.uri(secret, user.username)
    return render_template(
        "second_factor.html",
        enrolled=False,
        secret=secret,
        qr=Markup(second_factor.qr_svg(link)),  # noqa: S704  # segno's own SVG, no user text
        error=error,
        required=second_factor.required(user),
    )


def _own_work(user: Any) -> str:
    """Where a person lands after signing in: editors and admins on the dashboard, translators
    and reviewers on their own work list."""
    from translator.services import accounts

    if accounts.is_editor(user):
        return url_for("dashboard.index")
    return url_for("workspace.home")


@bp.post("/logout")
@public
def logout() -> Any:
    with session() as s:
        sessions.sign_out(s, request.cookies.get(COOKIE))
    response = redirect(url_for("auth.login"))
    response.delete_cookie(COOKIE)
    return response
