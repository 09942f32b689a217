"""Scheduled tasks that nopCommerce's own migrations add (nopcommerce.md §11, "Tasks added by
core migrations": only 4.60, ND/Migrations/UpgradeTo460/DataMigration: the license check task
enabled, Seconds = 2073600, LastEnabledUtc = now; hidden from the admin task list and never
deleted by ScheduleTaskService.DeleteTaskAsync)."""

ADDED_BY = {
    "4.60": (("Delete inactive customers (GDPR)", "Nop.Services.Gdpr.DeleteInactiveCustomersTask",
              False),
             ("ResetLicenseCheckTask", "Nop.Services.Common.ResetLicenseCheckTask", True)),
}


def add_tasks(store, version, kind):
    """Insert the tasks `version`'s Data migration adds, as it does: the license check enabled."""
    table = store.t("ScheduleTask")
    if table is None or version not in ADDED_BY or kind != "Data":
        return
    (top,) = store.rows(f"SELECT COALESCE(MAX({store.c('Id')}), 0) FROM {table}")[0]
    columns = ", ".join(store.c(c) for c in ("Id", "Name", "Type", "Seconds", "Enabled"))
    for n, (name, kind, enabled) in enumerate(ADDED_BY[version], start=1):
        store.rows(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",
                   (top + n, name, kind, 2073600, enabled))
