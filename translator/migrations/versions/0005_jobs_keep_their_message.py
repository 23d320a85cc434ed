"""Jobs keep their message as data: a failed job's reason is said in its reader's language

A job's `message` was an English sentence only; `said` now keeps what the job said as a message
id with its values (JSON: text, code, values, plural), so that the progress page says a failure
in the reader's language. Jobs kept before have none and are said as their English.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("said", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("said")
