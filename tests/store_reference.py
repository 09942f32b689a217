"""The reference data of a generated store that the data checks compare: languages, customer roles
and their permissions (names before and after 4.80's renames, nopcommerce.md §11), and locale
resources that exist in every language. Test tooling only."""

from __future__ import annotations

from typing import Any

from rehearse.catalog import Provider
from rehearse.version import Version

LANGUAGES = ((1, "English", "en"), (2, "Deutsch", "de"))
ROLES = ((1, "Administrators"), (2, "ForumModerators"), (3, "Registered"), (4, "Guests"),
         (5, "Vendors"), (6, "Managers"))
PUBLIC = ("DisplayPrices", "EnableShoppingCart", "EnableWishlist", "PublicStoreAllowNavigation")
ADMIN = ("AccessAdminPanel", "ManageProducts")
REFERENCE_TABLES = ("Language", "PermissionRecord", "PermissionRecord_Role_Mapping")


def permission_names(version: Version) -> tuple[str, ...]:
    names = ADMIN + PUBLIC
    if version.line >= Version(4, 80):
        return (*(f"PublicStore.{n}" for n in PUBLIC), "Security.AccessAdminPanel",
                "Catalog.ProductsView")
    return names


def _grants(version: Version, guests_see_prices: bool) -> list[tuple[int, int]]:
    names = permission_names(version)
    public = [i for i, n in enumerate(names, 1) if "PublicStore" in n or n in PUBLIC]
    grants = [(p, 1) for p in range(1, len(names) + 1)]  # administrators: everything
    # The installer's defaults: every built-in role sees prices, cart, wishlist, navigation.
    grants += [(p, role) for p in public for role in (2, 3, 4, 5)]
    grants += [(p, 6) for p, n in enumerate(names, 1) if "Product" in n or "Admin" in n]
    if not guests_see_prices:  # the owner hid prices from guests (#7568's stores)
        prices = next(i for i, n in enumerate(names, 1) if n.endswith("DisplayPrices"))
        grants.remove((prices, 4))
    return grants


def _insert(quote: str, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    names = ", ".join(f"{quote}{c}{quote}" for c in columns)
    values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"INSERT INTO {quote}{table}{quote} ({names}) VALUES {values}"


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


def reference_sql(version: Version, provider: Provider, quote: str, table: Any,
                  guests_see_prices: bool = True) -> list[str]:
    text = "varchar(400)"
    tables = {
        "Language": (("Name", text), ("UniqueSeoCode", "varchar(10)")),
        "PermissionRecord": (("Name", text), ("SystemName", text), ("Category", text)),
        "PermissionRecord_Role_Mapping": (("PermissionRecord_Id", "int"),
                                          ("CustomerRole_Id", "int")),
    }
    statements = []
    for name, columns in tables.items():
        cols = ", ".join(f"{quote}{c}{quote} {t}" for c, t in columns)
        key = "" if name.endswith("Mapping") else f"{quote}Id{quote} integer PRIMARY KEY, "
        statements.append(f"CREATE TABLE {quote}{table(name)}{quote} ({key}{cols})")
    names = permission_names(version)
    statements += [
        _insert(quote, table("Language"), ("Id", "Name", "UniqueSeoCode"), list(LANGUAGES)),
        # storegen makes the four built-in roles (ids 1-4); two more, as stores have.
        _insert(quote, table("CustomerRole"), ("Id", "Name", "SystemName"),
                [(i, n, n) for i, n in ROLES[4:]]),
        _insert(quote, table("PermissionRecord"), ("Id", "Name", "SystemName", "Category"),
                [(i, n, n, "Standard") for i, n in enumerate(names, 1)]),
        _insert(quote, table("PermissionRecord_Role_Mapping"),
                ("PermissionRecord_Id", "CustomerRole_Id"),
                _grants(version, guests_see_prices))]
    return statements


def resource_language(provider: Provider) -> str:
    """Resource rows in pairs: odd n in English, even n the same name in German."""
    return "(2 - n % 2)"


def resource_name(provider: Provider) -> str:
    half = "(n + 1) / 2" if provider is Provider.POSTGRESQL else "(n + 1) DIV 2"
    if provider is Provider.POSTGRESQL:
        return f"'Nop.Resource.' || CAST({half} AS varchar(20))"
    return f"CONCAT('Nop.Resource.', {half})"


def resource_value(provider: Provider) -> str:
    half = "(n + 1) / 2" if provider is Provider.POSTGRESQL else "(n + 1) DIV 2"
    word = "(CASE WHEN n % 2 = 1 THEN 'Value ' ELSE 'Wert ' END)"
    if provider is Provider.POSTGRESQL:
        return f"{word} || CAST({half} AS varchar(20))"
    return f"CONCAT({word}, {half})"
