"""Which of the store's plugins and which theme survive each app step, judged before anything
starts, by the loader rules of each version (nopcommerce.md §11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rehearse import catalog
from rehearse.store.plugins import (
    Descriptor,
    DescriptorError,
    Files,
    check_startup,
    read_descriptor,
)
from rehearse.store.themes import DEFAULT_THEME, read_themes, rendered_theme
from rehearse.version import Version


class Fate(StrEnum):
    BUNDLED = "bundled"
    LOADS = "loads"
    INCOMPATIBLE = "incompatible"
    MISSING = "missing"
    REMOVED = "removed"
    RENAMED = "renamed"
    BREAKS_STARTUP = "breaks-startup"
    STALE = "stale"  # a theme tried as is: its views compile on first render (§11)
    FALLS_BACK = "falls-back"
    UNKNOWN = "unknown"


NOT_LOADED = frozenset({Fate.INCOMPATIBLE, Fate.MISSING, Fate.REMOVED, Fate.RENAMED})


@dataclass(frozen=True)
class Build:
    """One plugin or theme folder: from the site (`site`) or an upgrade folder."""

    where: str
    folder: str
    files: Files = field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.where}/{self.folder}"


@dataclass(frozen=True)
class Judgement:
    fate: Fate
    reason: str
    build: str | None = None


@dataclass(frozen=True)
class PluginFate:
    system_name: str
    installed_version: str | None
    steps: tuple[tuple[str, Judgement], ...]


@dataclass(frozen=True)
class ThemeFate:
    configured: str | None
    steps: tuple[tuple[str, Judgement], ...]


@dataclass(frozen=True)
class Survival:
    plugins: tuple[PluginFate, ...]
    theme: ThemeFate
    startup: tuple[tuple[str, tuple[str, ...]], ...]  # per step: what stops the start

    @property
    def breaks(self) -> bool:
        # A theme that falls back is a store that looks different: the run fails on it too.
        return any(problems for _, problems in self.startup) or any(
            j.fate in (Fate.BREAKS_STARTUP, Fate.FALLS_BACK) for _, j in self.theme.steps)


@dataclass(frozen=True)
class StoreFiles:
    """What the store brings: installed plugins (name, version), plugin and theme builds."""

    installed: tuple[tuple[str, str | None], ...]
    plugins: tuple[Build, ...]
    themes: tuple[Build, ...] = ()
    theme: str | None = None


@dataclass(frozen=True)
class _Read:
    build: Build
    descriptor: Descriptor | None
    error: str | None


def judge(store: StoreFiles, steps: tuple[Version, ...]) -> Survival:
    per_step = {step: _read_all(store.plugins, step) for step in steps}
    clashes = {step: _clashes(deployed(store, step, per_step[step]), step) for step in steps}
    startup = tuple((str(step), tuple(_startup_problems(deployed(store, step, per_step[step]),
                                                         step))) for step in steps)
    plugins = tuple(PluginFate(name, version, tuple(
        (str(step), clashes[step].get(name.lower()) or _judge_plugin(name, step, per_step[step]))
        for step in steps)) for name, version in store.installed)
    theme = ThemeFate(store.theme, tuple((str(step), judge_theme(store, step)) for step in steps))
    return Survival(plugins, theme, startup)


def _read_all(builds: tuple[Build, ...], step: Version) -> list[_Read]:
    found = []
    for build in builds:
        try:
            found.append(_Read(build, read_descriptor(build.folder, build.files, step), None))
        except DescriptorError as error:
            found.append(_Read(build, None, f"{build.where}/{error}"))
    return found


def deployed(store: StoreFiles, step: Version, reads: list[_Read] | None = None) -> list[_Read]:
    """The folders in the step's Plugins/: every site folder (as the operator carries them),
    except plugins the image ships; an upgrade build that loads replaces the site's folders of
    that plugin when none of those loads, and one the loader cannot read goes in as uploaded."""
    reads = _read_all(store.plugins, step) if reads is None else reads
    bundled = {n.lower() for n in catalog.bundled_plugins(step)}
    site = [r for r in reads if r.build.where == "site" and _key(r) not in bundled]
    for build in (r for r in reads if r.build.where != "site"):
        if build.error is not None:
            folder = build.build.folder.lower()
            site = [r for r in site if r.build.folder.lower() != folder] + [build]
            continue
        same = [r for r in site if _key(r) == _key(build)]
        if _loads(build, step) and not any(_loads(r, step) for r in same):
            site = [r for r in site if r not in same] + [build]
    return site


def _key(read: _Read) -> str:
    return read.descriptor.system_name.lower() if read.descriptor else read.build.folder.lower()


def _loads(read: _Read, step: Version) -> bool:
    return read.descriptor is not None and read.descriptor.loads(step)


def plugin_folders(store: StoreFiles, step: Version) -> dict[str, Files]:
    return {read.build.folder: read.build.files for read in deployed(store, step)}


def _startup_problems(reads: list[_Read], step: Version) -> list[str]:
    problems = [read.error for read in reads if read.error]
    found = [r.descriptor for r in reads if r.descriptor]
    return problems + [why for _, why in check_startup(found, step)]


def _clashes(reads: list[_Read], step: Version) -> dict[str, Judgement]:
    """Plugins whose SystemName clashes in this step's Plugins/ (the start aborts)."""
    found = [r.descriptor for r in reads if r.descriptor]
    return {name.lower(): Judgement(Fate.BREAKS_STARTUP, f"{why}: nopCommerce {step.line} does "
                                    "not start (Dictionary.Add)")
            for name, why in check_startup(found, step) if name}


def _judge_plugin(name: str, step: Version, reads: list[_Read]) -> Judgement:
    mine = [r for r in reads if (r.descriptor and r.descriptor.system_name.lower() == name.lower())
            or (r.descriptor is None and r.build.folder.lower() == name.lower())]
    broken = next((r for r in mine if r.error), None)
    if broken is not None:
        return Judgement(Fate.BREAKS_STARTUP, f"{broken.error}: nopCommerce {step.line} does "
                         "not start with this descriptor", broken.build.label)
    if name in catalog.bundled_plugins(step):
        return Judgement(Fate.BUNDLED, f"the {step.line} image ships it ({catalog.BUNDLED_SOURCE})")
    loading = next((r for r in mine if r.descriptor and r.descriptor.loads(step)), None)
    if loading is not None:
        return Judgement(Fate.LOADS, f"{loading.build.label} supports {step.line}",
                         loading.build.label)
    return _not_loaded(name, step, mine)


def _not_loaded(name: str, step: Version, mine: list[_Read]) -> Judgement:
    renamed = catalog.change_of(catalog.RENAMED_PLUGINS, name, step)
    if renamed is not None:
        return Judgement(Fate.RENAMED, f"renamed {renamed.new_name} in {renamed.line} "
                         f"({renamed.source}): the old entry stays listed but nothing loads it; "
                         f"install {renamed.new_name}")
    removed = catalog.change_of(catalog.REMOVED_PLUGINS, name, step)
    if removed is not None:
        return Judgement(Fate.REMOVED, f"dropped from the distribution in {removed.line} "
                         f"({removed.source}): upload a build that supports {step.line} or "
                         "uninstall it")
    seen = [r for r in mine if r.descriptor is not None]
    if not seen:
        where = ", ".join(r.build.label for r in mine)
        why = f"{where} has no descriptor {step.line} reads" if mine else "no folder, no build"
        return Judgement(Fate.MISSING, f"{why}: upload a build that supports {step.line}")
    return Judgement(Fate.INCOMPATIBLE, "; ".join(_why_not(r, step) for r in seen)
                     + f": upload a build that supports {step.line}", seen[0].build.label)


def _why_not(read: _Read, step: Version) -> str:
    assert read.descriptor is not None
    if not read.descriptor.supports(step):
        versions = ", ".join(read.descriptor.supported_versions)
        return f"{read.build.label} supports {versions}, not {step.line}"
    return f"{read.build.label} lacks its main assembly {read.descriptor.file_name or '(none)'}"


def theme_folders(store: StoreFiles) -> dict[str, Files]:
    """The store's themes over the image's own DefaultClean; a new build replaces its folder."""
    folders: dict[str, Files] = {}
    for build in sorted(store.themes, key=lambda b: b.where != "site"):
        if build.where == "site" and build.folder.lower() == DEFAULT_THEME.lower():
            continue  # the new package brings its own DefaultClean
        folders[build.folder] = build.files
    return folders


_IMAGE_THEME: Files = {"theme.json": b'{"SystemName": "DefaultClean"}'}


def judge_theme(store: StoreFiles, step: Version) -> Judgement:
    folders = {DEFAULT_THEME: _IMAGE_THEME, **theme_folders(store)}
    try:
        themes = read_themes(folders, step)
    except DescriptorError as error:
        return Judgement(Fate.BREAKS_STARTUP, f"{error}: nopCommerce {step.line} stops "
                         "loading themes" + (" (4.90 skips the rest of its start-up handler)"
                                             if step.line >= Version(4, 90) else ""))
    if store.theme is None:
        return Judgement(Fate.UNKNOWN, "the configured theme is read from the database in the run")
    shown = rendered_theme(store.theme, themes)
    if shown is None or shown.lower() != store.theme.lower():
        return Judgement(Fate.FALLS_BACK, f"{store.theme} is not a theme {step.line} reads; "
                         f"pages render with {shown or 'nothing (No theme could be loaded)'}")
    if shown.lower() == DEFAULT_THEME.lower():
        return Judgement(Fate.BUNDLED, f"the {step.line} image ships {DEFAULT_THEME}")
    build = next(b for b in store.themes if b.folder in folders
                 and folders[b.folder] is b.files and _named(b, shown, step))
    if build.where == "site":
        return Judgement(Fate.STALE, f"the current build is tried as is: its views compile on "
                         f"first render in {step.line} (stale views fail with a 500)", build.label)
    return Judgement(Fate.LOADS, f"{build.label} is the new build", build.label)


def _named(build: Build, name: str, step: Version) -> bool:
    found = read_themes({build.folder: build.files}, step)
    return bool(found) and found[0].system_name.lower() == name.lower()
