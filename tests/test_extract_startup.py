"""`translator extract` with nothing to do is measured against `msgcat` (make bench): the command
starts without the web stack, and without what only other commands use (each command imports
its heavy modules itself)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

WEB_STACK = ("flask", "flask_babel", "celery", "kombu", "weasyprint", "translator.jobs")
# the schema's migrations (init, db), password hashing (init, users), the editions (build)
SCHEMA = ("alembic", "translator.migrations.baseline")
ACCOUNTS = ("argon2", "translator.services.accounts")
EDITIONS = ("translator.services.builds", "translator.formats.editions")


def test_the_command_line_starts_without_flask_celery_or_weasyprint() -> None:
    """Nor any service: each command imports those it uses when it runs."""
    watched = WEB_STACK + SCHEMA + ACCOUNTS + EDITIONS
    script = (
        "import sys; import translator.cli; "
        f"print(*(m for m in sys.modules if m in {watched!r} "
        "or m.startswith('translator.services.')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def imported_by(command: list[str], watched: tuple[str, ...], tmp_path: Path) -> set[str]:
    """Which of `watched` a run of `translator COMMAND` imports, in a process of its own."""
    script = (
        "import sys\n"
        "from translator.cli import main\n"
        f"main({command!r}, standalone_mode=False)\n"
        f"print('imported:', *(m for m in {watched!r} if m in sys.modules))\n"
    )
    environ = {**os.environ, "TRANSLATOR_INSTANCE_PATH": str(tmp_path / "instance")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environ
    )
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("imported:"), done.stdout
    return set(last.split()[1:])


def test_init_and_extract_import_only_what_they_use(root: Path, tmp_path: Path) -> None:
    store = ["--root", str(root), "--database", f"sqlite:///{tmp_path / 'desk.db'}"]
    watched = WEB_STACK + SCHEMA + ACCOUNTS + EDITIONS
    # init makes the schema and the first account: it needs alembic and argon2, nothing more
    assert imported_by([*store, "init"], watched, tmp_path) == {*SCHEMA, *ACCOUNTS}
    assert imported_by([*store, "extract"], watched, tmp_path) == set()
    assert imported_by([*store, "extract", "--check"], watched, tmp_path) == set()


def test_the_app_factory_and_the_interface_extension_are_still_the_package_s(
    tmp_path: Path,
) -> None:
    settings = {
        "TESTING": True,
        "DATABASE_URL": "sqlite://",
        "SECRET_KEY": "k",
        "INSTANCE_PATH": str(tmp_path),
    }
    script = (
        "from translator import babel, create_app; "
        f"app = create_app({settings!r}); "
        "print(app.extensions['babel'].instance is babel)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_extract_with_nothing_changed_starts_without_sqlalchemy_or_the_parsers(
    loaded: object, run: Callable[..., Result], database_url: str, root: Path, tmp_path: Path
) -> None:
    """It is told from the store's rows by the database's own driver (on either database),
    and from the files' hashes: the full run's modules are never imported."""
    full_run = ("sqlalchemy", "translator.models", "translator.formats.markdown", "rapidfuzz")
    run("extract")  # the first records what each file is written from
    store = ["--root", str(root), "--database", database_url]
    for command in (["extract"], ["extract", "--check"]):
        assert imported_by([*store, *command], full_run + WEB_STACK, tmp_path) == set()
    # anything changed: the full run
    (root / "source_texts" / "faq.md").write_text(
        (root / "source_texts" / "faq.md").read_text() + "\nOne more answer.\n"
    )
    assert "sqlalchemy" in imported_by([*store, "extract"], full_run, tmp_path)
