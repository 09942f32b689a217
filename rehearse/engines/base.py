"""What every database engine offers the rehearsal: a container to start and a way in."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any, Protocol

from rehearse.catalog import Provider
from rehearse.sandbox.service import Endpoint, ServiceSpec


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    database: str

    def __repr__(self) -> str:  # never let a password reach a log through repr()
        return f"Credentials(user={self.user!r}, password='***', database={self.database!r})"


def new_password(length: int = 24) -> str:
    """Random, and always meets SQL Server's policy (upper, lower, digit and symbol)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return "Aa1_" + body


class Engine(Protocol):
    provider: Provider
    default_image: str
    port: int

    def service_spec(self, image: str, credentials: Credentials, memory: str | None) -> ServiceSpec:
        ...

    def connect(self, endpoint: Endpoint, credentials: Credentials) -> Any:
        """A DB-API connection to the sandbox database, autocommit on."""
        ...
