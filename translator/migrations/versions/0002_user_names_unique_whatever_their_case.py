"""User names unique whatever their case

A unique index on lower(username): `TRFA` can no longer be made beside `trfa`, by any path.
A store that already holds two names differing only by case is refused, naming them, and left
as it is: an admin retires one of each pair (they may be one person with two
accounts, or two people), then upgrades again. The desk's names are ASCII (letters, digits,
`.`, `_`, `-`), so SQLite's and PostgreSQL's lower() agree.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from translator.db import SchemaError

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

INDEX = "uq_users_username_lower"


def upgrade() -> None:
    if not context.is_offline_mode():  # written as SQL, the database itself refuses a clash
        _refuse_names_differing_by_case()
    op.create_index(INDEX, "users", [sa.text("lower(username)")], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="users")


def _refuse_names_differing_by_case() -> None:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT username FROM users WHERE lower(username) IN "
            "(SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1)"
        )
    )
    clashes: dict[str, list[str]] = {}
    for (name,) in rows:
        clashes.setdefault(name.lower(), []).append(name)
    if clashes:
        pairs = "; ".join(
            " and ".join(repr(n) for n in sorted(clashes[key])) for key in sorted(clashes)
        )
        raise SchemaError(
            "user names must differ by more than case, and these do not: "
            f"{pairs}. Retire one of each (`translator users retire NAME`), then "
            "run the upgrade again; nothing was changed"
        )
