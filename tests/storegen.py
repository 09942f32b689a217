"""Make nopCommerce-shaped databases at a version and scale, and dump them with the engine's own
tool, so tests (and benchmarks) can treat the files as production backups. Test tooling only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from rehearse import catalog
from rehearse.catalog import Provider
from rehearse.database.engines import ENGINES
from rehearse.database.engines.base import Credentials, SqlDatabase, new_password
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import Mount, Service, run_service
from rehearse.version import Version
from tests import images

LOCAL_IMAGES = {Provider.POSTGRESQL: images.POSTGRES, Provider.MYSQL: images.MARIADB}

# (table, columns); column types are tokens mapped per dialect below.
SCHEMA: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Product", (("Name", "name"), ("ShortDescription", "text"), ("FullDescription", "text"),
                 ("Sku", "short"), ("Price", "money"), ("Published", "bool"),
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
             "QueuedEmail": 10, "ScheduleTask": 8}
NOT_SCALED = {"EmailAccount", "ScheduleTask", "Setting"}


@dataclass(frozen=True)
class StoreShape:
    """How the generated store looks; the defaults are a clean install."""

    version: Version
    provider: Provider
    scale: int = 1
    lower_case_tables: bool = False
    omit_tables: tuple[str, ...] = ()
    description_bytes: int = 200
    own_migration_rows: bool = True
    random_descriptions: bool = False  # product descriptions that compress like real text does
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
        statements.append(f"CREATE TABLE {quote}{shape.table(table)}{quote} "
                          f"({quote}Id{quote} integer PRIMARY KEY, {cols})")
    if shape.version.line >= Version(4, 30):
        statements.append(
            f"CREATE TABLE {quote}{shape.table('MigrationVersionInfo')}{quote} "
            f"({quote}Version{quote} bigint NOT NULL, {quote}AppliedOn{quote} {types['time']}, "
            f"{quote}Description{quote} varchar(1024))")
    return statements


def _random_text(provider: Provider, size: int) -> str:
    """About `size` characters of base64 from random bytes (768 bytes -> 1 KiB per piece)."""
    pieces = max(1, size // 1024)
    one = ("encode(gen_random_bytes(768), 'base64')" if provider is Provider.POSTGRESQL
           else "TO_BASE64(RANDOM_BYTES(768))")
    joiner = " || " if provider is Provider.POSTGRESQL else ", "
    body = joiner.join([one] * pieces)
    return body if provider is Provider.POSTGRESQL else f"CONCAT({body})"


# Columns whose values must look like a real store's for the stand-in's pages and migrations.
SPECIAL = {
    "EntityId": "n",  # URL record n is product n's slug
    "EntityName": "'Product'",
    # Half are customer fields, which 4.60 moves out of GenericAttribute (#4601).
    "KeyGroup": "(CASE WHEN n % 2 = 0 THEN 'Customer' ELSE 'Product' END)",
    "Deleted": "(n % 50 = 0)",
    "SentOnUtc": "(CASE WHEN n % 2 = 0 THEN TIMESTAMP '2024-01-01 00:00:00' END)",  # half unsent
    "SentTries": "0",
}


def _value(provider: Provider, column: str, kind: str, size: int, random: bool = False) -> str:
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


def data_sql(shape: StoreShape, quote: str) -> list[str]:
    statements = []
    for table, columns in SCHEMA:
        if table in shape.omit_tables:
            continue
        names = ", ".join(f"{quote}{c}{quote}" for c, _ in (("Id", "int"), *columns))
        values = ", ".join(["n"] + [_value(shape.provider, c, t, shape.description_bytes,
                                           shape.random_descriptions) for c, t in columns])
        statements.append(f"INSERT INTO {quote}{shape.table(table)}{quote} ({names}) "
                          f"SELECT {values} FROM {_numbers(shape.provider, shape.rows(table))}")
    rows = migration_rows(shape.version)
    if shape.own_migration_rows and rows:
        rows.append((638500000000000000, "New tables and columns added for Widgets.MyCustom"))
    if rows:
        values = ", ".join(f"({v}, TIMESTAMP '2024-01-01 00:00:00', '{d}')" for v, d in rows)
        statements.append(f"INSERT INTO {quote}{shape.table('MigrationVersionInfo')}{quote} "
                          f"VALUES {values}")
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
        for statement in schema_sql(shape, quote) + data_sql(shape, quote) + list(
                shape.extra_sql):
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
