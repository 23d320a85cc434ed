"""The people of the desk: accounts, API tokens and the audit log."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from translator.cli import Context, fail_cleanly, main
from translator.services import DeskError

# models.Role's values, written out so that the command starts without the store's modules
# (tests/test_cli.py holds them equal)
ROLES = ("translator", "reviewer", "editor", "admin")

# each command imports the services it uses (argon2 for accounts): see catalogues.py


@main.group()
def users() -> None:
    """Accounts: pseudonymous, invite-only."""


@users.command(name="add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="translator",
    show_default=True,
)
@click.option("--lang", "langs", default="", help="Comma-separated languages, e.g. fa,tr.")
@click.pass_obj
@fail_cleanly
def users_add(obj: Context, username: str, role: str, langs: str) -> None:
    """Create an account; its generated password is printed once."""
    from translator.models import Role
    from translator.services import accounts

    with obj.session() as session:
        password = accounts.create_user(session, username, Role(role), langs)
    click.echo(f"Created {username} ({role}). Password, shown once:")
    click.echo(password)


@users.command(name="retire")
@click.argument("username")
@click.pass_obj
@fail_cleanly
def users_retire(obj: Context, username: str) -> None:
    """Forget a volunteer: a neutral pseudonym everywhere, sessions and tokens ended."""
    from translator.services import accounts

    with obj.session() as session:
        user = accounts.by_username(session, username)
        pseudonym = accounts.retire(session, None, user.id)
    click.echo(f"{username} is now {pseudonym}: signed out, tokens revoked, the work kept.")


@users.command(name="feed")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="Stop the feed without making a new address.")
@click.pass_obj
@fail_cleanly
def users_feed(obj: Context, username: str, revoke: bool) -> None:
    """Make a new address of a person's Atom feed and print it (the old one stops working):
    the desk keeps only its hash, so it is shown now only."""
    from translator.services import accounts, feeds

    with obj.session() as session:
        user = accounts.by_username(session, username)
        if revoke:
            feeds.revoke(session, user)
        else:
            secret = feeds.renew(session, user)
    if revoke:
        click.echo(f"{username}'s feed is revoked: its address no longer answers.")
        return
    click.echo(f"{username}'s feed (on the desk's host), shown once; the old address is revoked:")
    click.echo(feeds.path_of(secret))


@users.command(name="email")
@click.argument("username")
@click.argument("address", required=False)
@click.option("--clear", is_flag=True, help="Stop mail to the person and forget the address.")
@click.pass_obj
@fail_cleanly
def users_email(obj: Context, username: str, address: str | None, clear: bool) -> None:
    """Give a person's address for notifications, as they would on their account page: a
    confirmation link is mailed to it, and mail starts when they follow it (the link is on
    TRANSLATOR_BASE_URL). --clear stops mail and forgets the address. No address is printed."""
    from translator import secret_key
    from translator.services import DeskError, accounts, mail, mail_addresses

    if clear == bool(address):
        raise click.UsageError("give an ADDRESS, or --clear (not both)")
    config = obj.config
    if not clear and not (config.get("SMTP_URL") and config.get("BASE_URL")):
        raise DeskError(
            "mail needs TRANSLATOR_SMTP_URL, and TRANSLATOR_BASE_URL for the confirmation link"
        )
    key = secret_key(config)
    with obj.session() as session:
        user = accounts.by_username(session, username)
        if clear:
            mail_addresses.stop(session, user)
        else:
            language = mail.language_of(user)
            found = mail_addresses.give(session, user, address or "", language=language)
            token = mail_addresses.confirm_token(key, user)
            user_id = user.id
    if clear:
        click.echo(f"Mail to {username} is off; the address is forgotten.")
        return
    link = f"{str(config['BASE_URL']).rstrip('/')}/mail/confirm/{token}"
    try:
        mail.deliver(config, mail.confirmation(config, found, language, link))
    except mail.MailError as exc:
        with obj.session() as session:
            mail_addresses.not_mailed(session, user_id)
        raise DeskError(f"the confirmation link could not be mailed: {exc}") from None
    click.echo(f"A confirmation link is mailed to {username}'s address; mail starts once followed.")


@main.group()
def token() -> None:
    """API tokens for build scripts."""


@token.command(name="create")
@click.argument("username")
@click.option(
    "--scope",
    "scopes",
    default="read",
    show_default=True,
    help="Comma-separated: read, translate, review, publish, admin.",
)
@click.pass_obj
@fail_cleanly
def token_create(obj: Context, username: str, scopes: str) -> None:
    """Create a token; it is printed once, on the last line."""
    from translator.services import tokens

    with obj.session() as session:
        raw = tokens.create(session, username, [s.strip() for s in scopes.split(",") if s])
    click.echo(f"Token for {username} ({scopes}); it is shown only now:")
    click.echo(raw)


@token.command(name="list")
@click.argument("username", required=False)
@click.pass_obj
@fail_cleanly
def token_list(obj: Context, username: str | None) -> None:
    """The tokens (never their secret), with their owner, scopes and state."""
    from translator.services import tokens

    with obj.session() as session:
        found = tokens.listing(session, username)
    for info in found:
        state = "revoked" if info.revoked else "active"
        click.echo(
            f"{info.id:4}  {info.username:20} {','.join(info.scopes):30} "
            f"{info.created_at:%Y-%m-%d}  {state}"
        )


@token.command(name="revoke")
@click.argument("token_id", type=int)
@click.pass_obj
@fail_cleanly
def token_revoke(obj: Context, token_id: int) -> None:
    """Revoke a token by its number (from `translator token list`)."""
    from translator.services import tokens

    with obj.session() as session:
        tokens.revoke(session, token_id)
    click.echo(f"Token {token_id} revoked.")


@main.group(name="audit")
def audit_group() -> None:
    """The keyed, hash-chained audit log: list it, verify it, print its head, cut it to the
    retention period."""


@audit_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row, in a list.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only rows from this day on.")
@click.option("--limit", type=click.IntRange(1), help="Only the newest LIMIT rows.")
@click.pass_obj
@fail_cleanly
def audit_list(obj: Context, as_json: bool, since: Any, limit: int | None) -> None:
    """The log, newest first: accounts by name (pseudonyms once retired), never an address."""
    from translator.services import audit

    with obj.session() as session:
        found = audit.rows(session, since=since, limit=limit)
    if as_json:
        rows = [{**asdict(row), "at": row.at.isoformat()} for row in found]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in found:
        details = json.dumps(row.details, ensure_ascii=False, sort_keys=True)
        click.echo(
            f"{row.seq:6}  {row.at:%Y-%m-%d %H:%M:%S}  {row.action:20} "
            f"{row.actor or '-':16} {row.subject or '-':16} {details}"
        )


@audit_group.command(name="head")
@click.pass_obj
@fail_cleanly
def audit_head(obj: Context) -> None:
    """Print the head, "SEQ HASH", to keep apart from the database (for `verify --head`); exit
    1, printing nothing on stdout, when the chain does not verify."""
    from translator.services import audit

    with obj.session() as session:
        verdict = audit.verify(session)
        seq, sha = audit.head(session)
    if not verdict.intact:
        click.echo(f"audit log broken at row {verdict.first_bad}: {verdict.reason}", err=True)
        sys.exit(1)
    click.echo(f"{seq} {sha}")


def _kept_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from translator.services import audit

    if value is None:
        return None
    try:
        return audit.parse_head(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@audit_group.command(name="verify")
@click.option(
    "--head",
    "kept",
    metavar="SEQ:HASH",
    callback=_kept_head,
    help="A head kept elsewhere (`translator audit head`): the log must still reach it.",
)
@click.pass_obj
@fail_cleanly
def audit_verify(obj: Context, kept: tuple[int, str] | None) -> None:
    """Exit 0 when the chain is intact (and reaches the kept head); else exit 1, naming the
    first row that does not match."""
    from translator.services import audit

    with obj.session() as session:
        verdict = audit.verify(session, kept)
    if not verdict.intact:
        click.echo(f"audit log broken at row {verdict.first_bad}: {verdict.reason}", err=True)
        sys.exit(1)
    click.echo(f"audit log intact: {verdict.rows} rows verified")
    if verdict.keyed_from is None and verdict.rows:
        click.echo(
            "note: no row is keyed yet (all were written before the audit key); the next "
            "recorded action keys the chain and seals its head",
            err=True,
        )


@audit_group.command(name="prune")
@click.option("--days", type=click.IntRange(1), help="Default: TRANSLATOR_AUDIT_DAYS.")
@click.pass_obj
@fail_cleanly
def audit_prune(obj: Context, days: int | None) -> None:
    """Cut rows older than the retention period; the chain verifies on from the last cut row."""
    from translator.services import audit

    days = days or int(obj.config["AUDIT_DAYS"])
    if days <= 0:
        raise DeskError("no retention set: give --days or TRANSLATOR_AUDIT_DAYS")
    with obj.session() as session:
        cut = audit.prune(session, days)
    click.echo(f"{cut} rows older than {days} days cut; the chain is anchored at the last one")
