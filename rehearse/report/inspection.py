"""What `rehearse inspect` found in a backup, as JSON or a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rehearse.database.backup import Backup
from rehearse.database.storedb import Baseline, Detection


@dataclass(frozen=True)
class Inspection:
    backup: Backup
    sha256: str
    detection: Detection
    baseline: Baseline
    sandbox: dict[str, str] = field(default_factory=dict)  # image, server, production
    notes: tuple[str, ...] = ()


def to_dict(found: Inspection) -> dict[str, Any]:
    return {
        "backup": {"path": str(found.backup.path), "format": found.backup.format.value,
                   "sha256": found.sha256},
        "provider": found.backup.provider.value,
        "version": found.detection.describe(),
        "evidence": found.detection.evidence,
        "counts": found.baseline.counts,
        "missing_tables": list(found.baseline.missing),
        "missing_core_tables": list(found.detection.missing),
        "newest_migrations": list(found.baseline.newest_migrations),
        "sandbox": found.sandbox,
        "notes": list(found.notes),
    }


def to_table(found: Inspection) -> RenderableType:
    head = Text.assemble(
        ("nopCommerce ", "bold"), (found.detection.describe(), "bold green"),
        f" on {found.backup.provider.label}  ({found.detection.evidence})")
    table = Table(box=box.SIMPLE_HEAD, title="Rows in the store's key tables",
                  title_justify="left")
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    for name, count in found.baseline.counts.items():
        table.add_row(name, f"{count:,}")
    parts: list[RenderableType] = [head, table]
    if found.detection.missing:
        parts.append(Text(f"missing tables of nopCommerce {found.detection.describe()} (an "
                          f"upgrade is refused until they are there): "
                          f"{', '.join(found.detection.missing)}", style="yellow"))
    elif found.baseline.missing:
        parts.append(Text(f"missing tables: {', '.join(found.baseline.missing)}",
                          style="yellow"))
    parts += [Text(note, style="yellow") for note in found.notes]
    if found.sandbox:
        parts.append(Text(", ".join(f"{k}: {v}" for k, v in found.sandbox.items() if v),
                          style="dim"))
    parts.append(Text(f"backup unchanged, sha256 {found.sha256}", style="dim"))
    return Group(*parts)
