"""Data checks: rows kept, migrations recorded, no new errors, plugins still installed."""

from __future__ import annotations

from rehearse import catalog
from rehearse.catalog import ExpectedShrink
from rehearse.checks.context import CheckContext, Outcome
from rehearse.database.storedb import (
    Baseline,
    applied_updates,
    detect_version,
    errors_logged_since,
)
from rehearse.results import Status

SHOWN = 5


def rows(context: CheckContext) -> Outcome:
    """Rows kept in every key table; an expected shrink is allowed key by key, never a table."""
    limit = context.settings.max_row_loss_percent
    ignored = {t.lower() for t in context.settings.ignore_tables}
    lost: list[str] = []
    expected: list[str] = []
    evidence: list[str] = []
    for table, before in context.before.counts.items():
        after = context.after.counts.get(table)
        if table.lower() in ignored or after is None or before == 0:
            continue
        evidence.append(f"{table}: {before} → {after}")
        moved = _expected_moves(context, table)
        if moved:
            expected.append(moved)
        kept_before, kept_after = _unexpected(context, table, before, after)
        loss = 100.0 * (kept_before - kept_after) / kept_before if kept_before else 0.0
        if loss > limit:
            lost.append(f"{table} lost {kept_before - kept_after} of {kept_before} rows "
                        f"({loss:.1f}%){' beyond the expected moves' if moved else ''}")
    vanished = [t for t in context.before.counts if t not in context.after.counts]
    lost += [f"{table} is gone" for table in vanished]
    if lost:
        return Status.FAIL, "; ".join(lost), evidence
    if expected:
        return Status.WARN, "; ".join(expected) + " (expected for this upgrade)", evidence
    return Status.PASS, f"no key table lost rows (allowed: {limit:g}%)", evidence


def _shrinks(context: CheckContext, table: str) -> list[ExpectedShrink]:
    return [s for s in context.expected_shrinks if s.table.lower() == table.lower()]


def _keyed(baseline: Baseline, shrink: ExpectedShrink) -> int:
    return sum(baseline.keyed.get(label, 0) for label in shrink.labels())


def _unexpected(context: CheckContext, table: str, before: int, after: int) -> tuple[int, int]:
    """The table's rows outside its expected shrinks, before and after: any loss of these
    counts against max_row_loss_percent."""
    shrinks = _shrinks(context, table)
    return (before - sum(_keyed(context.before, s) for s in shrinks),
            after - sum(_keyed(context.after, s) for s in shrinks))


def _expected_moves(context: CheckContext, table: str) -> str:
    """What the expected shrinks removed, per key, with the migration that does it."""
    found = []
    for shrink in _shrinks(context, table):
        gone = [(label.rsplit(".", 1)[1], context.before.keyed.get(label, 0) - after)
                for label in shrink.labels()
                if (after := context.after.keyed.get(label, 0)) < context.before.keyed.get(
                    label, 0)]
        if gone:
            keys = ", ".join(f"{key} -{count}" for key, count in gone)
            found.append(f"{table} {shrink.key_group} keys moved out ({keys}) by {shrink.source}")
    return "; ".join(found)


def migrations(context: CheckContext) -> Outcome:
    release = catalog.release(context.target)
    detected = detect_version(context.db)
    evidence = [f"detected: {detected.describe()} ({detected.evidence})"]
    if release.migration_label is not None:
        recorded = context.target.line in applied_updates(context.db)
        if not recorded:
            return (Status.FAIL, f"no 'nopCommerce version {release.migration_label}. Update …' "
                    "rows", evidence)
        return Status.PASS, f"{release.migration_label} update migrations recorded", evidence
    if detected.matches(context.target):
        return Status.PASS, f"the database is at {context.target}", evidence
    return Status.FAIL, f"the database is not at {context.target}", evidence


def log_errors(context: CheckContext) -> Outcome:
    errors = errors_logged_since(context.db, context.log_id_before)
    if errors:
        shown = [f"- {message[:200]}" for message in errors[:SHOWN]]
        more = [f"… and {len(errors) - SHOWN} more"] if len(errors) > SHOWN else []
        return Status.FAIL, f"{len(errors)} new errors in the store's Log", shown + more
    return Status.PASS, "no new errors in the store's Log (404/400 noise left out)", []


def plugins(context: CheckContext) -> Outcome:
    after = set(context.plugins_after)
    missing = [name for name in context.plugins_before if name not in after]
    evidence = [f"before: {len(context.plugins_before)}, after: {len(after)}"]
    if missing:
        return Status.FAIL, f"no longer installed: {', '.join(missing)}", evidence
    if not context.plugins_before:
        return Status.SKIP, "the store's App_Data lists no plugins", evidence
    return Status.PASS, f"all {len(context.plugins_before)} plugins still installed", evidence
