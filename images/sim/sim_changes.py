"""Misbehaviours the page comparison and the second start must catch (issue: "prove the upgrade
changed only what it should"):
NOP_SIM_CHANGE_PRICE=7           the version's migration changes product 7's price (+10.00),
                                 as a data migration that rewrites prices would; only when a
                                 migration runs, so a start on an up-to-date database changes nothing
NOP_SIM_TOGGLE_RESOURCE=Name     every start inserts the resource when it is absent and deletes
                                 it when present: nopCommerce has shipped migrations that toggle on
                                 each start (nopcommerce.md §11, "Data changes with equal row counts")
"""

import os


def after_migrations(store, migrated):
    product = os.environ.get("NOP_SIM_CHANGE_PRICE")
    if product and migrated and store.has("Product"):
        store.rows(f"UPDATE {store.t('Product')} SET {store.c('Price')} = "
                   f"{store.c('Price')} + 10 WHERE {store.c('Id')} = %s", (int(product),))


def on_every_start(store):
    name = os.environ.get("NOP_SIM_TOGGLE_RESOURCE")
    table = store.t("LocaleStringResource")
    if not name or not store.has("LocaleStringResource"):
        return
    where = f"WHERE {store.c('ResourceName')} = %s"
    if store.rows(f"SELECT COUNT(*) FROM {table} {where}", (name,))[0][0]:
        store.rows(f"DELETE FROM {table} {where}", (name,))
        return
    (top,) = store.rows(f"SELECT COALESCE(MAX({store.c('Id')}), 0) FROM {table}")[0]
    store.rows(f"INSERT INTO {table} ({store.c('Id')}, {store.c('LanguageId')}, "
               f"{store.c('ResourceName')}, {store.c('ResourceValue')}) VALUES (%s, 1, %s, %s)",
               (top + 1, name, "toggled"))
