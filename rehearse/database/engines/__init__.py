"""One module per nopCommerce data provider; the only importers of database drivers."""

from __future__ import annotations

from rehearse.catalog import Provider
from rehearse.database.engines.base import Engine
from rehearse.database.engines.mysql import MySQL
from rehearse.database.engines.postgresql import PostgreSQL
from rehearse.database.engines.sqlserver import SqlServer

ENGINES: dict[Provider, Engine] = {
    Provider.SQLSERVER: SqlServer(),
    Provider.POSTGRESQL: PostgreSQL(),
    Provider.MYSQL: MySQL(),
}
