"""Recorded rehearsals for history tests: a builder, and what every history database must do."""

from __future__ import annotations

from dataclasses import replace

from rehearse.history.database import opened
from rehearse.history.records import CHECK, MIGRATION, PHASE, STEP, BackupFacts, Item, RunRecord

STEP_NAME = "4.50 → 4.60"


def night(n: int, step: float = 30.0, verdict: str = "pass", check: str = "pass",
          products: int = 100, migration: float = 2.0, store: str = "shop") -> RunRecord:
    """Night `n` of November: an upgrade whose step takes `step` seconds."""
    return RunRecord(
        f"{store}-run{n}", store, f"{store}.yaml", "4.50", "4.60", "postgresql",
        f"2026-11-{n:02d}T02:00:00+00:00", step + 20, verdict, f"/out/{n}",
        images={"database": "postgres:15 sha256:ab"},
        backup=BackupFacts(f"{store}-{n}.dump", 1000 + n, f"2026-11-{n:02d}T00:30:00+00:00",
                           5400.0, "cafe" * 16),
        items=(Item(PHASE, "restore", "pass", 12.0), Item(PHASE, "upgrade", "pass", step),
               Item(PHASE, "smoke checks", "pass", 3.0), Item(STEP, STEP_NAME, "pass", step),
               Item(MIGRATION, "UpgradeTo460.DataMigration", "pass", migration),
               Item(MIGRATION, "UpgradeTo460.SchemaMigration", "pass", None),
               Item(CHECK, "page.home", check, 0.2, "home answers 200")),
        row_counts={"Product": products, "Order": 50})


def assert_history_round_trip(url: str) -> None:
    """Runs go in, come back whole, newest first, by store; reopening keeps them."""
    with opened(url) as history:
        for n in (3, 1, 2):
            history.record(night(n))
        history.record(night(2, verdict="fail"))  # the newest row recorded again: replaced
        history.record(night(4, store="other"))
    with opened(url) as history:  # the schema is already at head: nothing to migrate
        runs = history.runs("shop")
        assert [r.run_id for r in runs] == ["shop-run3", "shop-run2", "shop-run1"]
        assert runs[0] == night(3)
        assert runs[1] == replace(night(2), verdict="fail")
        assert [r.store for r in history.runs(last=2)] == ["other", "shop"]
        assert history.runs("other") == [night(4, store="other")]
        assert history.runs("nobody") == []
