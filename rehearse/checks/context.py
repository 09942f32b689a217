"""What the checks look at: the running store, its database, and the baseline taken before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from rehearse.catalog import ExpectedShrink
from rehearse.checks.sample import Sample
from rehearse.database.customers460 import Moved
from rehearse.database.datasnap import DataSnapshot
from rehearse.database.storedb import Baseline, Database
from rehearse.results import Status
from rehearse.version import Version

# (status, one-line summary, evidence lines)
Outcome = tuple[Status, str, list[str]]


class PageSource(Protocol):
    """The running store's pages, each fetched once (checks/web.py `Pages`)."""

    base_url: str

    def get(self, path: str, params: Mapping[str, str] | None = None,
            keep: bool = True) -> Any:
        ...


@dataclass(frozen=True)
class CheckSettings:
    pages: tuple[str, ...] = ()
    search: str | None = None
    admin_email: str | None = None
    admin_password: str | None = None
    max_row_loss_percent: float = 0.0
    ignore_tables: tuple[str, ...] = ()
    diff_allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Storefront:
    """What customers saw on the source version, or why it could not be seen."""

    sample: Sample
    recording: dict[str, dict[str, object]] | None
    reason: str = ""


@dataclass(frozen=True)
class CheckContext:
    base_url: str | None  # None when the target cannot be started (4.10 and older)
    db: Database
    source: Version
    target: Version
    before: Baseline
    after: Baseline
    log_id_before: int
    plugins_before: tuple[str, ...]
    plugins_after: tuple[str, ...]
    expected_shrinks: tuple[ExpectedShrink, ...] = ()
    settings: CheckSettings = field(default_factory=CheckSettings)
    storefront: Storefront | None = None
    data_before: DataSnapshot | None = None
    data_after: DataSnapshot | None = None
    customers_before: Moved | None = None  # 4.60's move, when the upgrade crosses it
    # Files a check leaves for the report folder (name → text), e.g. every difference found.
    attachments: dict[str, str] = field(default_factory=dict)
    pages: PageSource | None = None  # shared by the page checks and the comparison
