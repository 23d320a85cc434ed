"""Alembic's environment for the desk. `db.create_schema` (run by `translator init` and
`translator db upgrade`) hands it a connection already in the upgrade's one transaction; the
`alembic` command that developers run (configured in pyproject.toml) connects to the store of
TRANSLATOR_DATABASE_URL the same way, or writes the SQL (`--sql`) for the URL's dialect."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from translator import config, db
from translator.models import Base


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite changes most columns and constraints by copying the table ("batch" mode)
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run(given)
elif context.is_offline_mode():
    run_offline(config.load({})["DATABASE_URL"])
else:
    engine = db.make_engine(config.load({})["DATABASE_URL"])
    try:
        with db.migrating(engine) as connection:
            run(connection)
    finally:
        engine.dispose()
