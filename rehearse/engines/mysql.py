"""MySQL (and MariaDB), for stores on nopCommerce 4.30 and later; PyMySQL lives only here."""

from __future__ import annotations

from typing import Any

from rehearse.catalog import Provider
from rehearse.engines.base import Credentials
from rehearse.sandbox.service import Endpoint, ServiceSpec

# The official images' init server runs with --skip-networking and prints "port: 0"; only the
# real server announces port 3306 (MySQL on one line, MariaDB on the next).
_READY = r"ready for connections\.\s+Version: '[^']*'\s+socket: '[^']*'\s+port: 3306"


class MySQL:
    provider = Provider.MYSQL
    default_image = "mysql:8.4"
    port = 3306

    def service_spec(self, image: str, credentials: Credentials, memory: str | None) -> ServiceSpec:
        return ServiceSpec(
            image=image,
            port=self.port,
            role="database",
            env={"MYSQL_ROOT_PASSWORD": credentials.password,
                 "MYSQL_DATABASE": credentials.database},
            ready_log=_READY,
            memory=memory,
        )

    def connect(self, endpoint: Endpoint, credentials: Credentials) -> Any:
        import pymysql

        return pymysql.connect(host=endpoint.host, port=endpoint.port, user="root",
                               password=credentials.password, database=credentials.database,
                               autocommit=True, connect_timeout=10, charset="utf8mb4")
