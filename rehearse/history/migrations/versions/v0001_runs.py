"""The first history: runs, their phases, steps, migrations and checks, and row counts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(64), nullable=False, unique=True),
        sa.Column("store", sa.String(200), nullable=False, index=True),
        sa.Column("scenario", sa.Text, nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False, index=True),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("report_folder", sa.Text, nullable=False),
        sa.Column("images", sa.JSON, nullable=False),
        sa.Column("backup_name", sa.Text),
        sa.Column("backup_size", sa.BigInteger),
        sa.Column("backup_modified", sa.String(40)),
        sa.Column("backup_age_seconds", sa.Float),
        sa.Column("backup_sha256", sa.String(64)))
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("seconds", sa.Float),
        sa.Column("detail", sa.Text, nullable=False))
    op.create_table(
        "row_counts",
        sa.Column("run", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("table_name", sa.String(200), primary_key=True),
        sa.Column("rows", sa.BigInteger, nullable=False))


def downgrade() -> None:
    for table in ("row_counts", "items", "runs"):
        op.drop_table(table)
