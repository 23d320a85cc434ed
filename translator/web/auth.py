"""Signing in and out, the signed-in user on every request, and CSRF protection on every form."""

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

from translator.services import sessions
from translator.web import session

bp = Blueprint("auth", __name__)
COOKIE = "desk_session"


def init_app(app: Flask) -> None:
    app.before_request(_load_user)
    app.before_request(_protect_forms)
    app.context_processor(
        lambda: {"csrf_token": g.get("csrf_token", ""), "current_user": g.get("user")}
    )


def _load_user() -> None:
    g.user, g.csrf_token = None, ""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return
    with session() as s:
        found = sessions.current(s, raw)
        if found is not None:
            g.user, g.csrf_token = found.user, found.csrf_token
            s.expunge(found.user)


def _protect_forms() -> None:
    """Every browser POST carries the session's CSRF token (the API uses bearer tokens)."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return
    if request.endpoint in ("auth.login", "admin.accept"):
        return  # no session yet: protected by SameSite, the rate limit, the one-time token
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
    target = request.args.get("next", "")
    response = redirect(
        target
        if target.startswith("/") and not target.startswith("//")
        else _own_work(signed.user)
    )
    response.set_cookie(
        COOKIE,
        signed.session_id,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
        max_age=int(sessions.LIFETIME.total_seconds()),
    )
    return response


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
