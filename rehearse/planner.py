"""Pure planning: (from, to, provider, stepwise) -> Plan of Steps. No I/O (nopcommerce.md §5-§6)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rehearse.catalog import (
    RELEASES,
    Mechanism,
    Provider,
    Release,
    image_for,
    lines_after,
    release,
)
from rehearse.errors import BadInputError
from rehearse.version import Version


@dataclass(frozen=True)
class Step:
    source: Version
    target: Version
    kind: Mechanism
    script: str | None = None
    image: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    source: Version
    target: Version
    provider: Provider
    stepwise: bool
    steps: tuple[Step, ...]
    target_image: str | None
    notes: tuple[str, ...] = ()

    @property
    def nothing_to_do(self) -> bool:
        return not self.steps


def make_plan(source: Version, target: Version, provider: Provider, stepwise: bool) -> Plan:
    _check_request(source, target, provider)
    scripts = _script_steps(source, target, provider)
    scripts_end = scripts[-1].target if scripts else source
    steps = scripts + _app_steps(scripts_end, target, stepwise)
    steps = _with_file_notes(steps, source, provider)
    final = release(target)
    target_image = image_for(target) if final.linux_container else None
    return Plan(source, target, provider, stepwise, steps, target_image,
                _plan_notes(steps, final))


def _check_request(source: Version, target: Version, provider: Provider) -> None:
    source_release, _ = release(source), release(target)
    if target < source and not (target.patch is None and target.line == source.line):
        raise BadInputError(
            f"downgrade from {source} to {target} is not an upgrade",
            hint="nopCommerce databases cannot be downgraded: restore an older backup instead",
        )
    if provider not in source_release.providers:
        first = min(r.line for r in RELEASES if provider in r.providers)
        raise BadInputError(
            f"nopCommerce {source} cannot run on {provider.label} ({provider.label} is supported "
            f"from {first})",
            hint=f"use --provider sqlserver, or a store already at {first} or later",
        )


def _script_steps(source: Version, target: Version, provider: Provider) -> tuple[Step, ...]:
    steps: list[Step] = []
    current = source
    for passed in lines_after(source, target):
        if passed.upgrade is not Mechanism.SQL_SCRIPT:
            break
        step_target = target if passed.line == target.line else passed.line
        folder = f"{current.line}-{passed.line}"
        notes = _crossing_notes(passed, provider, f"{folder} readme")
        script = f"{folder}/upgrade.sql"
        steps.append(Step(current, step_target, Mechanism.SQL_SCRIPT, script=script, notes=notes))
        current = step_target
    return tuple(steps)


def _app_steps(source: Version, target: Version, stepwise: bool) -> tuple[Step, ...]:
    passed = [r for r in lines_after(source, target) if r.upgrade is Mechanism.APP_MIGRATION]
    # A patch upgrade within a line (4.70.1 -> 4.70.5) is one start of the newer app.
    patch_only = source.line == target.line and source < target
    if not passed and not (patch_only and release(target).upgrade is Mechanism.APP_MIGRATION):
        return ()
    targets = [r.line for r in passed[:-1]] if stepwise else []
    targets.append(target)
    steps: list[Step] = []
    current = source
    for step_target in targets:
        image = image_for(step_target)
        steps.append(Step(current, step_target, Mechanism.APP_MIGRATION, image=image))
        current = step_target
    return tuple(steps)


def _crossing_notes(passed: Release, provider: Provider, source: str) -> tuple[str, ...]:
    renames = tuple(
        f"plugin list: {old} is renamed {new} ({source})"
        for old, new in passed.plugin_renames
    )
    caveats = tuple(c.text for c in passed.caveats if c.applies_to(provider))
    return renames + caveats


def _with_file_notes(
    steps: tuple[Step, ...], source: Version, provider: Provider
) -> tuple[Step, ...]:
    """Add what changes around each app start: files it reads, connection string, caveats."""
    files_at = source
    noted: list[Step] = []
    for step in steps:
        if step.kind is Mechanism.APP_MIGRATION:
            step = replace(step, notes=step.notes + _app_start_notes(files_at, step, provider))
            files_at = step.target
        noted.append(step)
    return tuple(noted)


def _app_start_notes(files_at: Version, step: Step, provider: Provider) -> tuple[str, ...]:
    before, after = release(files_at), release(step.target)
    notes = list(file_conversion_notes(before, after))
    tls_now_required = after.requires_trusted_tls and not before.requires_trusted_tls
    if provider is Provider.SQLSERVER and tls_now_required:
        notes.append("connection string: TrustServerCertificate=True added (4.50+ uses "
                     "Microsoft.Data.SqlClient, which encrypts by default)")
    for passed in lines_after(step.source, step.target):
        if passed.upgrade is Mechanism.APP_MIGRATION:
            notes.extend(_crossing_notes(passed, provider, f"{passed.line} release"))
    return tuple(dict.fromkeys(notes))


def file_conversion_notes(before: Release, after: Release) -> tuple[str, ...]:
    """The App_Data files rehearse rewrites so that `after` reads what `before` wrote."""
    notes = []
    for old, new, what in ((before.settings, after.settings, "settings"),
                           (before.plugin_list, after.plugin_list, "plugin list")):
        if old != new:
            notes.append(f"{what}: {old.path} ({old.shape}) → {new.path} ({new.shape})")
    return tuple(notes)


def _plan_notes(steps: tuple[Step, ...], final: Release) -> tuple[str, ...]:
    if not steps:
        return ()
    if not final.linux_container:
        return (f"nopCommerce {final.line} cannot run in a Linux container ({final.runtime}): "
                "the scripts are applied and the data checked, but the store is not started; "
                "rehearse to 4.20 or later to start it",)
    notes = []
    if any(step.kind is Mechanism.SQL_SCRIPT for step in steps):
        notes.append("upgrade scripts run batch by batch, not in one transaction: a failing "
                     "script leaves the sandbox half-upgraded")
    if steps[-1].kind is Mechanism.SQL_SCRIPT:
        notes.append(f"after the last script, nopCommerce {final.line} starts once for the "
                     "smoke checks")
    return tuple(notes)
