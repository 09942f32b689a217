"""Data checks: rows kept, migrations recorded, no new errors, plugins still installed."""

from __future__ import annotations

from rehearse import catalog
from rehearse.checks.context import CheckContext, Outcome
from rehearse.database.storedb import applied_updates, detect_version, errors_logged_since
from rehearse.results import Status

SHOWN = 5


def rows(context: CheckContext) -> Outcome:
    limit = context.settings.max_row_loss_percent
    ignored = {t.lower() for t in context.settings.ignore_tables}
    lost: list[str] = []
    expected: list[str] = []
    evidence: list[str] = []
    for table, before in context.before.counts.items():
        after = context.after.counts.get(table)
        if table.lower() in ignored or after is None or before == 0:
            continue
        loss = 100.0 * (before - after) / before
        evidence.append(f"{table}: {before} → {after}")
        if loss > limit:
            target = expected if table in context.expected_shrinking else lost
            target.append(f"{table} lost {before - after} of {before} rows ({loss:.1f}%)")
    vanished = [t for t in context.before.counts if t not in context.after.counts]
    lost += [f"{table} is gone" for table in vanished]
    if lost:
        return Status.FAIL, "; ".join(lost), evidence
    if expected:
        return Status.WARN, "; ".join(expected) + " (expected for this upgrade)", evidence
    return Status.PASS, f"no key table lost rows (allowed: {limit:g}%)", evidence


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
