"""The outbox: events sent out by mail, webhooks and a git mirror, each delivery retried

`events.dispatched` says whether the workers have fanned an event out to its channels;
`deliveries` holds one row per event, channel and target (a person, an endpoint, the mirror)
with its attempts, next try and last error; `webhook_endpoints` the endpoints admins register;
`users.email` an address a volunteer gives for notifications (opt-in, never shown).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # not in a batch: SQLite's copy of the table would lose users' index on lower(username)
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("events") as batch:
        # events recorded before the outbox existed are not sent out now
        batch.add_column(
            sa.Column("dispatched", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.create_index("ix_events_dispatched", "events", ["dispatched"])
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "target", "event_id", name="uq_deliveries_once"),
    )
    op.create_index("ix_deliveries_state_next", "deliveries", ["state", "next_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_state_next", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("webhook_endpoints")
    op.drop_index("ix_events_dispatched", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("dispatched")
    op.execute("ALTER TABLE users DROP COLUMN email")  # SQLite 3.35 and PostgreSQL alike
