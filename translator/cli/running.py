"""Running the desk: the web server, job workers, what they send out, and the store's schema."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from translator.cli import Context, delivery_moment, fail_cleanly, main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--jobs/--no-jobs",
    default=True,
    show_default=True,
    help="Start a local job worker beside the web processes (off where `translator worker` "
    "runs elsewhere).",
)
@click.pass_obj
@fail_cleanly
def serve(obj: Context, host: str, port: int, workers: int, jobs: bool) -> None:
    """Serve the web app with gunicorn, and a local job worker."""
    from translator.wsgi import serve as run

    with obj.session():
        pass  # fail early, with a clear message, when the database is not initialised
    click.echo(f"Serving on http://{host}:{port}/")
    run(host, port, workers, obj.config, _worker_command(obj) if jobs else None)


def _worker_command(obj: Context) -> list[str]:
    """`translator worker` on this configuration, one process, for `serve` to start."""
    return [
        sys.executable,
        "-m",
        "translator.cli",
        "--root",
        str(obj.root),
        "--database",
        str(obj.config["DATABASE_URL"]),
        "worker",
        "--concurrency",
        "1",
    ]


@main.command()
@click.option(
    "--concurrency", default=2, show_default=True, type=int, help="Jobs run at once (processes)."
)
@click.pass_obj
@fail_cleanly
def worker(obj: Context, concurrency: int) -> None:
    """Run jobs (editions, imports, checks) from the broker: TRANSLATOR_BROKER_URL, or the
    instance's embedded one. Any machine that reaches the database and the broker can run one."""
    from translator import jobs
    from translator.services import outbox

    with obj.session():
        pass
    from celery.signals import worker_ready

    app = jobs.configure(obj.config)
    click.echo(f"Job worker on {jobs.broker_url(obj.config).split('@')[-1]}", err=True)
    watching: list[Any] = []
    # once the pool is up: overdue jobs are sent again (queued too long, their messages lost with
    # a broker's restart; running with no beat, their worker killed)
    worker_ready.connect(lambda **_: watching.append(jobs.watch_overdue(obj.config)), weak=False)
    # and the outbox is sent: events out by mail, webhooks and the git mirror (services/outbox.py)
    worker_ready.connect(lambda **_: watching.append(outbox.watch(obj.config)), weak=False)
    try:
        app.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-gossip",  # nothing to chat about: the jobs' state is in the database
                "--without-mingle",
                "--without-heartbeat",
            ]
        )
    finally:
        for stop in watching:
            stop.set()


@main.command(name="deliveries")
@click.option("--channel", type=click.Choice(["mail", "webhook", "git"]), help="Only this way out.")
@click.option(
    "--state", type=click.Choice(["pending", "sent", "failed"]), help="Only in this state."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True)
@click.pass_obj
@fail_cleanly
def deliveries(
    obj: Context, channel: str | None, state: str | None, as_json: bool, limit: int
) -> None:
    """What the outbox sent, is sending and gave up, newest first: every channel's delivery log
    (mail names the account, never its address)."""
    from translator.services import outbox

    with obj.session() as session:
        found = outbox.delivery_log(session, None, channel=channel, state=state, limit=limit)
    if as_json:
        click.echo(json.dumps([d.as_json() for d in found], ensure_ascii=False, indent=1))
        return
    for logged in found:
        when = delivery_moment(logged.next_at, logged.sent_at)
        about = " ".join(part for part in (logged.document, logged.language) if part)
        click.echo(
            f"{logged.id:6}  {logged.channel:7} {logged.to:16} {logged.kind:18} {about:28} "
            f"{logged.state:7} attempts {logged.attempts:<3} {when}  {logged.last_error}".rstrip()
        )


@main.group(name="db")
def db_group() -> None:
    """The store's schema: its revision, and the upgrade (which `init` runs too)."""


@db_group.command(name="current")
@click.pass_obj
@fail_cleanly
def db_current(obj: Context) -> None:
    """Print the store's schema revision; exit 1 when it is not this version's newest."""
    from translator import db

    current, newest = db.current_revision(obj.engine), db.head_revision()
    if current == newest:
        click.echo(f"{current} (the newest)")
        return
    click.echo(f"{current or 'none'} (this version's newest: {newest})")
    sys.exit(1)


@db_group.command(name="upgrade")
@click.pass_obj
@fail_cleanly
def db_upgrade(obj: Context) -> None:
    """Bring the store's schema to this version's newest revision, loading nothing."""
    from translator import db

    before = db.current_revision(obj.engine)
    db.create_schema(obj.engine)
    after = db.current_revision(obj.engine)
    if before == after:
        click.echo(f"The store is at {after}, the newest: nothing to do.")
    else:
        click.echo(f"Upgraded the store from {before or 'no revision'} to {after}.")
