"""The audit head is sealed: where the keyed chain starts, and the head's HMAC

`keyed_from` is the first row of the audit log digested with the desk's audit key (rows before
it keep their plain SHA-256: they were written before the key); `seal` is the key's HMAC over
the head, its anchor and `keyed_from`. Both stay empty in an existing store until its next audit
row, which services/audit.py writes keyed and seals (docs/decisions.md, "The audit log's key").

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("keyed_from", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("seal", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("seal")
        batch.drop_column("keyed_from")
