"""The content and its catalogues: init, extract, import, status, check, build, pull, and the
glossary."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from translator import languages
from translator.cli import Context, fail_cleanly, main, selection
from translator.services import DeskError

if TYPE_CHECKING:
    from translator.services.extract import DocumentUpdate

# Each command imports the services it uses when it runs, not this module: every command (and
# `--help`) imports it first, and would pay for every other command's modules, a few tenths of
# a second (Alembic for init, argon2 for accounts, the editions' stack for build, the Markdown
# and fuzzy matching of extract). `translator extract` is measured against msgcat (make bench);
# tests/test_extract_startup.py holds what it and init import.

# importing.MODES, written out so that `import` alone imports the service (tests/test_cli.py
# holds them equal)
IMPORT_MODES = ("untranslated-only", "suggest", "overwrite")


@main.command()
@click.pass_obj
@fail_cleanly
def init(obj: Context) -> None:
    """Create the database and load source_texts/ and locales/ into it when it is empty."""
    from translator import db
    from translator.services import accounts, forks, glossary, loading

    with forks.collecting_less():
        db.create_schema(obj.engine)
        with obj.session() as session:
            if not loading.is_empty(session):
                click.echo("The database already holds documents; nothing loaded.")
                return
            # the glossary first: the dashboard counts failing checks from the start, and they run
            # (names and terms among them) as the catalogues are read
            terms = glossary.load_shipped(session, obj.root)
            units = loading.load(
                session, obj.root, terms=tuple(glossary.terms(session)), workers=forks.cores()
            )
            password = accounts.ensure_admin(session)
    db.refresh_statistics(obj.engine)
    click.echo(f"Loaded {units} units and {terms} glossary terms from {obj.root.resolve()}.")
    if password:
        click.echo(f"Created the first account: admin, password {password}")
        click.echo("(shown once: write it down, then change it after logging in)")


@main.command()
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and name stale catalogues.")
@click.pass_obj
@fail_cleanly
def extract(obj: Context, check: bool) -> None:
    """Update units from source_texts/ and write locales/ (POT and PO files)."""
    from translator.services import extract_unchanged

    # Nothing changed, told without SQLAlchemy (a third of a second to import, more than the
    # rest of such a run); anything else, or anything it cannot tell, takes the full run.
    unchanged = extract_unchanged.nothing_to_extract(obj.config["DATABASE_URL"], obj.root)
    if unchanged is not None:
        _say_extracted([], unchanged.retired, [], [], check)
        return
    from translator import db
    from translator.services import extract as extraction
    from translator.services import forks

    with forks.collecting_less(), obj.session() as session:
        report, written = extraction.extract(session, obj.root, check=check, workers=forks.cores())
        if check:
            session.rollback()
    if not check and any(document.touched for document in report.documents):
        db.refresh_statistics(obj.engine)
    _say_extracted(report.documents, report.retired, written.stale, written.written, check)


def _say_extracted(
    documents: list[DocumentUpdate],
    retired: list[str],
    stale: list[Path],
    written: list[Path],
    check: bool,
) -> None:
    """What `extract` did to units and files; with check, exit 1 when a catalogue is stale."""
    for document in documents:
        if document.touched:
            click.echo(
                f"{document.slug}: {document.added} new, {document.changed} changed "
                f"(needs editing), {document.obsoleted} obsolete, {document.revived} back, "
                f"{document.fuzzy_matched} started from a similar unit"
            )
    for slug in retired:
        click.echo(f"{slug}: source text is gone; its catalogues are left as they are")
    if check:
        for path in stale:
            click.echo(f"stale: {path}")
        if stale:
            click.echo(f"{len(stale)} catalogues are stale: run `translator extract`.")
            sys.exit(1)
        click.echo("All catalogues are current.")
        return
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"{len(written)} catalogues written.")


@main.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--document", "slug", required=True, help="The document's slug.")
@click.option("--lang", "language", required=True, type=click.Choice(languages.TARGET_LANGUAGES))
@click.option(
    "--mode", type=click.Choice(IMPORT_MODES), default="untranslated-only", show_default=True
)
@click.pass_obj
@fail_cleanly
def import_(obj: Context, file: str, slug: str, language: str, mode: str) -> None:
    """Bring translations from a PO file into the store (nothing changes if the file is bad)."""
    from translator.services import importing, policy

    path = Path(file)
    limit = int(obj.config["MAX_IMPORT_BYTES"])
    if path.stat().st_size > limit:
        raise DeskError(
            f"{path}: file is {path.stat().st_size / 1e6:.1f} MB, over the limit of "
            f"{limit / 1e6:.1f} MB"
        )
    with obj.session() as session:
        report = importing.import_file(
            session,
            path.read_bytes(),
            str(path),
            slug,
            language,
            mode=mode,
            who=policy.OPERATOR,
            max_bytes=limit,
        )
    click.echo(report.summary())
    for conflict in report.conflicts:
        click.echo(
            f"conflict, line {conflict.line}: {conflict.source[:60]!r}\n"
            f"  desk:  {conflict.current[:70]!r}\n  file:  {conflict.incoming[:70]!r}"
        )
    for unknown in report.unknown:
        click.echo(f"not in the document, line {unknown.line}: {unknown.source[:60]!r}")


@main.command()
@selection
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    help="Exit 1 when any selected edition's share is below PERCENT.",
)
@click.option(
    "--share",
    type=click.Choice(["translated", "approved"]),
    default="translated",
    show_default=True,
    help="Which share --fail-under measures.",
)
@click.pass_obj
@fail_cleanly
def status(
    obj: Context,
    as_json: bool,
    language: str | None,
    slug: str | None,
    fail_under: float | None,
    share: str,
) -> None:
    """Units and words by state per document and language, whether each edition is publishable,
    and what blocks it."""
    from translator.services import documents, stats

    with obj.session() as session:
        if slug:
            documents.by_slug(session, slug)  # a DeskError naming it when there is none
        rows = stats.status(session, obj.root, language=language, slug=slug)
    if as_json:
        click.echo(json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False))
    else:
        click.echo(
            f"{'document':28} {'lang':4} {'units':>5} {'untr':>5} {'edit':>5} {'trans':>5} "
            f"{'appr':>5} {'words':>6} {'%tr':>6} {'%appr':>6} {'blockers':>8}"
        )
        for row in rows:
            count = len(row.blockers)
            click.echo(
                f"{row.document:28} {row.language:4} {row.total:5} {row.untranslated:5} "
                f"{row.needs_editing:5} {row.translated:5} {row.approved:5} "
                f"{row.words_total:6} {row.percent_translated:6.1f} {row.percent_approved:6.1f} "
                f"{count if count else 'ready':>8}"
            )
    if fail_under is not None:
        below = [
            row
            for row in rows
            if (row.percent_translated if share == "translated" else row.percent_approved)
            < fail_under
        ]
        for row in below:
            click.echo(f"below {fail_under:g}% {share}: {row.document} {row.language}", err=True)
        if below:
            sys.exit(1)


@main.command()
@selection
@click.pass_obj
@fail_cleanly
def check(obj: Context, as_json: bool, language: str | None, slug: str | None) -> None:
    """Run the quality checks; exit 1 when any error-level check fails."""
    from translator.checks import Severity
    from translator.services import checking, forks

    with obj.session() as session:
        findings = checking.check_store(
            session, language=language, slug=slug, workers=forks.cores()
        )
    if as_json:
        click.echo(json.dumps([asdict(f) for f in findings], indent=2, ensure_ascii=False))
    else:
        for f in findings:
            click.echo(
                f"{f.location} [{f.language}] {f.severity} {f.check}: {f.message}\n"
                f"    English:     {f.source[:100]}\n    Translation: {f.translation[:100]}"
            )
        errors = sum(f.severity == Severity.ERROR for f in findings)
        click.echo(f"{errors} errors, {len(findings) - errors} warnings.")
    if checking.has_errors(findings):
        sys.exit(1)


@main.command()
@click.option(
    "--lang",
    "langs",
    multiple=True,
    type=click.Choice([languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES]),
    help="A language (repeatable); default: English and all six.",
)
@click.option("--document", "slugs", multiple=True, help="A document's slug (repeatable).")
@click.option(
    "--format",
    "formats",
    default="html,pdf,png",
    show_default=True,
    help="Comma-separated: html, pdf, png (share images: alerts and the palm card).",
)
@click.option("--out", default="dist", show_default=True, type=click.Path(file_okay=False))
@click.option("--draft", is_flag=True, help="Build unpublishable editions too, marked as drafts.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@click.pass_obj
@fail_cleanly
def build(
    obj: Context,
    langs: tuple[str, ...],
    slugs: tuple[str, ...],
    formats: str,
    out: str,
    draft: bool,
    paper: str,
) -> None:
    """Write HTML and PDF editions and share images: DIR/<lang>/<slug>.html|.pdf|.png and index
    pages."""
    from translator.services import builds

    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and sys.stderr.isatty():
            bar = click.progressbar(
                length=total, label="PDF editions and share images", file=sys.stderr
            )
            bar.__enter__()
        if bar is not None:
            bar.update(1)
            if done == total:
                bar.__exit__(None, None, None)

    with obj.session() as session:
        report = builds.build(
            session,
            obj.root,
            Path(out),
            langs,
            slugs,
            [f.strip() for f in formats.split(",") if f.strip()],
            draft=draft,
            paper=paper,
            progress=progress,
        )
    for slug in report.no_edition:
        click.echo(f"skipped {slug}: interface strings have no edition")
    for name, reason in report.blocked:
        click.echo(f"skipped {name}: not publishable ({reason})")
    click.echo(
        f"{len(report.rendered)} files rendered, {len(report.unchanged)} unchanged, "
        f"{len(report.blocked)} editions not publishable; in {out}/"
    )


@main.command(name="pull")
@click.option("--server", required=True, help="The desk's address, e.g. http://127.0.0.1:5000")
@click.option(
    "--token",
    "raw_token",
    required=True,
    envvar="TRANSLATOR_TOKEN",
    help="An API token (or TRANSLATOR_TOKEN).",
)
@click.option("--lang", "langs", multiple=True, help="A language (repeatable); default: all.")
@click.option("--document", "slugs", multiple=True, help="A document (repeatable); default: all.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["po", "mo", "json"]),
    default="po",
    show_default=True,
)
@click.option(
    "--editions",
    is_flag=True,
    help="Also the published HTML and PDF editions, as a static site in OUT/editions/.",
)
@click.option("--out", required=True, type=click.Path(file_okay=False))
@fail_cleanly
def pull_command(
    server: str,
    raw_token: str,
    langs: tuple[str, ...],
    slugs: tuple[str, ...],
    file_format: str,
    editions: bool,
    out: str,
) -> None:
    """Download translations (and editions) from a desk; only what changed. A file that fails
    is named and the others are written: exit status 1 at the end (2 when the desk cannot be
    asked at all: unreachable, a bad token)."""
    from translator import pull

    report = pull.pull(
        pull.Client(server, raw_token), Path(out), list(langs), list(slugs), file_format, editions
    )
    for name in report.skipped:
        click.echo(f"skipped {name}")
    for failure in report.failed:
        click.echo(f"failed {failure}", err=True)
    for due in report.outdated:
        units = ", ".join(map(str, due.changed))
        click.echo(
            f"outdated {due.edition}: publication {due.number} of {due.published_at} went out "
            f"before the English of units {units} was corrected; republish it",
            err=True,
        )
    click.echo(
        f"{len(report.downloaded)} downloaded, {len(report.unchanged)} unchanged, "
        f"{len(report.skipped)} skipped, {len(report.failed)} failed"
        + (f", {len(report.outdated)} editions outdated" if report.outdated else "")
        + f"; in {out}/"
    )
    if editions:
        click.echo(f"the editions' site: {Path(out) / pull.SITE / 'index.html'}")
    if report.failed:
        sys.exit(1)


@main.group(name="glossary")
def glossary_group() -> None:
    """The campaign's terms and names, with their approved forms per language."""


@glossary_group.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Drop terms that are not in the file.")
@click.pass_obj
@fail_cleanly
def glossary_import(obj: Context, file: str, replace: bool) -> None:
    """Import terms from a CSV or TBX file (new terms added, known ones updated)."""
    from translator.services import checking, forks, glossary

    path = Path(file)
    new = glossary.read_file(path.read_bytes(), str(path))
    with obj.session() as session:
        added, updated = glossary.import_terms(session, new, replace=replace)
        if not obj.config["BROKER_URL"]:
            # names and terms are checked in every translation
            checking.check_store(session, workers=forks.cores())
    click.echo(f"{added} terms added, {updated} updated.")
    if obj.config["BROKER_URL"]:  # at scale, a worker checks every translation again
        click.echo(f"The checks run again as job {_queue(obj, 'recheck')}.")


def _queue(obj: Context, kind: str) -> str:
    """Start a job on the configured broker; its id."""
    from translator import jobs
    from translator.services import jobs as records

    with obj.session() as session:
        job, _ = records.start(session, kind, {})
        job_id = job.id
    jobs.configure(obj.config)
    jobs.enqueue(obj.config, obj._factory, job_id)
    with obj.session() as session:
        queued = records.get(session, job_id)
        if queued is None or queued.state == records.FAILED:
            raise DeskError(f"job {job_id}: {queued.message if queued else 'gone'}")
    return job_id


@glossary_group.command(name="export")
@click.option(
    "--format", "file_format", type=click.Choice(["csv", "tbx"]), default="csv", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False), help="A file (default: standard output).")
@click.pass_obj
@fail_cleanly
def glossary_export(obj: Context, file_format: str, out: str | None) -> None:
    """Export the glossary as CSV or TBX."""
    from translator.services import catalogue_files, glossary

    with obj.session() as session:
        text = glossary.export(session, file_format)
    if out:
        catalogue_files.write_atomically(Path(out), text.encode())
    else:
        click.echo(text, nl=False)


@glossary_group.command(name="list")
@click.option("--lang", "language", type=click.Choice(languages.TARGET_LANGUAGES))
@click.pass_obj
@fail_cleanly
def glossary_list(obj: Context, language: str | None) -> None:
    """The terms, with their approved forms."""
    from translator.services import glossary

    with obj.session() as session:
        found = glossary.terms(session)
    for term in found:
        codes = [language] if language else list(languages.TARGET_LANGUAGES)
        forms = "  ".join(f"{c}: {' | '.join(term.forms.get(c, ())) or '—'}" for c in codes)
        click.echo(f"{term.english} ({term.type})  {forms}")
