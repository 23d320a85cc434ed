"""E-mail, opt-in: the account page where a volunteer gives an address (a confirmation link is
mailed to it), sees whether mail is on (never the address) and stops it; the confirmation link;
and the link in every mail that stops mail in one click (RFC 8058: a mail client posts to it
without a cookie, so its signed token, not a session, is the proof)."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Blueprint, current_app, g, render_template, request, url_for
from flask_babel import gettext as _

from translator.models import User
from translator.services import DeskError, mail, mail_addresses
from translator.web import session
from translator.web.auth import login_required
from translator.web.declared import public, signed_in
from translator.web.interface import current, told

bp = Blueprint("mail", __name__)


@bp.route("/account/mail", methods=["GET", "POST"])
@login_required()
@signed_in
def account() -> Any:
    """Mail is off, waiting for its confirmation, or on; give an address, or stop mail."""
    said, error, status = None, None, 200
    action = request.form.get("action") if request.method == "POST" else None
    if action == "stop":
        with session() as s:
            mail_addresses.stop(s, s.merge(g.user, load=False))
        said = _("Mail is off, and the address is forgotten.")
    elif action == "give":
        error = _asked_for(request.form.get("address", ""))
        said, status = (None, 422) if error else (_("A confirmation link is on its way."), 200)
    with session() as s:
        user = s.get(User, g.user.id)
        assert user is not None  # the signed-in person
        page = _page(user, said=said, error=error)
    return page, status


def _page(user: User, *, said: str | None, error: str | None) -> str:
    return render_template(
        "account_mail.html",
        standing=mail_addresses.standing(user).value,
        configured=bool(current_app.config.get("SMTP_URL")),
        language=Locale.parse(current()).languages.get(mail.language_of(user)),
        said=said,
        error=error,
    )


def _asked_for(address: str) -> str | None:
    """Keep `address` waiting for confirmation and mail it the link; what went wrong, said."""
    config = current_app.config
    if not config.get("SMTP_URL"):
        return _("This desk sends no e-mail: no mail server is configured.")
    try:
        with session() as s:
            user = s.merge(g.user, load=False)
            address = mail_addresses.give(s, user, address, language=current())
            token = mail_addresses.confirm_token(config["SECRET_KEY"], user)
    except DeskError as exc:
        return told(exc)
    link = _external(url_for("mail.confirm", token=token))
    try:  # after the commit: a slow mail server holds no lock on the store
        mail.deliver(config, mail.confirmation(config, address, current(), link))
    except mail.MailError as exc:
        with session() as s:
            mail_addresses.not_mailed(s, g.user.id)
        if exc.unreachable:
            return _("The desk could not reach its mail server; try again later.")
        return _("The mail server did not take this address.")
    return None


def _external(path: str) -> str:
    """An address of the desk for a mail: at BASE_URL when it is configured (the one the
    worker's mails link to), else at the host this request came to."""
    base = str(current_app.config.get("BASE_URL") or request.host_url).rstrip("/")
    return base + path


@bp.route("/mail/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str) -> Any:
    """A button, so that a link scanner's GET confirms nothing; its POST confirms."""
    if request.method == "GET":
        return _link_page("confirm")
    with session() as s:
        done = mail_addresses.confirm(s, current_app.config["SECRET_KEY"], token)
    return _link_page("confirmed" if done else "not-confirmed", 200 if done else 410)


@bp.route("/mail/stop/<token>", methods=["GET", "POST"])
@public
def stop(token: str) -> Any:
    """The stop link of every mail: GET asks, POST (the button, or a mail client's one-click
    `List-Unsubscribe=One-Click`) stops."""
    if request.method == "GET":
        return _link_page("stop")
    with session() as s:
        done = mail_addresses.stop_by_link(s, current_app.config["SECRET_KEY"], token)
    return _link_page("stopped" if done else "not-stopped")


def _link_page(step: str, status: int = 200) -> Any:
    response = current_app.make_response((render_template("mail_link.html", step=step), status))
    response.headers["Cache-Control"] = "no-store"  # the address holds the link's token
    return response
