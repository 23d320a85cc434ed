"""Administration of webhooks (admins, second factor): the endpoints, a form to add one (its
signing secret shown once), removal, and the delivery log. Routes of the admin blueprint."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from translator.services import DeskError, webhooks
from translator.services.policy import Action
from translator.web import actor, auth, session
from translator.web.admin import bp
from translator.web.declared import performs
from translator.web.interface import told

LOG_ROWS = 100


@bp.get("/webhooks")
@auth.login_required()
@performs(Action.MANAGE_WEBHOOKS)
def webhook_list(
    made: webhooks.Made | None = None, error: str | None = None, asked: dict[str, Any] | None = None
) -> Any:
    with session() as s:
        who = actor(s)
        endpoints = webhooks.listing(s, who)
        log = webhooks.deliveries(s, who, limit=LOG_ROWS)
    return render_template(
        "admin_webhooks.html",
        endpoints=endpoints,
        log=log,
        kinds=webhooks.KINDS,
        made=made,
        error=error,
        asked=asked or {"url": "", "kinds": ()},
    )


@bp.post("/webhooks")
@auth.login_required()
@performs(Action.MANAGE_WEBHOOKS)
def webhook_add() -> Any:
    url = request.form.get("url", "")
    kinds = [kind for kind in webhooks.KINDS if request.form.get(f"event-{kind}")]
    try:
        with session() as s:
            made = webhooks.add(s, actor(s), url, kinds)
    except DeskError as exc:
        return webhook_list(error=told(exc), asked={"url": url, "kinds": kinds}), 422
    return webhook_list(made=made)


@bp.post("/webhooks/<int:webhook_id>/remove")
@auth.login_required()
@performs(Action.MANAGE_WEBHOOKS)
def webhook_remove(webhook_id: int) -> Any:
    try:
        with session() as s:
            webhooks.remove(s, actor(s), webhook_id)
    except DeskError as exc:
        return webhook_list(error=told(exc)), 404
    return redirect(url_for("admin.webhook_list"))
