"""The bare script's queries read the columns the rehearsal's snapshot compares."""

from __future__ import annotations

import pytest

from bench.work import queries
from rehearse.catalog import Provider
from rehearse.database.datasnap import CATALOGUE, SLUG


@pytest.mark.parametrize(("provider", "quote"), [(Provider.POSTGRESQL, '"'),
                                                 (Provider.MYSQL, "`")], ids=str)
def test_the_snapshot_reads_every_compared_column_by_name(provider: Provider, quote: str) -> None:
    product, slug = queries(provider)["snapshot"][:2]
    for sql, table, columns in ((product, "Product", CATALOGUE), (slug, "UrlRecord", SLUG)):
        names = ", ".join(f"{quote}{c}{quote}" for c in ("Id", *(c for c, _ in columns)))
        assert sql == f"SELECT {names} FROM {quote}{table}{quote} ORDER BY {quote}Id{quote}"
