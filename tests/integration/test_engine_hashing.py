"""The data snapshots hashed by the database engine (rowhash.py) on the real engines: the checks
see the same changes as when rehearse reads the values and hashes them itself, and a column
retyped to another scale is no change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from rehearse.catalog import Provider
from rehearse.checks import data_diff
from rehearse.checks.context import CheckContext
from rehearse.database import datasnap, fingerprint
from rehearse.database.datasnap import DataSnapshot
from rehearse.database.engines import ENGINES, postgresql
from rehearse.database.engines.base import SqlDatabase, new_password
from rehearse.database.rowhash import Hashing
from rehearse.database.storedb import Baseline
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.service import run_service
from rehearse.version import Version
from tests import images

pytestmark = pytest.mark.docker

LOCAL_IMAGES = {Provider.POSTGRESQL: images.POSTGRES, Provider.MYSQL: images.MARIADB}

@dataclass(frozen=True)
class Types:
    """What differs in the test store's SQL between engines."""

    boolean: str
    true: str
    false: str
    long_text: str
    scale: str  # the price retyped to two decimals


TYPES = {
    Provider.POSTGRESQL: Types("boolean", "true", "false", "text",
                               "ALTER TABLE {t} ALTER COLUMN {c} TYPE numeric(18,2)"),
    Provider.MYSQL: Types("tinyint(1)", "1", "0", "text", "ALTER TABLE {t} MODIFY {c} "
                                                           "decimal(18,2)"),
    Provider.SQLSERVER: Types("bit", "1", "0", "nvarchar(max)",
                              "ALTER TABLE {t} ALTER COLUMN {c} decimal(18,2)"),
}


class ReadHere:
    """The same connection with other hashing: None, the values read and hashed by rehearse."""

    def __init__(self, db: SqlDatabase, hashing: Hashing | None = None) -> None:
        self._db = db
        self.hashing = hashing

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    @property
    def false(self) -> str:
        return self._db.false

    @contextmanager
    def session(self) -> Iterator[ReadHere]:
        """A session beside this one (datasnap reads its parts side by side) reads the same."""
        with self._db.session() as other:
            yield ReadHere(other, self.hashing)


@pytest.fixture(params=list(LOCAL_IMAGES), ids=str)
def store(request: pytest.FixtureRequest) -> Iterator[tuple[Provider, SqlDatabase]]:
    provider: Provider = request.param
    engine = ENGINES[provider]
    credentials = engine.credentials(new_password())
    spec = engine.service_spec(LOCAL_IMAGES[provider], credentials, memory="1g")
    with run_service(spec, new_run_id()) as service, \
            closing(engine.open(service.endpoint, credentials)) as db:
        create(provider, db)
        yield provider, db


def create(provider: Provider, db: SqlDatabase) -> None:
    q, types = db.quote, TYPES[provider]
    yes, no = types.true, types.false
    db.execute(f"CREATE TABLE {q('Language')} ({q('Id')} INT PRIMARY KEY, "
               f"{q('UniqueSeoCode')} VARCHAR(2))")
    db.execute(f"INSERT INTO {q('Language')} VALUES (1, 'en'), (2, 'de')")
    db.execute(f"CREATE TABLE {q('Product')} ({q('Id')} INT PRIMARY KEY, {q('Name')} "
               f"VARCHAR(400) NOT NULL, {q('Sku')} VARCHAR(400), {q('Price')} DECIMAL(18,4), "
               f"{q('Published')} {types.boolean}, {q('StockQuantity')} INT)")
    db.execute(f"INSERT INTO {q('Product')} VALUES (1, 'Apple & Pear', 'AP-1', 1.5, {yes}, 3), "
               f"(2, 'Rock''n''roll shirt', 'RS-2', 18.99, {yes}, 0), "
               f"(3, 'Gift card', NULL, 25, {no}, 1), (4, 'Ünïcode läp', 'UL', 999.9, {yes}, 7)")
    db.execute(f"CREATE TABLE {q('UrlRecord')} ({q('Id')} INT PRIMARY KEY, "
               f"{q('EntityName')} VARCHAR(400), {q('EntityId')} INT, {q('LanguageId')} INT, "
               f"{q('IsActive')} {types.boolean}, {q('Slug')} VARCHAR(400))")
    db.execute(f"INSERT INTO {q('UrlRecord')} VALUES (1, 'Product', 1, 0, {yes}, 'apple-pear'), "
               f"(2, 'Product', 2, 0, {yes}, 'rock-shirt'), (10000000, 'Product', 3, 0, {yes}, "
               f"'gift-card')")
    db.execute(f"CREATE TABLE {q('LocaleStringResource')} ({q('Id')} INT PRIMARY KEY, "
               f"{q('LanguageId')} INT, {q('ResourceName')} VARCHAR(200), "
               f"{q('ResourceValue')} {types.long_text})")
    db.execute(f"INSERT INTO {q('LocaleStringResource')} VALUES "
               f"(1, 1, 'Account.Login', 'Log in'), (2, 2, 'Account.Login', 'Anmelden'), "
               f"(3, 1, 'ShoppingCart', 'Cart'), (4, 2, 'ShoppingCart', 'Warenkorb'), "
               f"(5, 1, 'Checkout.Title', 'Checkout'), (6, 2, 'Checkout.Title', 'Kasse'), "
               f"(7, 3, 'Old.Language', 'x')")


def _upgrade(provider: Provider, db: SqlDatabase) -> None:
    """What an upgrade might do: some changes the checks must name, some they must not."""
    q = db.quote
    for sql in (f"UPDATE {q('Product')} SET {q('Name')} = 'Rock & roll shirt' "
                f"WHERE {q('Id')} = 2",
                f"UPDATE {q('Product')} SET {q('Sku')} = '' WHERE {q('Id')} = 3",  # NULL → ''
                f"UPDATE {q('Product')} SET {q('Published')} = {TYPES[provider].false} "
                f"WHERE {q('Id')} = 4",
                TYPES[provider].scale.format(t=q("Product"), c=q("Price")),  # same prices
                f"UPDATE {q('UrlRecord')} SET {q('Slug')} = 'gift-card-2' "
                f"WHERE {q('Id')} = 10000000",
                f"UPDATE {q('LocaleStringResource')} SET {q('ResourceValue')} = 'Checkout' "
                f"WHERE {q('Id')} = 6",  # the German overwritten with English
                f"UPDATE {q('LocaleStringResource')} SET {q('ResourceName')} = 'shoppingcart' "
                f"WHERE {q('ResourceName')} = 'ShoppingCart'",  # nopCommerce matches any case
                f"DELETE FROM {q('LocaleStringResource')} WHERE {q('Id')} = 2"):
        db.execute(sql)


def _checks(db: Any, before: DataSnapshot, after: DataSnapshot) -> list[object]:
    empty = Baseline({}, (), ())
    context = CheckContext(None, db, Version(4, 70), Version(4, 80), empty, empty, 0, (), (),
                           data_before=before, data_after=after)
    return [check(context) for check in (data_diff.catalogue, data_diff.slugs,
                                         data_diff.localization)]


def test_the_engine_hashes_and_the_checks_name_the_same_changes(
        store: tuple[Provider, SqlDatabase]) -> None:
    same_changes(*store)


@pytest.mark.parametrize("store", [Provider.POSTGRESQL], indirect=True, ids=str)
def test_postgresql_before_11_hashes_with_md5_and_names_the_same_changes(
        store: tuple[Provider, SqlDatabase]) -> None:
    provider, db = store
    same_changes(provider, ReadHere(db, postgresql.HASHING_BEFORE_11))  # type: ignore[arg-type]


def test_a_second_start_that_changes_nothing_leaves_the_same_fingerprint(
        store: tuple[Provider, SqlDatabase]) -> None:
    same_fingerprint(store[1])


def same_changes(provider: Provider, db: SqlDatabase) -> None:
    """The test store's snapshots before and after _upgrade, by the engine's hashing and by
    rehearse's: the checks say the same, and what they say is right."""
    here = ReadHere(db)
    before = datasnap.take(db, spilled=True), datasnap.take(here)  # type: ignore[arg-type]
    _upgrade(provider, db)
    after = datasnap.take(db, spilled=True), datasnap.take(here)  # type: ignore[arg-type]
    by_engine, by_rehearse = _checks(db, before[0], after[0]), _checks(here, before[1], after[1])
    assert by_engine == by_rehearse
    catalogue, slugs, localization = by_engine
    assert catalogue[1] == "3 products changed and 0 gone (Name, Sku, Price, Published, " \
                           "StockQuantity)"  # type: ignore[index]
    assert "changed (3): ids 2, 3, 4" in catalogue[2]  # type: ignore[index]
    assert slugs[2] == ["changed (1): ids 10000000"]  # type: ignore[index]
    assert localization[2] == ["overwritten with English: de: checkout.title",
                               "only in English: de: account.login"]  # type: ignore[index]
    for snapshot in (*before, *after):
        snapshot.close()


def same_fingerprint(db: SqlDatabase) -> None:
    q = db.quote
    with closing(fingerprint.take(db)) as first:
        with closing(fingerprint.take(db)) as second:
            assert fingerprint.changes(first, second, db) == []
        assert len(first.resources) == 7  # every language's, the deleted one's too
        db.execute(f"UPDATE {q('LocaleStringResource')} SET {q('ResourceValue')} = 'Sign in' "
                   f"WHERE {q('Id')} = 1")
        with closing(fingerprint.take(db)) as again:
            assert fingerprint.changes(first, again, db) == [
                "resources changed (1): 1/Account.Login"]
