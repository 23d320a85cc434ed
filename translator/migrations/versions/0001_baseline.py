"""The schema of release b4747c7, the last made without migrations

Every table, index and constraint, and the triggers that keep the edition counts (SQLite and
PostgreSQL). A store made by that release, or an earlier one, is brought to this schema by
`baseline.adopt` and stamped with this revision rather than created by it (`db.create_schema`).

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from translator.migrations import baseline

revision = baseline.REVISION
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    for table in baseline.metadata.sorted_tables:
        op.execute(CreateTable(table))
        for index in sorted(table.indexes, key=lambda index: str(index.name)):
            op.execute(CreateIndex(index))
    for statement in baseline.create_triggers(op.get_context().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in baseline.drop_triggers(op.get_context().dialect.name):
        op.execute(statement)
    for table in reversed(baseline.metadata.sorted_tables):
        op.execute(DropTable(table))
