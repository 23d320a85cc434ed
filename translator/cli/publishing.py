"""Publishing from the command line: `translator publish` as the operator, and an edition's
publications with the corrections due since and what each republication corrects."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from translator.cli import Context, fail_cleanly, main

if TYPE_CHECKING:
    import datetime as dt

    from translator.services.git_mirror import Status


@main.command()
@click.argument("slug")
@click.argument("language")
@click.option("--json", "as_json", is_flag=True, help="Print the publication as JSON.")
@click.pass_obj
@fail_cleanly
def publish(obj: Context, slug: str, language: str, as_json: bool) -> None:
    """Publish an edition as it is now (the gate and the two-person rule apply); exit 1 with its
    blockers when it may not go out yet."""
    from translator.services import documents, gate, policy, publications

    try:
        with obj.session() as session:
            document = documents.by_slug(session, slug)
            made = publications.publish_edition(
                session, policy.OPERATOR, document, language, obj.root
            )
            said = _said(made.number, made.published_at.isoformat(timespec="seconds") + "Z")
    except gate.NotPublishable as exc:
        for blocker in exc.blockers:
            click.echo(blocker.message, err=True)
        raise click.ClickException(f"{slug} [{language}] is not publishable yet: {exc}") from None
    click.echo(json.dumps(said) if as_json else f"Published {slug} [{language}] #{said['number']}")


@main.command(name="publications")
@click.argument("slug")
@click.argument("language")
@click.option("--json", "as_json", is_flag=True, help="Print them as a JSON list.")
@click.pass_obj
@fail_cleanly
def publications_command(obj: Context, slug: str, language: str, as_json: bool) -> None:
    """An edition's publications, newest first, and the units a correction of the English has
    changed since each (outdated)."""
    from translator.services import documents, publications

    with obj.session() as session:
        document = documents.by_slug(session, slug)
        rows: list[dict[str, Any]] = []
        for found in publications.publications(session, document.id, language):
            standing = publications.standing(session, found.publication)
            rows.append(
                {
                    **_said(
                        found.publication.number,
                        found.publication.published_at.isoformat(timespec="seconds") + "Z",
                    ),
                    "outdated": standing.outdated,
                    "changed": standing.changed,
                    "correction": publications.correction_record(found.publication),
                }
            )
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        due = (
            f"outdated: units {', '.join(map(str, row['changed']))}"
            if row["outdated"]
            else "current"
        )
        corrects = f"  corrects #{row['correction']['of']}" if row["correction"] else ""
        click.echo(f"#{row['number']}  {row['published_at']}  {due}{corrects}")


def _said(number: int, published_at: str) -> dict[str, object]:
    return {"number": number, "published_at": published_at}


@main.group()
def mirror() -> None:
    """The git mirror of publications (TRANSLATOR_PUBLISH_GIT, TRANSLATOR_PUBLISH_BRANCH)."""


@mirror.command(name="status")
@click.option("--json", "as_json", is_flag=True, help="Print the state as JSON.")
@click.option("--limit", default=10, show_default=True, help="How many deliveries to list.")
@click.pass_obj
@fail_cleanly
def mirror_status(obj: Context, as_json: bool, limit: int) -> None:
    """Where the mirror pushes and its latest deliveries, newest first; exit 1 when the latest
    could not be pushed (it is tried again, or was given up)."""
    from translator.services import git_mirror, policy

    with obj.session() as session:
        found = git_mirror.status(session, obj.config, limit=limit)
        trouble = git_mirror.trouble(session, policy.OPERATOR)
    if as_json:
        click.echo(json.dumps(_mirror_json(found)))
    else:
        for line in _mirror_lines(found):
            click.echo(line)
    if trouble is not None:
        click.echo(trouble.english, err=True)
        sys.exit(1)


def _mirror_json(found: Status) -> dict[str, Any]:
    return {
        "remote": found.remote,
        "branch": found.branch,
        "deliveries": [
            {
                "document": a.slug,
                "language": a.language,
                "number": a.number,
                "state": a.state,
                "attempts": a.attempts,
                "last_error": a.last_error,
                "next_at": _moment(a.next_at) if a.state == "pending" else None,
                "sent_at": _moment(a.sent_at) if a.sent_at else None,
            }
            for a in found.latest
        ],
    }


def _mirror_lines(found: Status) -> list[str]:
    head = (
        f"git mirror: {found.remote} (branch {found.branch})"
        if found.remote
        else "no git mirror: TRANSLATOR_PUBLISH_GIT is not set"
    )
    lines = [head]
    for a in found.latest:
        if a.state == "sent" and a.sent_at:
            said = f"sent {_moment(a.sent_at)}"
        elif a.state == "pending":
            said = f"pending, {a.attempts} tries, next {_moment(a.next_at)}"
        else:
            said = f"given up after {a.attempts} tries"
        error = f": {a.last_error}" if a.last_error and a.state != "sent" else ""
        lines.append(f"{a.slug} {a.language} #{a.number}  {said}{error}")
    return lines


def _moment(value: dt.datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"
