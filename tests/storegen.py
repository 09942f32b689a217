"""Make nopCommerce-shaped databases at a version and scale, and dump them with the engine's own
tool, so tests (and benchmarks) can treat the files as production backups. Test tooling only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from rehearse import catalog
from rehearse.catalog import Provider
from rehearse.catalog_tables import core_tables
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import Credentials, SqlDatabase, new_password
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import Mount, Service, run_service
from rehearse.version import Version
from tests import images
from tests.store_reference import (
    REFERENCE_TABLES,
    reference_sql,
    resource_language,
    resource_name,
    resource_value,
)

LOCAL_IMAGES = {Provider.POSTGRESQL: images.POSTGRES, Provider.MYSQL: images.MARIADB}

# (table, columns); column types are tokens mapped per dialect below.
SCHEMA: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Product", (("Name", "name"), ("ShortDescription", "text"), ("FullDescription", "text"),
                 ("Sku", "short"), ("Price", "money"), ("OldPrice", "money"),
                 ("StockQuantity", "int"), ("Published", "bool"),
                 ("Deleted", "bool"), ("CreatedOnUtc", "time"))),
    ("Category", (("Name", "name"), ("Description", "text"), ("Published", "bool"),
                  ("Deleted", "bool"))),
    ("Manufacturer", (("Name", "name"), ("Published", "bool"))),
    ("Customer", (("CustomerGuid", "short"), ("Username", "name"), ("Email", "name"),
                  ("FirstName", "name"), ("LastName", "name"), ("Active", "bool"),
                  ("Deleted", "bool"), ("CreatedOnUtc", "time"))),
    ("Order", (("OrderGuid", "short"), ("CustomerId", "int"), ("OrderTotal", "money"),
               ("OrderStatusId", "int"), ("CreatedOnUtc", "time"))),
    ("OrderItem", (("OrderId", "int"), ("ProductId", "int"), ("Quantity", "int"),
                   ("UnitPriceInclTax", "money"))),
    ("Picture", (("MimeType", "short"), ("SeoFilename", "name"))),
    ("UrlRecord", (("EntityId", "int"), ("EntityName", "short"), ("Slug", "name"),
                   ("IsActive", "bool"), ("LanguageId", "int"))),
    ("Setting", (("Name", "name"), ("Value", "text"), ("StoreId", "int"))),
    ("LocaleStringResource", (("LanguageId", "int"), ("ResourceName", "name"),
                              ("ResourceValue", "text"))),
    ("GenericAttribute", (("EntityId", "int"), ("KeyGroup", "short"), ("Key", "short"),
                          ("Value", "text"), ("StoreId", "int"))),
    ("Log", (("LogLevelId", "int"), ("ShortMessage", "text"), ("FullMessage", "text"),
             ("CreatedOnUtc", "time"))),
    ("ActivityLog", (("Comment", "text"), ("CreatedOnUtc", "time"))),
    ("NewsLetterSubscription", (("Email", "name"), ("Active", "bool"))),
    ("EmailAccount", (("Email", "name"), ("DisplayName", "name"), ("Host", "name"),
                      ("Port", "int"), ("Username", "name"), ("Password", "name"),
                      ("EnableSsl", "bool"))),
    ("QueuedEmail", (("From", "name"), ("To", "name"), ("Subject", "name"), ("Body", "text"),
                     ("SentTries", "int"), ("CreatedOnUtc", "time"), ("SentOnUtc", "time"))),
    ("ScheduleTask", (("Name", "name"), ("Type", "name"), ("Seconds", "int"),
                      ("Enabled", "bool"))),
    ("Topic", (("SystemName", "short"), ("Title", "name"), ("Body", "text"),
               ("Published", "bool"))),
    ("Product_Category_Mapping", (("ProductId", "int"), ("CategoryId", "int"),
                                  ("DisplayOrder", "int"))),
    ("CustomerRole", (("Name", "name"), ("SystemName", "short"), ("Active", "bool"),
                      ("EnablePasswordLifetime", "bool"))),
    ("Store", (("Name", "name"), ("Url", "name"), ("SslEnabled", "bool"), ("Hosts", "name"),
               ("DisplayOrder", "int"))),
    ("Customer_CustomerRole_Mapping", (("Customer_Id", "int"), ("CustomerRole_Id", "int"))),
    ("CustomerPassword", (("CustomerId", "int"), ("Password", "short"), ("PasswordFormatId", "int"),
                          ("PasswordSalt", "short"), ("CreatedOnUtc", "time"))),
)

TYPES = {
    Provider.POSTGRESQL: {"name": "varchar(400)", "short": "varchar(100)", "text": "text",
                          "money": "numeric(18,4)", "bool": "boolean", "time": "timestamp",
                          "int": "integer"},
    Provider.MYSQL: {"name": "varchar(400)", "short": "varchar(100)", "text": "longtext",
                     "money": "decimal(18,4)", "bool": "tinyint(1)", "time": "datetime(6)",
                     "int": "int"},
}
# Rows per table for a "scale" of 1: products, customers and orders drive the rest.
PER_SCALE = {"Product": 100, "Category": 10, "Manufacturer": 5, "Customer": 50, "Order": 80,
             "OrderItem": 160, "Picture": 100, "UrlRecord": 110, "Setting": 40,
             "LocaleStringResource": 200, "GenericAttribute": 150, "Log": 20,
             "ActivityLog": 30, "NewsLetterSubscription": 25, "EmailAccount": 1,
             "QueuedEmail": 10, "ScheduleTask": 8, "Topic": 5, "Product_Category_Mapping": 100,
             "CustomerRole": 4, "Customer_CustomerRole_Mapping": 50, "CustomerPassword": 0,
             "Store": 1}
# nopCommerce keys these by both ids, with no Id column (Nop.Data mapping, BaseNameCompatibility).
NO_ID = {"Customer_CustomerRole_Mapping"}
NOT_SCALED = {"EmailAccount", "ScheduleTask", "Setting", "Topic", "CustomerRole", "Store"}


@dataclass(frozen=True)
class StoreShape:
    """How the generated store looks; the defaults are a clean install."""

    version: Version
    provider: Provider
    scale: int = 1
    lower_case_tables: bool = False
    production: bool = False  # SSL, hosts, closed shop, login blockers: tests/prodstore.py
    omit_tables: tuple[str, ...] = ()
    description_bytes: int = 200
    own_migration_rows: bool = True
    random_descriptions: bool = False  # product descriptions that compress like real text does
    guests_see_prices: bool = True  # False: the owner took DisplayPrices from guests
    tricky_names: bool = False  # product names with & ' < and non-ASCII letters, as real ones
    extra_sql: tuple[str, ...] = ()  # run after the data, e.g. tables a test needs (sitegen.py)

    def table(self, name: str) -> str:
        return name.lower() if self.lower_case_tables else name

    def rows(self, table: str) -> int:
        base = PER_SCALE[table]
        return base if table in NOT_SCALED else base * self.scale


def migration_rows(version: Version) -> list[tuple[int, str]]:
    """`MigrationVersionInfo` rows of a store at `version`, in the real description pattern."""
    if version.line < Version(4, 30):
        return []
    rows = [(637160666562551771, "Nop.Data base schema"),
            (637160666562551772, "Nop.Data base indexes")]
    labels = [r.migration_label for r in catalog.RELEASES
              if r.migration_label and r.line <= version.line]
    for n, label in enumerate(labels):
        base = 637273440000000000 + n * 10_000_000_000_000
        rows += [(base + 5, f"nopCommerce version {label}. Update Data"),
                 (base + 10, f"nopCommerce version {label}. Update Localization"),
                 (base + 15, f"nopCommerce version {label}. Update Settings")]
    return rows


def schema_sql(shape: StoreShape, quote: str) -> list[str]:
    types = TYPES[shape.provider]
    statements = []
    if shape.random_descriptions and shape.provider is Provider.POSTGRESQL:
        statements.append("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    for table, columns in SCHEMA:
        if table in shape.omit_tables:
            continue
        cols = ", ".join(f"{quote}{c}{quote} {types[t]}" for c, t in columns)
        key = "" if table in NO_ID else f"{quote}Id{quote} integer PRIMARY KEY, "
        statements.append(f"CREATE TABLE {quote}{shape.table(table)}{quote} ({key}{cols})")
    statements += [f"CREATE TABLE {quote}{shape.table(name)}{quote} ({quote}Id{quote} integer)"
                   for name in other_core_tables(shape)]
    if shape.version.line >= Version(4, 30):
        statements.append(
            f"CREATE TABLE {quote}{shape.table('MigrationVersionInfo')}{quote} "
            f"({quote}Version{quote} bigint NOT NULL, {quote}AppliedOn{quote} {types['time']}, "
            f"{quote}Description{quote} varchar(1024))")
    return statements


def other_core_tables(shape: StoreShape) -> list[str]:
    """The version's core tables this generator fills no rows into: created empty, so the
    store is whole (catalog_tables)."""
    filled = {table for table, _ in SCHEMA} | {"MigrationVersionInfo", *shape.omit_tables,
                                               *REFERENCE_TABLES}
    return [name for name in core_tables(shape.version) or () if name not in filled]


def _random_text(provider: Provider, size: int) -> str:
    """About `size` characters of base64 from random bytes (768 bytes -> 1 KiB per piece)."""
    pieces = max(1, size // 1024)
    one = ("encode(gen_random_bytes(768), 'base64')" if provider is Provider.POSTGRESQL
           else "TO_BASE64(RANDOM_BYTES(768))")
    joiner = " || " if provider is Provider.POSTGRESQL else ", "
    body = joiner.join([one] * pieces)
    return body if provider is Provider.POSTGRESQL else f"CONCAT({body})"


# GenericAttribute keys, in turn: four that 4.60 moves into Customer columns and two it keeps
# (nopcommerce.md §11).
GENERIC_KEYS = ("FirstName", "LastName", "City", "Phone", "LastVisitedPage",
                "SelectedPaymentMethod")
# Columns whose values must look like a real store's for the stand-in's pages and migrations.
SPECIAL = {
    "EntityId": "n",  # URL record n is product n's slug
    "EntityName": "'Product'",
    # Half are customer fields, which 4.60 moves out of GenericAttribute (§11).
    "KeyGroup": "(CASE WHEN n % 2 = 0 THEN 'Customer' ELSE 'Product' END)",
    "Key": "(CASE n % 6 " + " ".join(f"WHEN {i} THEN '{k}'" for i, k in enumerate(GENERIC_KEYS))
           + " END)",
    # Roles of a fresh install; customer n is Registered, every fifth a Guest only.
    "SystemName": "(CASE n WHEN 1 THEN 'Administrators' WHEN 2 THEN 'ForumModerators' "
                  "WHEN 3 THEN 'Registered' ELSE 'Guests' END)",
    "Customer_Id": "n",
    "CustomerRole_Id": "(CASE WHEN n % 5 = 0 THEN 4 ELSE 3 END)",
    "Deleted": "(n % 50 = 0)",
    "SentOnUtc": "(CASE WHEN n % 2 = 0 THEN TIMESTAMP '2024-01-01 00:00:00' END)",  # half unsent
    "SentTries": "0",
    # What customers see: some products on sale (an old price), some out of stock, each in one
    # of the categories.
    "OldPrice": "(CASE WHEN n % 3 = 0 THEN (n % 1000) + 10.99 ELSE 0 END)",
    "StockQuantity": "(n % 11)",
    "ProductId": "n",
    "CategoryId": "(n % 10) + 1",
}


# A real catalogue's names: an apostrophe, an ampersand, a '<' and non-ASCII letters, which pages
# show HTML-escaped.
TRICKY_NAME = "Levi''s Crème brûlée & Jerry <b>"


def _value(provider: Provider, column: str, kind: str, size: int, random: bool = False,
           tricky: bool = False) -> str:
    """An SQL expression of the sequence number `n` for one column."""
    pg = provider is Provider.POSTGRESQL
    n_text = "CAST(n AS varchar(20))" if pg else "n"

    def concat(*parts: str) -> str:
        return " || ".join(parts) if pg else "CONCAT(" + ", ".join(parts) + ")"

    by_kind = {"bool": "(n % 7 <> 0)", "int": "n % 50 + 1", "money": "(n % 1000) + 0.99",
               "time": "TIMESTAMP '2024-01-01 00:00:00'",
               "text": f"REPEAT('lorem ipsum ', {max(1, size // 12)})"}
    if column in SPECIAL:
        return SPECIAL[column]
    if kind == "text" and random and column == "FullDescription":
        return _random_text(provider, size)
    if kind in by_kind:
        return by_kind[kind]
    if column == "Slug":
        return concat("'product-'", n_text)
    if column in ("Email", "To"):
        return concat("'customer'", n_text, "'@example.test'")
    if column == "Name" and tricky:
        return concat(f"'{TRICKY_NAME} '", n_text)
    return concat(f"'{column} '", n_text)


def _numbers(provider: Provider, count: int) -> str:
    if provider is Provider.POSTGRESQL:
        return f"generate_series(1, {count}) AS s(n)"
    digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 " \
             "UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 " \
             "UNION ALL SELECT 8 UNION ALL SELECT 9)"
    places = len(str(max(count - 1, 1)))
    joins = ", ".join(f"{digits} AS d{i}" for i in range(places))
    value = " + ".join(f"d{i}.d * {10 ** i}" for i in range(places))
    return f"(SELECT {value} + 1 AS n FROM {joins}) AS s WHERE n <= {count}"


# Per table, columns whose values pair up across rows (a resource in every language).
def _false(provider: Provider) -> str:
    return "false" if provider is Provider.POSTGRESQL else "0"


TABLE_SPECIAL = {("LocaleStringResource", "LanguageId"): resource_language,
                 # A fresh install's store: plain http, no password lifetime (tests/prodstore.py
                 # makes it production-shaped).
                 ("Store", "Url"): lambda _: "'http://yourstore.com/'",
                 ("Store", "Hosts"): lambda _: "'yourstore.com,www.yourstore.com'",
                 ("Store", "SslEnabled"): _false,
                 ("CustomerRole", "EnablePasswordLifetime"): _false,
                 ("LocaleStringResource", "ResourceName"): resource_name,
                 ("LocaleStringResource", "ResourceValue"): resource_value}


def _table_value(shape: StoreShape, table: str, column: str, kind: str) -> str:
    special = TABLE_SPECIAL.get((table, column))
    if special is not None:
        return special(shape.provider)
    return _value(shape.provider, column, kind, shape.description_bytes,
                  shape.random_descriptions, shape.tricky_names and table == "Product")


def data_sql(shape: StoreShape, quote: str) -> list[str]:
    statements = []
    for table, columns in SCHEMA:
        if table in shape.omit_tables:
            continue
        keyed = () if table in NO_ID else (("Id", "int"),)
        names = ", ".join(f"{quote}{c}{quote}" for c, _ in (*keyed, *columns))
        values = ", ".join(["n"] * len(keyed)
                           + [_table_value(shape, table, c, t) for c, t in columns])
        statements.append(f"INSERT INTO {quote}{shape.table(table)}{quote} ({names}) "
                          f"SELECT {values} FROM {_numbers(shape.provider, shape.rows(table))}")
    statements += _entity_slugs(shape, quote)
    statements += reference_sql(shape.version, shape.provider, quote, shape.table,
                                shape.guests_see_prices)
    rows = migration_rows(shape.version)
    if shape.own_migration_rows and rows:
        rows.append((638500000000000000, "New tables and columns added for Widgets.MyCustom"))
    if rows:
        values = ", ".join(f"({v}, TIMESTAMP '2024-01-01 00:00:00', '{d}')" for v, d in rows)
        statements.append(f"INSERT INTO {quote}{shape.table('MigrationVersionInfo')}{quote} "
                          f"VALUES {values}")
    return statements


def _entity_slugs(shape: StoreShape, quote: str) -> list[str]:
    """URL records of the categories and topics (products have theirs from the table's rows)."""
    table = shape.table("UrlRecord")
    if "UrlRecord" in shape.omit_tables:
        return []
    statements = []
    for offset, entity, source in ((10_000_000, "Category", "Category"),
                                   (20_000_000, "Topic", "Topic")):
        if source in shape.omit_tables:
            continue
        slug = (f"'{entity.lower()}-' || CAST(n AS varchar(20))"
                if shape.provider is Provider.POSTGRESQL else f"CONCAT('{entity.lower()}-', n)")
        true = "true" if shape.provider is Provider.POSTGRESQL else "1"
        cols = ", ".join(f"{quote}{c}{quote}" for c in ("Id", "EntityId", "EntityName", "Slug",
                                                        "IsActive", "LanguageId"))
        statements.append(f"INSERT INTO {quote}{table}{quote} ({cols}) SELECT {offset} + n, n, "
                          f"'{entity}', {slug}, {true}, 0 FROM "
                          f"{_numbers(shape.provider, shape.rows(source))}")
    return statements


@contextmanager
def store_database(shape: StoreShape, out_dir: Path | None = None) -> Iterator[
        tuple[Service, SqlDatabase, Credentials]]:
    """A running database filled with a generated store; `out_dir` is mounted at /out (rw)."""
    engine = ENGINES[shape.provider]
    credentials = engine.credentials(new_password())
    spec = engine.service_spec(LOCAL_IMAGES[shape.provider], credentials, memory="2g")
    if out_dir is not None:
        spec = replace(spec, mounts=(*spec.mounts, Mount(str(out_dir), "/out", read_only=False)))
    with run_service(spec, new_run_id()) as service:
        db = engine.open(service.endpoint, credentials)
        quote = '"' if shape.provider is Provider.POSTGRESQL else "`"
        from tests.prodstore import production_sql  # apart from the imports others change

        extra = production_sql(quote, shape.table) if shape.production else []
        for statement in (schema_sql(shape, quote) + data_sql(shape, quote) + extra
                          + list(shape.extra_sql)):
            db.execute(statement)
        try:
            yield service, db, credentials
        finally:
            db.close()


def make_backup(shape: StoreShape, out_dir: Path, name: str = "store",
                plain_gzip: bool = False) -> Path:
    """Generate a store and dump it the way its owner would: pg_dump (-Fc, or plain and
    gzipped) or mysqldump."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with store_database(shape, out_dir) as (service, _db, credentials):
        if shape.provider is Provider.POSTGRESQL and plain_gzip:
            target = f"{name}.sql.gz"
            command = (f"pg_dump -U {credentials.user} -d {credentials.database} "
                       f"| gzip > /out/{target}")
        elif shape.provider is Provider.POSTGRESQL:
            target = f"{name}.dump"
            command = (f"pg_dump -Fc -U {credentials.user} -d {credentials.database} "
                       f"-f /out/{target}")
        else:
            target = f"{name}.sql"
            command = (f'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqldump -uroot --single-transaction '
                       f"{credentials.database} > /out/{target}")
        code, output = service.exec(["bash", "-c", f"{command} && chmod 644 /out/{target}"])
        assert code == 0, output
    return out_dir / target


def make_dump_project(shape: StoreShape, out_dir: Path, name: str = "Dump20240101") -> Path:
    """A MySQL store as MySQL Workbench's "Export to Dump Project Folder" writes it: one
    mysqldump file per table, named <schema>_<table>.sql, each with its own FK-checks switch."""
    folder = out_dir / name
    folder.mkdir(parents=True)
    with store_database(shape, out_dir) as (service, db, credentials):
        for table in db.table_names():
            command = (f'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqldump -uroot --single-transaction '
                       f"{credentials.database} {table} > /out/{name}/nop_{table}.sql")
            code, output = service.exec(["bash", "-c", command])
            assert code == 0, output
        code, output = service.exec(["bash", "-c", f"chmod -R a+rX /out/{name}"])
        assert code == 0, output
    return folder
