"""Running jobs beat: a job whose worker died is taken by another within a minute

A running job's worker now writes `beat_at` every few seconds. A job running with no beat for
longer than the desk's stall time (`TRANSLATOR_JOB_STALLED_SECONDS`, 60 by default) lost its
worker (killed, its machine gone) and is sent to the workers again; before, it waited fifteen
minutes from its start. Jobs kept before have no beat and are judged by their start.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("beat_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("beat_at")
