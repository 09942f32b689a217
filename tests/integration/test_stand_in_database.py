"""The stand-in is as strict as nopCommerce on the database: exact table names (a Windows dump
needs lower_case_table_names=1) and the 4.60 customer move, key by key (nopcommerce.md §11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rehearse.catalog import CUSTOMER_ATTRIBUTES_460, Provider
from rehearse.database import restore
from rehearse.database.engines.base import SqlDatabase
from rehearse.database.storedb import baseline
from rehearse.store.app import AppSpec, running_app
from rehearse.version import Version
from tests.integration.test_app_steps import V, prepared_for, rehearse_app_steps, sandbox, sim
from tests.storegen import GENERIC_KEYS, StoreShape, make_backup

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def windows_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shape = StoreShape(Version(4, 40), Provider.MYSQL, lower_case_tables=True)
    return make_backup(shape, tmp_path_factory.mktemp("windows"))


def test_without_lower_case_table_names_the_stand_in_fails_as_nopcommerce_does(
        windows_dump: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rehearse.store.app import AppStartFailedError

    # Test-only hook: rehearse's handling switched off, the sandbox starts with the default.
    monkeypatch.setattr(restore, "server_options", lambda backup: ())
    with pytest.raises(AppStartFailedError) as caught:
        rehearse_app_steps(windows_dump, Provider.MYSQL, "4.70", stepwise=False)
    assert "Setting' doesn't exist" in caught.value.message


def test_with_lower_case_table_names_the_stand_in_upgrades_the_windows_dump(
        windows_dump: Path) -> None:
    (result,) = rehearse_app_steps(windows_dump, Provider.MYSQL, "4.70", stepwise=False)
    assert "Now listening on" in result.start.log


def test_4_60_moves_exactly_the_listed_keys_of_registered_customers(tmp_path: Path) -> None:
    backup = make_backup(StoreShape(Version(4, 40), Provider.POSTGRESQL), tmp_path)
    with sandbox(backup, Provider.POSTGRESQL) as (run_id, network, db):
        before, keyed_before = generic_attributes(db.db), baseline(db.db).keyed
        spec = AppSpec(V("4.60"), sim(V("4.60")), prepared_for(db, Provider.POSTGRESQL,
                                                               V("4.60")),
                       network, memory="512m", timeout=120)
        with running_app(spec, run_id):
            pass  # the migrations ran before the app listened
        after, keyed_after = generic_attributes(db.db), baseline(db.db).keyed
        first_name = db.db.query('SELECT "FirstName" FROM "Customer" WHERE "Id" = 6')[1]
    listed = set(CUSTOMER_ATTRIBUTES_460.keys)
    # §11: only KeyGroup 'Customer' rows of the listed keys, of non-deleted Registered
    # customers (storegen: customers 1-50, every fifth a Guest, customer 50 deleted).
    moves = [n for n in range(2, 51, 2) if n % 5 and GENERIC_KEYS[n % 6] in listed]
    assert sum(before.values()) - sum(after.values()) == len(moves)
    for (group, key), count in before.items():
        if group != "Customer" or key not in listed:
            assert after.get((group, key)) == count, (group, key)  # nothing else moves
    assert keyed_after["GenericAttribute.Customer.FirstName"] < keyed_before[
        "GenericAttribute.Customer.FirstName"]
    assert first_name[0][0] and first_name[0][0].startswith("lorem ipsum")


def generic_attributes(db: SqlDatabase) -> dict[tuple[str, str], int]:
    _, rows = db.query('SELECT "KeyGroup", "Key", COUNT(*) FROM "GenericAttribute" '
                       'GROUP BY "KeyGroup", "Key"')
    return {(str(group), str(key)): int(count) for group, key, count in rows}


def test_the_sitemap_lists_the_same_urls_whatever_order_the_table_is_stored_in(
        tmp_path: Path) -> None:
    """nopCommerce builds sitemap.xml from ordered service queries (Nop.Web/Factories/
    SitemapModelFactory.cs, GenerateUrlsAsync): the same URLs on every request. Rows that an
    UPDATE moved to the end of PostgreSQL's heap must not change which URLs are listed."""
    import httpx

    backup = make_backup(StoreShape(Version(4, 60), Provider.POSTGRESQL), tmp_path)
    with sandbox(backup, Provider.POSTGRESQL) as (run_id, network, db):
        db.db.execute('UPDATE "UrlRecord" SET "Slug" = "Slug" WHERE "Id" <= 5')  # to heap's end
        first = db.db.query('SELECT "Slug" FROM "UrlRecord" ORDER BY "Id" LIMIT 1')[1][0][0]
        spec = AppSpec(V("4.60"), sim(V("4.60")), prepared_for(db, Provider.POSTGRESQL,
                                                               V("4.60")),
                       network, memory="512m", timeout=120)
        with running_app(spec, run_id) as (service, _):
            end = service.endpoint
            with httpx.Client(base_url=f"http://{end.host}:{end.port}") as web:
                sitemap = web.get("/sitemap.xml").text
    assert f"/{first}</loc>" in sitemap  # the lowest Id's URL, first as every time
    assert sitemap.index(f"/{first}</loc>") < sitemap.index("</loc>")


def test_pages_asked_at_once_are_each_answered_and_each_404_logged(tmp_path: Path) -> None:
    """nopCommerce answers several customers at a time and numbers each Log row in the database
    (nopcommerce.md §8: every 404 is logged): 404s asked at once each get an answer and a row.
    The stand-in once took MAX(Id) + 1 in two statements, and two threads the same Id."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    backup = make_backup(StoreShape(Version(4, 60), Provider.POSTGRESQL), tmp_path)
    with sandbox(backup, Provider.POSTGRESQL) as (run_id, network, db):
        before = _errors(db.db)
        spec = AppSpec(V("4.60"), sim(V("4.60")), prepared_for(db, Provider.POSTGRESQL,
                                                               V("4.60")),
                       network, memory="512m", timeout=120)
        with running_app(spec, run_id) as (service, _), \
                httpx.Client(base_url=f"http://{service.endpoint.host}:"
                                      f"{service.endpoint.port}") as web, \
                ThreadPoolExecutor(8) as askers:
            answers = list(askers.map(lambda n: web.get(f"/no-such-page-{n}").status_code,
                                      range(40)))
        assert answers == [404] * 40
        assert _errors(db.db) - before == 40


def _errors(db: SqlDatabase) -> int:
    return int(db.query('SELECT COUNT(*) FROM "Log" WHERE "ShortMessage" LIKE '
                        "'Error 404.%'")[1][0][0])
