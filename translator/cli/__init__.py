"""The `translator` command: the same services the web and the API call, for people and scripts.

The group and what every command shares are here; the commands are in catalogues.py (the
content and its catalogues), people.py (accounts, tokens, the audit log), running.py (the
server, workers, the schema) and webhooks.py (endpoints that hear of events).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from translator import config as config_module
from translator import languages
from translator.services import DeskError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The store's modules (SQLAlchemy) are imported by the commands that open it, not here: a command
# that only talks to a desk over HTTP (`translator pull`) starts without them, and so does
# `translator extract` with nothing to do (services/extract_unchanged.py reads its rows through
# the database's own driver).


class Context:
    """What every command needs: the configuration and a way to open a transaction."""

    def __init__(self, overrides: dict[str, Any]) -> None:
        self.config = config_module.load(overrides)
        self.root = Path(self.config["ROOT"])
        self._factory: Any = None

    @property
    def engine(self) -> Any:
        from translator import db

        if self._factory is None:
            self._engine = db.make_engine(self.config["DATABASE_URL"])
            self._factory = db.session_factory(self._engine)
        return self._engine

    @contextmanager
    def session(self, need_schema: bool = True) -> Iterator[Session]:
        from translator import db

        engine = self.engine
        if need_schema and not db.has_schema(engine):
            raise DeskError("the database has no tables yet: run `translator init` first")
        with db.transaction(self._factory) as session:
            yield session


def fail_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DeskError into a message on stderr and exit status 2, never a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DeskError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper


def delivery_moment(next_at: datetime | None, sent_at: datetime | None) -> str:
    """When a delivery of the outbox's log went out, or is tried next (UTC)."""
    if sent_at is not None:
        return f"sent {sent_at:%Y-%m-%d %H:%M:%S}"
    return f"next {next_at:%Y-%m-%d %H:%M:%S}" if next_at is not None else ""


def selection(command: Callable[..., Any]) -> Callable[..., Any]:
    """--json, --lang and --document, as `status` and `check` take them."""
    command = click.option("--document", "slug", help="One document's slug.")(command)
    command = click.option("--lang", "language", type=click.Choice(languages.TARGET_LANGUAGES))(
        command
    )
    return click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")(command)


@click.group()
@click.option("--root", type=click.Path(file_okay=False), help="Content root (TRANSLATOR_ROOT).")
@click.option("--database", help="Database URL (TRANSLATOR_DATABASE_URL).")
@click.pass_context
def main(ctx: click.Context, root: str | None, database: str | None) -> None:
    """The campaign translation desk."""
    overrides: dict[str, Any] = {}
    if root:
        overrides["ROOT"] = root
    if database:
        overrides["DATABASE_URL"] = database
    ctx.obj = Context(overrides)


# the commands register themselves on `main` when their modules are imported
from translator.cli import catalogues, people, publishing, running, webhooks  # noqa: E402, F401
