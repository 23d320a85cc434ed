"""Mail addresses are confirmed: an address given waits until the link mailed to it is followed

`users.email_pending` holds an address given and not yet confirmed (mail goes only to
`users.email`, a confirmed one), `users.email_asked_at` when its last confirmation link was
mailed (one every few minutes at most), `users.email_language` the interface language the
address was given in (mail's language, unless the account chose one).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # not in a batch: SQLite's copy of the table would lose users' index on lower(username)
    op.add_column("users", sa.Column("email_pending", sa.String(length=254), nullable=True))
    op.add_column("users", sa.Column("email_asked_at", sa.DateTime(), nullable=True))
    op.add_column("users", sa.Column("email_language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    for column in ("email_language", "email_asked_at", "email_pending"):
        op.execute(f"ALTER TABLE users DROP COLUMN {column}")  # SQLite 3.35 and PostgreSQL alike
