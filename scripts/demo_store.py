"""Make the demo's "production" store under demo/ (never committed): a nopCommerce 4.50 shop on
PostgreSQL shaped like a real one (SSL on, a www store URL, a second store, the shop closed,
captcha on login, Redis and Azure Blob in its App_Data, product names such as "Levi's … &"),
dumped with pg_dump, its site folder (third-party plugins, a custom theme, pictures) and the
plugin and theme builds its owner would upload for 4.70."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rehearse.catalog import Provider
from rehearse.version import Version
from tests.prodstore import production_appsettings
from tests.sitegen import PluginBuild, SiteShape, customer_tables, theme, write_builds, write_site
from tests.storegen import StoreShape, make_backup

DEMO = Path(__file__).resolve().parents[1] / "demo"
SITE = SiteShape(
    installed=("Payments.CheckMoneyOrder", "Payments.Acme", "Payments.Bolt",
               "Payments.CyberSource"),
    plugins=(PluginBuild("Payments.Acme", ("4.50",)), PluginBuild("Payments.Bolt", ("4.50",)),
             PluginBuild("Payments.CyberSource", ("4.50", "4.60"))),
    themes=("DefaultClean", "Avenue"), pictures=20)
# The owner has a 4.70 build of Acme and of the Avenue theme; Bolt has none; CyberSource was
# dropped from the distribution in 4.70 (nopcommerce.md §11).
BUILDS = (PluginBuild("Payments.Acme", ("4.60", "4.70")),)


def main() -> None:
    backup = DEMO / "store.dump"
    if not backup.exists():
        print("[demo] generating a nopCommerce 4.50 store on PostgreSQL …", file=sys.stderr)
        shape = StoreShape(Version(4, 50), Provider.POSTGRESQL, scale=20, production=True,
                           tricky_names=True,
                           extra_sql=customer_tables(Provider.POSTGRESQL, theme="Avenue"))
        make_backup(shape, DEMO)
    site = write_site(SITE, DEMO / "site")
    (site / "App_Data" / "appsettings.json").write_text(
        json.dumps(production_appsettings("postgresql"), indent=2))
    write_builds(BUILDS, DEMO / "builds-4.70")
    theme(DEMO / "themes-4.70", "Avenue")
    print(f"[demo] production store ready in {DEMO}", file=sys.stderr)


if __name__ == "__main__":
    main()
