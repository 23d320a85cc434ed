"""Publishing from the command line: `translator publish` as the operator, and an edition's
publications with the corrections due since."""

from __future__ import annotations

import json
from typing import Any

import click

from translator.cli import Context, fail_cleanly, main


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
        click.echo(f"#{row['number']}  {row['published_at']}  {due}")


def _said(number: int, published_at: str) -> dict[str, object]:
    return {"number": number, "published_at": published_at}
