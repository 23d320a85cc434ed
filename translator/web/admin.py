"""Administration: API tokens for build scripts (list, create, revoke). Admins only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select

from translator.models import Role, User
from translator.services import DeskError, tokens
from translator.web import auth, session

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


@bp.get("/tokens")
@auth.login_required(_is_admin)
def token_list(created: str | None = None, error: str | None = None) -> Any:
    with session() as s:
        found = tokens.listing(s)
        users = list(s.scalars(select(User.username).order_by(User.username)))
    return render_template(
        "admin_tokens.html",
        tokens=found,
        users=users,
        scopes=tokens.SCOPES,
        created=created,
        error=error,
    )


@bp.post("/tokens")
@auth.login_required(_is_admin)
def token_create() -> Any:
    scopes = [s for s in tokens.SCOPES if request.form.get(f"scope-{s}")]
    try:
        with session() as s:
            raw = tokens.create(s, request.form.get("username", ""), scopes)
    except DeskError as exc:
        return token_list(error=str(exc)), 422
    return token_list(created=raw)


@bp.post("/tokens/<int:token_id>/revoke")
@auth.login_required(_is_admin)
def token_revoke(token_id: int) -> Any:
    try:
        with session() as s:
            tokens.revoke(s, token_id)
    except DeskError as exc:
        return token_list(error=str(exc)), 404
    return redirect(url_for("admin.token_list"))
