"""Print the SQL statements a release of the desk runs to create its schema on an empty database.

The statements of a release made before migrations existed are frozen in
tests/data/release-<commit>/<dialect>.sql, so that the upgrade from a store made by that release is
tested for good, whatever the models become. To freeze another release's (run from the repository):

    git archive <commit> translator | tar -x -C /tmp/release
    export PYTHONPATH=/tmp/release:.venv/lib/python3.11/site-packages
    .venv/bin/python -S scripts/release_schema.py sqlite:////tmp/release.db > sqlite.sql
    .venv/bin/python -S scripts/release_schema.py \
        'postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dempty' \
        > postgresql.sql

(-S: the release's `translator`, not the checkout installed in .venv.) The database must be
empty: a new SQLite file, or a new PostgreSQL schema first in search_path.
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import event

from translator import db

SEPARATOR = "-- statement"
DDL = ("CREATE", "DROP", "ALTER")


def header(url: str) -> str:
    dialect = db.make_engine(url).dialect.name
    return (
        f"-- The statements `translator init` of a release ran on an empty {dialect} database,\n"
        "-- recorded by scripts/release_schema.py, each after a line `-- statement`.\n"
    )


def statements(url: str) -> list[str]:
    """The DDL that `db.create_schema` of the importable `translator` runs on the URL's database."""
    engine = db.make_engine(url)
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(DDL):
            seen.append(statement.strip())

    event.listen(engine, "before_cursor_execute", record)
    db.create_schema(engine)
    engine.dispose()
    return seen


if __name__ == "__main__":
    print(header(sys.argv[1]), end="")
    for statement in statements(sys.argv[1]):
        print(f"{SEPARATOR}\n{statement}")
