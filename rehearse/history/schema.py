"""The history's tables (SQLAlchemy Core); Alembic's migrations create and evolve them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

METADATA = MetaData()

RUNS = Table(
    "runs", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(64), nullable=False, unique=True),
    Column("store", String(200), nullable=False, index=True),
    Column("scenario", Text, nullable=False),
    Column("source", String(20), nullable=False),
    Column("target", String(20), nullable=False),
    Column("provider", String(20), nullable=False),
    Column("started_at", String(40), nullable=False, index=True),  # ISO 8601, UTC: sorts
    Column("seconds", Float, nullable=False),
    Column("verdict", String(10), nullable=False),
    Column("report_folder", Text, nullable=False),
    Column("images", JSON, nullable=False),
    Column("backup_name", Text),
    Column("backup_size", BigInteger),
    Column("backup_modified", String(40)),
    Column("backup_age_seconds", Float),
    Column("backup_sha256", String(64)),
)

ITEMS = Table(
    "items", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("name", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("seconds", Float),
    Column("detail", Text, nullable=False),
)

ROW_COUNTS = Table(
    "row_counts", METADATA,
    Column("run", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("table_name", String(200), primary_key=True),
    Column("rows", BigInteger, nullable=False),
)
