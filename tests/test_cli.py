"""The `translator` command as a person or a build script uses it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sqlalchemy import select

from translator import db
from translator.cli import catalogues
from translator.models import Translation, Unit
from translator.services import catalogue_files, importing


def test_init_loads_the_content_and_prints_the_admin_password_once(run) -> None:
    first = run("init")
    assert re.search(r"Loaded \d{3} units", first.output)
    assert "Created the first account: admin, password" in first.output
    again = run("init")
    assert "nothing loaded" in again.output and "password" not in again.output


def test_after_init_the_planner_reads_an_edition_by_its_document(run, database_url) -> None:
    """Without the store's statistics SQLite read an edition by scanning every translation of
    its language; init gives them (ANALYZE), on both databases."""
    run("init")
    engine = db.make_engine(database_url)
    with engine.connect() as connection:
        analysed = (
            connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1").scalar()
            if engine.dialect.name == "sqlite"
            else connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'translations' "
                "AND last_analyze IS NOT NULL"
            ).scalar()
        )
        if engine.dialect.name == "sqlite":
            query = (
                select(Unit.id)
                .join(Translation, Translation.unit_id == Unit.id)
                .where(Unit.document_id == 1, Translation.language == "fa")
            )
            compiled = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled).fetchall()
            assert "units" in plan[0][3] and "document_id" in plan[0][3], plan
    engine.dispose()
    assert analysed


def test_commands_before_init_say_to_run_init(run) -> None:
    result = run("status", check=False)
    assert result.exit_code == 2 and "run `translator init` first" in result.output


def test_extract_check_passes_on_the_shipped_repository(run) -> None:
    run("init")
    result = run("extract", "--check")
    assert result.exit_code == 0 and "All catalogues are current." in result.output


def test_extract_check_fails_and_names_stale_catalogues(run, root: Path) -> None:
    run("init")
    appeal = root / "source_texts" / "palm-card.md"
    appeal.write_text(appeal.read_text() + "\nA new line for the card.\n")
    result = run("extract", "--check", check=False)
    assert result.exit_code == 1
    assert "stale: " in result.output and "palm-card.pot" in result.output
    assert "7 catalogues are stale" in result.output
    assert "A new line" not in catalogue_files.template_path(root, "palm-card").read_text()


def test_extract_reports_what_changed_and_writes(run, root: Path) -> None:
    run("init")
    card = root / "source_texts" / "palm-card.md"
    card.write_text(
        card.read_text().replace("**Donate** to the campaign.", "**Donate** to the campaign today.")
    )
    result = run("extract")
    assert "palm-card: 0 new, 1 changed (needs editing)" in result.output
    assert "7 catalogues written." in result.output
    assert run("extract", "--check").exit_code == 0


def test_status_json_has_the_documented_keys(run) -> None:
    run("init")
    rows = json.loads(run("status", "--json", "--lang", "fa").output)
    assert {row["language"] for row in rows} == {"fa"}
    assert set(rows[0]) == {
        "document",
        "language",
        "total",
        "untranslated",
        "needs_editing",
        "translated",
        "approved",
        "words_total",
        "words_translated",
        "percent_translated",
        "percent_approved",
        "publishable",
        "blockers",
    }
    appeal = next(row for row in rows if row["document"] == "emergency-appeal")
    assert appeal["percent_translated"] == 100.0
    assert appeal["publishable"] is False
    assert appeal["blockers"][0] == {
        "unit": appeal["blockers"][0]["unit"],
        "location": "emergency-appeal.md:4",
        "state": "translated",
        "code": "blocker.translated",
        "values": {},
        "message": "emergency-appeal.md:4: translated, not approved",
    }


def test_status_table_and_unknown_document(run) -> None:
    run("init")
    assert "emergency-appeal" in run("status").output
    result = run("status", "--document", "nope", check=False)
    assert result.exit_code == 2 and "no document 'nope'" in result.output


def test_import_lists_conflicts_and_refuses_bad_files(run, root: Path, tmp_path: Path) -> None:
    run("init")
    source = catalogue_files.catalogue_path(root, "fa", "palm-card")
    offline = tmp_path / "card.po"
    shutil.copy(source, offline)
    text = offline.read_text()
    first_translation = text.split('msgstr "', 2)[2].split('"', 1)[0]
    offline.write_text(text.replace(first_translation, "ترجمه‌ای دیگر", 1))
    result = run("import", str(offline), "--document", "palm-card", "--lang", "fa")
    assert "0 filled" in result.output and "1 conflicts" in result.output
    assert "conflict, line" in result.output
    broken = tmp_path / "broken.po"
    broken.write_text(text.replace('msgstr "', 'msgstr "unterminated\n', 2))
    bad = run("import", str(broken), "--document", "palm-card", "--lang", "fa", check=False)
    assert bad.exit_code == 2 and f"{broken}:" in bad.output and "unterminated" in bad.output


def test_import_offers_the_service_s_modes() -> None:
    # written out in the command, so that the service is imported only by `translator import`
    assert catalogues.IMPORT_MODES == importing.MODES


def test_users_add_offers_every_role() -> None:
    # written out in the command, so that it starts without the store's modules
    from translator.cli import people
    from translator.models import Role

    assert tuple(role.value for role in Role) == people.ROLES


def test_import_refuses_a_file_over_the_limit(run, tmp_path: Path) -> None:
    run("init")
    big = tmp_path / "big.po"
    big.write_bytes(b"#" * (11 * 1024 * 1024))
    result = run("import", str(big), "--document", "palm-card", "--lang", "fa", check=False)
    assert result.exit_code == 2 and "over the limit" in result.output


def test_users_add_prints_a_password_once_and_refuses_bad_names(run) -> None:
    run("init")
    result = run("users", "add", "sahar", "--role", "translator", "--lang", "fa,tr")
    assert result.output.splitlines()[-1].strip() and "sahar (translator)" in result.output
    again = run("users", "add", "sahar", check=False)
    assert again.exit_code == 2 and "taken" in again.output
    assert run("users", "add", "x y", check=False).exit_code == 2
    assert "unknown language xx" in run("users", "add", "ali", "--lang", "xx", check=False).output
