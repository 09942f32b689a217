"""`rehearse inspect`: restore a backup into a throwaway database and say what store it holds."""

from __future__ import annotations

import json
from pathlib import Path

from rehearse.catalog import Provider, resolve
from rehearse.console import terminal
from rehearse.database.backup import require_provider
from rehearse.database.backupdigest import digested_alongside, digests, stamp
from rehearse.database.backupset import inspect_backup_set
from rehearse.database.engines import ENGINES
from rehearse.database.restore import restored
from rehearse.database.storedb import baseline, check_declared, detect_version
from rehearse.errors import BadInputError, ExitCode
from rehearse.report import inspection
from rehearse.sandbox.labels import new_run_id
from rehearse.sandbox.network import private_network, require_guard
from rehearse.values import option_memory


def inspect(backup_path: Path, provider: Provider | None, declared: str | None,
            image: str | None, memory: str, as_json: bool,
            allow_host_access: bool = False) -> ExitCode:
    out = terminal()
    memory = option_memory("--memory", memory)
    require_guard(allow_host_access)
    version = resolve(declared) if declared else None
    backup = inspect_backup_set(backup_path)
    if provider is not None:
        require_provider(backup, provider)
    ENGINES[backup.provider].check_client()
    before = stamp(backup)
    out.status(f"restoring {backup.path.name} ({backup.format.value}) into a sandbox "
               f"{backup.provider.label}")
    run_id = new_run_id()
    with digested_alongside(backup) as digest, private_network(
            run_id, allow_host_access) as network, restored(
            backup, image, run_id, memory, network,
            on_progress=lambda percent: out.status(f"restored {percent}%")) as sandbox:
        detection = detect_version(sandbox.db)
        if version is not None:
            check_declared(detection, version)
        counts = baseline(sandbox.db)
        facts = {"image": sandbox.image,
                 "server": sandbox.server.describe() if sandbox.server else "",
                 "production": sandbox.production.describe() if sandbox.production else ""}
        notes = sandbox.notes()
    # Read once, beside the restore; read again only if a file was written to meanwhile.
    if stamp(backup) != before and digests(backup).whole != digest.whole:
        raise BadInputError(f"backup {backup.path} changed while it was read",
                            hint="something else is writing to it: copy it somewhere quiet")
    found = inspection.Inspection(backup, digest.whole, detection, counts, facts, notes)
    if as_json:
        out.write(json.dumps(inspection.to_dict(found), indent=2) + "\n")
    else:
        out.show(inspection.to_table(found))
    return ExitCode.PASSED
