"""Signing in and out (with a second factor when one is set up), the signed-in user on every
request, CSRF protection on every form, and the second factor editors and admins need before
they approve, publish or administer."""

from __future__ import annotations

import hmac
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
from markupsafe import Markup

from translator.services import second_factor, sessions
from translator.web import session
from translator.web.security import safe_path

bp = Blueprint("auth", __name__)
COOKIE = "desk_session"


def init_app(app: Flask) -> None:
    app.before_request(_load_user)
    app.before_request(_protect_forms)
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


# what an editor or admin does only with a second factor set up
PRIVILEGED = {"dashboard.publish_edition", "dashboard.settings"}


def _privileged() -> bool:
    if request.blueprint == "admin" and request.endpoint != "admin.accept":
        return True
    if request.endpoint in PRIVILEGED:
        return True
    return request.method == "POST" and request.form.get("state") == "approved"


def _second_factor_first() -> Any:
    """An editor or admin without a second factor sets one up before anything privileged."""
    user = g.user
    if request.path.startswith("/api/"):
        return None  # API tokens are not concerned
    if user is None or not second_factor.required(user) or not _privileged():
        return None
    with session() as s:
        if second_factor.enrolled(s, user):
            return None
    return redirect(url_for("auth.enrol", next=request.full_path.rstrip("?")))


def _protect_forms() -> None:
    """Every browser POST carries the session's CSRF token (the API uses bearer tokens)."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    if request.endpoint in ("auth.login", "admin.accept"):
        return  # no session yet: protected by SameSite, the rate limit, the one-time token
    if request.endpoint == "interface.choose" and g.user is None:
        return  # a visitor's choice of language only sets a cookie in their own browser
    sent = request.form.get("csrf_token", "")
    if not g.csrf_token or not hmac.compare_digest(sent, g.csrf_token):
        abort(400, description="the form expired or did not come from this site; reload it")


def login_required(role_check: Callable[[Any], bool] | None = None) -> Callable[..., Any]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.login", next=request.path))
            if role_check is not None and not role_check(g.user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        return render_template("login.html", joined=request.args.get("joined") == "1")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    client = sessions.client_key(request.remote_addr or "", current_app.config["SECRET_KEY"])
    with session() as s:
        try:
            signed = sessions.sign_in(s, username, password, client)
        except sessions.TooManyAttempts as exc:
            return render_template("login.html", error=str(exc)), 429
        if signed is None:
            return render_template("login.html", error=_("Wrong user name or password.")), 401
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
    return response


@bp.route("/login/second-factor", methods=["GET", "POST"])
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
            return render_template("second_step.html", error=str(exc)), 429
        if signed is None:
            error = _("That code does not open this account; try the next one.")
            return render_template("second_step.html", error=error), 401
    target = safe_path(request.args.get("next"), _own_work(signed.user))
    return _with_cookie(redirect(target), signed)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required()
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
                return _enrolment(s, user, error=str(exc)), 422
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
def logout() -> Any:
    with session() as s:
        sessions.sign_out(s, request.cookies.get(COOKIE))
    response = redirect(url_for("auth.login"))
    response.delete_cookie(COOKIE)
    return response
