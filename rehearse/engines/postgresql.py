"""PostgreSQL, for stores on nopCommerce 4.40 and later; psycopg 3 lives only here."""

from __future__ import annotations

from typing import Any

from rehearse.catalog import Provider
from rehearse.engines.base import Credentials
from rehearse.sandbox.service import Endpoint, ServiceSpec


class PostgreSQL:
    provider = Provider.POSTGRESQL
    default_image = "postgres:16"
    port = 5432

    def service_spec(self, image: str, credentials: Credentials, memory: str | None) -> ServiceSpec:
        return ServiceSpec(
            image=image,
            port=self.port,
            role="database",
            env={"POSTGRES_USER": credentials.user, "POSTGRES_PASSWORD": credentials.password,
                 "POSTGRES_DB": credentials.database},
            ready_log=r"database system is ready to accept connections",
            # The official image's init server listens on the socket only: TCP means the real one.
            ready_command=("pg_isready", "-h", "127.0.0.1", "-U", credentials.user,
                           "-d", credentials.database),
            memory=memory,
        )

    def connect(self, endpoint: Endpoint, credentials: Credentials) -> Any:
        import psycopg

        return psycopg.connect(host=endpoint.host, port=endpoint.port, user=credentials.user,
                               password=credentials.password, dbname=credentials.database,
                               autocommit=True, connect_timeout=10)
