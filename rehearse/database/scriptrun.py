"""Apply one nopCommerce upgrade script batch by batch, timing each, stopping at the first error."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rehearse.database.sqlbatches import Batch, SeparatorError, runnable
from rehearse.database.storedb import Database, QueryError
from rehearse.errors import BadInputError, RehearsalFailedError


@dataclass(frozen=True)
class BatchResult:
    number: int
    first_line: int
    last_line: int
    seconds: float
    messages: tuple[str, ...]


@dataclass(frozen=True)
class ScriptResult:
    script: str
    batches: tuple[BatchResult, ...]
    seconds: float


def read_script(path: Path) -> list[Batch]:
    if not path.is_file():
        raise BadInputError(f"upgrade script {path} does not exist",
                            hint="point scripts at the folder of nopCommerce's upgrade scripts "
                                 "(<from>-<to>/upgrade.sql, from the release's UpgradeScripts zip)")
    try:
        return runnable(path.read_text(encoding="utf-8"))
    except SeparatorError as error:
        raise BadInputError(f"upgrade script {path}:{error.line}: {error.reason}",
                            hint="sqlcmd stops at this line before sending anything; fix the GO "
                                 "line (GO alone, or GO <count>, or GO -- comment)") from error
    except UnicodeDecodeError as error:
        raise BadInputError(f"upgrade script {path} is not UTF-8 text ({error.reason})",
                            hint="use the script exactly as nopCommerce ships it") from error


def run_script(db: Database, path: Path, label: str,
               on_batch: Callable[[BatchResult, int], None] | None = None) -> ScriptResult:
    batches = read_script(path)
    started = time.monotonic()
    done: list[BatchResult] = []
    for batch in batches:
        result = _run_batch(db, batch, label, len(batches))
        done.append(result)
        if on_batch is not None:
            on_batch(result, len(batches))
    return ScriptResult(label, tuple(done), time.monotonic() - started)


def _run_batch(db: Database, batch: Batch, label: str, total: int) -> BatchResult:
    started = time.monotonic()
    messages: list[str] = []
    try:
        for _ in range(batch.repeat):
            messages += db.execute(batch.sql)
    except QueryError as error:
        line, text = batch.first_sql
        raise RehearsalFailedError(
            f"{label} failed at batch {batch.number}/{total} (line {line}: {text!r}; lines "
            f"{batch.first_line}-{batch.last_line}): {_server_message(error)}",
            hint="upgrade scripts are not transactional: the sandbox database is now "
                 "half-upgraded; fix the store's data or the script, then rehearse again",
        ) from error
    return BatchResult(batch.number, batch.first_line, batch.last_line,
                       time.monotonic() - started, tuple(messages))


def _server_message(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__
