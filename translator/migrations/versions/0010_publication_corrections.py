"""Publications keep their correction: which publication a republished edition corrects

`publications.correction` (JSON, empty for a publication that corrects nothing) holds what the
note of a corrected edition needs beside the snapshot's own units: the number and the date of
the publication it corrects, which was outdated by a correction of the English, and the units
whose English changed since (their texts are the snapshot's).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # not in a batch: SQLite's copy of the table would lose the public versions' triggers on it
    op.add_column("publications", sa.Column("correction", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) and PostgreSQL drop a column in place, triggers kept
    op.execute("ALTER TABLE publications DROP COLUMN correction")
