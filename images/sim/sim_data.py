"""What the stand-in's migrations do to a store's data, as nopCommerce's own do
(nopcommerce.md §11, "Data changes with equal row counts"):
- Localization: 4.40.4's AddLocaleResourceAsync writes a new resource into every language with
  its English text (#5784, #5820); 4.50+ write new resources only for the language whose
  UniqueSeoCode is 'en', so other languages lack them (LocalizationService,
  MigrationExtension.GetLanguageData).
- 4.80 Data: InsertPermissionsAsync first adds the new permissions with their default roles
  (PublicStore.* include Guests), then UpgradeTo480/AclMigration hands each old permission's roles
  to its new names and deletes the old one: defaults ∪ old (4.80.8; #7568, #7563).
Misbehave: NOP_SIM_OVERWRITE_RESOURCE=Name   the version's localization migration overwrites that
           resource in every language with its English text.
"""

import os

# Old name → new names, for the permissions a generated store holds (AclMigration.cs).
ACL_480 = {"AccessAdminPanel": ("Security.AccessAdminPanel",),
           "ManageProducts": ("Catalog.ProductsView", "Catalog.ProductsCreateEditDelete",
                              "Catalog.ProductsImportExport", "Reports.LowStock"),
           **{n: (f"PublicStore.{n}",) for n in ("DisplayPrices", "EnableShoppingCart",
                                                 "EnableWishlist", "PublicStoreAllowNavigation")}}
# Default roles of the new public-store permissions (4.80 PermissionService defaults, #7568).
PUBLIC_DEFAULT_ROLES = ("Administrators", "ForumModerators", "Guests", "Registered", "Vendors")


def on_migration(store, version, kind):
    if kind == "Localization":
        localization(store, version)
    elif kind == "Data" and version == "4.80":
        acl_480(store)


def _languages(store):
    table = store.t("Language")
    if not store.has("Language"):
        return []
    return store.rows(f"SELECT {store.c('Id')}, {store.c('UniqueSeoCode')} FROM {table}")


def _add_resource(store, language_id, name, value):
    table = store.t("LocaleStringResource")
    (top,) = store.rows(f"SELECT COALESCE(MAX({store.c('Id')}), 0) FROM {table}")[0]
    store.rows(f"INSERT INTO {table} ({store.c('Id')}, {store.c('LanguageId')}, "
               f"{store.c('ResourceName')}, {store.c('ResourceValue')}) VALUES (%s, %s, %s, %s)",
               (top + 1, language_id, name, value))


def localization(store, version):
    languages = _languages(store)
    if not languages or not store.has("LocaleStringResource"):
        return
    name = f"Nop.Sim.Upgrade{version.replace('.', '')}"
    for language_id, code in languages:
        if version == "4.40" or (code or "").lower() == "en":
            _add_resource(store, language_id, name, f"New in {version}")
    overwrite = os.environ.get("NOP_SIM_OVERWRITE_RESOURCE")
    english = [i for i, code in languages if (code or "").lower() == "en"]
    if overwrite and english:
        table = store.t("LocaleStringResource")
        found = store.rows(f"SELECT {store.c('ResourceValue')} FROM {table} WHERE "
                           f"{store.c('LanguageId')} = %s AND {store.c('ResourceName')} = %s",
                           (english[0], overwrite))
        if found:
            store.rows(f"UPDATE {table} SET {store.c('ResourceValue')} = %s WHERE "
                       f"{store.c('ResourceName')} = %s", (found[0][0], overwrite))


def _permission_ids(store):
    table = store.t("PermissionRecord")
    return {name: pid for pid, name in store.rows(
        f"SELECT {store.c('Id')}, {store.c('SystemName')} FROM {table}")}


def _grant(store, permission_id, role_id):
    mapping = store.t("PermissionRecord_Role_Mapping")
    pid, rid = store.c("PermissionRecord_Id"), store.c("CustomerRole_Id")
    if not store.rows(f"SELECT 1 FROM {mapping} WHERE {pid} = %s AND {rid} = %s",
                      (permission_id, role_id)):
        store.rows(f"INSERT INTO {mapping} ({pid}, {rid}) VALUES (%s, %s)",
                   (permission_id, role_id))


def _insert_permission(store, name):
    table = store.t("PermissionRecord")
    (top,) = store.rows(f"SELECT COALESCE(MAX({store.c('Id')}), 0) FROM {table}")[0]
    store.rows(f"INSERT INTO {table} ({store.c('Id')}, {store.c('Name')}, "
               f"{store.c('SystemName')}, {store.c('Category')}) VALUES (%s, %s, %s, %s)",
               (top + 1, name, name, "Standard"))
    return top + 1


def acl_480(store):
    if not all(store.has(t) for t in ("PermissionRecord", "PermissionRecord_Role_Mapping",
                                      "CustomerRole")):
        return
    roles = {name: rid for rid, name in store.rows(
        f"SELECT {store.c('Id')}, {store.c('SystemName')} FROM {store.t('CustomerRole')}")}
    existing = _permission_ids(store)
    for old, new_names in ACL_480.items():  # InsertPermissionsAsync, before AclMigration
        for name in new_names:
            if name not in existing:
                existing[name] = _insert_permission(store, name)
                defaults = PUBLIC_DEFAULT_ROLES if name.startswith("PublicStore.") \
                    else ("Administrators",)
                for role in defaults:
                    if role in roles:
                        _grant(store, existing[name], roles[role])
    mapping = store.t("PermissionRecord_Role_Mapping")
    pid, rid = store.c("PermissionRecord_Id"), store.c("CustomerRole_Id")
    for old, new_names in ACL_480.items():  # AclMigration.insertMappings
        if old not in existing:
            continue
        had = [r for (r,) in store.rows(f"SELECT {rid} FROM {mapping} WHERE {pid} = %s",
                                        (existing[old],))]
        for name in new_names:
            for role_id in had:
                _grant(store, existing[name], role_id)
        store.rows(f"DELETE FROM {mapping} WHERE {pid} = %s", (existing[old],))
        store.rows(f"DELETE FROM {store.t('PermissionRecord')} WHERE {store.c('Id')} = %s",
                   (existing[old],))
