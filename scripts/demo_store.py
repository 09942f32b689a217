"""Make the demo's "production" store: a nopCommerce 4.50 shop on PostgreSQL, dumped with
pg_dump, and its App_Data folder, under demo/ (never committed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rehearse.catalog import Provider
from rehearse.version import Version
from tests.storegen import StoreShape, make_backup

DEMO = Path(__file__).resolve().parents[1] / "demo"
PRODUCTION = ("Server=db.production.example;Port=5432;Database=shop;User Id=shop;"
              "Password=production-secret;")


def main() -> None:
    backup = DEMO / "store.dump"
    if not backup.exists():
        print("[demo] generating a nopCommerce 4.50 store on PostgreSQL …", file=sys.stderr)
        make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL, scale=20), DEMO)
    app_data = DEMO / "App_Data"
    (app_data / "DataProtectionKeys").mkdir(parents=True, exist_ok=True)
    settings = {"ConnectionStrings": {"ConnectionString": PRODUCTION,
                                      "DataProvider": "postgresql", "SQLCommandTimeout": None},
                "CommonConfig": {"DisplayFullErrorStack": False}}
    (app_data / "appsettings.json").write_text(json.dumps(settings, indent=2))
    plugins = {"InstalledPlugins": [
        {"SystemName": "Payments.CheckMoneyOrder", "Version": "1.76"},
        {"SystemName": "Shipping.FixedByWeightByTotal", "Version": "1.62"},
        {"SystemName": "Widgets.NivoSlider", "Version": "1.58"}]}
    (app_data / "plugins.json").write_text(json.dumps(plugins, indent=2))
    (app_data / "DataProtectionKeys" / "key-demo.xml").write_text("<key id='demo'/>")
    print(f"[demo] production store ready in {DEMO}", file=sys.stderr)


if __name__ == "__main__":
    main()
