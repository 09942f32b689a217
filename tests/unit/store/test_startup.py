from __future__ import annotations

from rehearse.store.startup import Startup

HEALTHY = """\
info: FluentMigrator.Runner.MigrationRunner[1000]
      638259768000000005: Nop.Web.Framework.Migrations.UpgradeTo460.DataMigration migrating
info: FluentMigrator.Runner.MigrationRunner[1000]
      638259768000000005: Nop.Web.Framework.Migrations.UpgradeTo460.DataMigration migrated
info: FluentMigrator.Runner.MigrationRunner[1000]
      638259768000000010: Nop.Web.Framework.Migrations.UpgradeTo460.LocalizationMigration migrating
info: FluentMigrator.Runner.MigrationRunner[1000]
      638259768000000010: Nop.Web.Framework.Migrations.UpgradeTo460.LocalizationMigration migrated
info: Microsoft.Hosting.Lifetime[14]
      Now listening on: http://[::]:80
info: Microsoft.Hosting.Lifetime[0]
      Application started. Press Ctrl+C to shut down.
"""

FAILING = """\
info: FluentMigrator.Runner.MigrationRunner[1000]
      638259768000000005: Nop.Web.Framework.Migrations.UpgradeTo460.DataMigration migrating
fail: FluentMigrator.Runner.MigrationRunner[0]
      An error occurred executing the following sql: ALTER TABLE Customer ADD TaxDisplayTypeId int
info: FluentMigrator.Runner.MigrationRunner[0]
      Rolling back transaction
Unhandled exception. System.AggregateException: One or more errors occurred.
"""


def feed(text: str) -> Startup:
    startup = Startup()
    for n, line in enumerate(text.splitlines()):
        startup.feed(line, float(n))
    return startup


def test_migrations_are_timed_and_readiness_seen() -> None:
    startup = feed(HEALTHY)
    assert startup.ready and not startup.failed
    assert [m.name for m in startup.migrations] == [
        "Nop.Web.Framework.Migrations.UpgradeTo460.DataMigration",
        "Nop.Web.Framework.Migrations.UpgradeTo460.LocalizationMigration"]
    assert [m.seconds for m in startup.migrations] == [2.0, 2.0]
    assert startup.running_migration is None


def test_a_failing_migration_is_named_and_the_exception_summarised() -> None:
    startup = feed(FAILING)
    assert startup.failed and not startup.ready
    assert startup.running_migration == "Nop.Web.Framework.Migrations.UpgradeTo460.DataMigration"
    assert startup.failure_summary().startswith("Unhandled exception. System.AggregateException")


def test_readiness_after_a_failure_does_not_count() -> None:
    startup = feed(FAILING + "Application started. Press Ctrl+C to shut down.\n")
    assert not startup.ready


def test_4_30_and_4_40_lifetime_lines_also_mean_ready() -> None:
    assert feed("info: Microsoft.Hosting.Lifetime[0]\n      Now listening on: http://[::]:80\n").ready
