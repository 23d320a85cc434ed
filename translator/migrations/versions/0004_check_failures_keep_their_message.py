"""Check failures keep their message: the message id, its code and its values

A check failure was kept as an English sentence only; it now keeps what the check said as data
too, so that a page says it in its reader's language: `message_id` (the English template, the
interface catalogue's msgid), `message_code` (a stable name for programs) and `message_values`
(JSON, kept as text). `message` stays, in English, for the command line and the API. Failures
kept before have an empty id and are said as their English until their translation is checked
again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-11
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("check_failures") as batch:
        batch.add_column(sa.Column("message_id", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("message_code", sa.String(length=60), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("message_values", sa.Text(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("check_failures") as batch:
        batch.drop_column("message_values")
        batch.drop_column("message_code")
        batch.drop_column("message_id")
