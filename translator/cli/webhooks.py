"""Webhooks for the campaign's bots and site builds: add, list and remove endpoints, and read
their delivery log, as the operator (services/webhooks.py)."""

from __future__ import annotations

import json

import click

from translator.cli import Context, delivery_moment, fail_cleanly, main

# each command imports the services it uses: see catalogues.py


@main.group()
def webhooks() -> None:
    """Endpoints that hear of events, signed per Standard Webhooks."""


@webhooks.command(name="add")
@click.argument("url")
@click.option(
    "--event",
    "kinds",
    multiple=True,
    required=True,
    metavar="TYPE",
    help="An event type to send (again for more): alert.added, edition.published, "
    "correction.due, deadline.near.",
)
@click.pass_obj
@fail_cleanly
def webhooks_add(obj: Context, url: str, kinds: tuple[str, ...]) -> None:
    """Register an endpoint; its id and signing secret are printed, the secret this once, on
    the last line."""
    from translator.services import policy, webhooks

    with obj.session() as session:
        made = webhooks.add(session, policy.OPERATOR, url, kinds)
    click.echo(f"Webhook {made.endpoint.id} for {', '.join(made.endpoint.events)}.")
    click.echo("Its signing secret, shown only now:")
    click.echo(made.secret)


@webhooks.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--all", "removed", is_flag=True, help="The removed endpoints too.")
@click.pass_obj
@fail_cleanly
def webhooks_list(obj: Context, as_json: bool, removed: bool) -> None:
    """The endpoints (never their secret): id, address, event types, since when."""
    from translator.services import policy, webhooks

    with obj.session() as session:
        found = webhooks.listing(session, policy.OPERATOR, removed=removed)
    if as_json:
        click.echo(json.dumps([e.as_json() for e in found], ensure_ascii=False, indent=1))
        return
    for endpoint in found:
        state = "" if endpoint.active else "  (removed)"
        click.echo(
            f"{endpoint.id:4}  {endpoint.created_at:%Y-%m-%d}  {endpoint.url}  "
            f"{','.join(endpoint.events)}{state}"
        )


@webhooks.command(name="remove")
@click.argument("webhook_id", type=int)
@click.pass_obj
@fail_cleanly
def webhooks_remove(obj: Context, webhook_id: int) -> None:
    """Remove an endpoint by its id: no new events, its deliveries not sent yet given up."""
    from translator.services import policy, webhooks

    with obj.session() as session:
        stopped = webhooks.remove(session, policy.OPERATOR, webhook_id)
    click.echo(f"Webhook {webhook_id} removed; {stopped} deliveries not sent yet given up.")


@webhooks.command(name="deliveries")
@click.argument("webhook_id", type=int, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.pass_obj
@fail_cleanly
def webhooks_deliveries(obj: Context, webhook_id: int | None, as_json: bool, limit: int) -> None:
    """The delivery log, newest first: state, attempts, the last answer or error, the next
    try (of every webhook, or of one)."""
    from translator.services import policy, webhooks

    with obj.session() as session:
        found = webhooks.deliveries(session, policy.OPERATOR, webhook_id, limit=limit)
    if as_json:
        click.echo(json.dumps([d.as_json() for d in found], ensure_ascii=False, indent=1))
        return
    for logged in found:
        when = delivery_moment(logged.next_at, logged.sent_at)
        click.echo(
            f"{logged.id:6}  webhook {logged.webhook:<4} {logged.kind:18} {logged.state:8} "
            f"attempts {logged.attempts:<3} {when}  {logged.last_error}".rstrip()
        )
