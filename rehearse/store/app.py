"""One app step: nopCommerce of a version started on the sandbox database, followed until it has
migrated and listens, then asked whether it is really installed (nopcommerce.md §5, §8)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from rehearse import catalog
from rehearse.checks.web import sandbox_client
from rehearse.errors import BadInputError, EnvironmentNotReadyError, RehearsalFailedError
from rehearse.runlog import timed, took
from rehearse.sandbox.service import Endpoint, Service, ServiceSpec, run_service
from rehearse.store.appdata import Files
from rehearse.store.startup import Migration, Startup
from rehearse.version import Version

APP_DATA = "/app/App_Data"
PICTURES = "/app/wwwroot/images"
PLUGINS = "/app/Plugins"  # one level deep, the image's own plugins beside (nopcommerce.md §11)
THEMES = "/app/Themes"
PORT = 80
DEFAULT_TIMEOUT = 1800.0  # migrations of big stores take long (#5960, #7865)
PROBE_SECONDS = 15.0


@dataclass(frozen=True)
class AppSpec:
    version: Version
    image: str
    app_data: Files
    network: str | None = None
    memory: str | None = "2g"
    timeout: float = DEFAULT_TIMEOUT
    env: Mapping[str, str] = field(default_factory=dict)
    pictures: Files = field(default_factory=dict)  # wwwroot/images, when not stored in the DB
    pull: bool = True
    plugins: Mapping[str, bytes] = field(default_factory=dict)  # {folder/path: bytes} (§11)
    themes: Mapping[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class AppStart:
    version: Version
    image: str
    seconds: float
    migrations: tuple[Migration, ...]
    log: str


class AppStartFailedError(RehearsalFailedError):
    """The app did not come up; carries its console log for the report."""

    def __init__(self, message: str, hint: str, log: str) -> None:
        super().__init__(message, hint)
        self.log = log


@contextmanager
def running_app(spec: AppSpec, run_id: str,
                on_line: Callable[[str], None] | None = None) -> Iterator[tuple[Service, AppStart]]:
    _check_runnable(spec.version)
    files = tuple((f"{APP_DATA}/{name}", content) for name, content in spec.app_data.items())
    files += tuple((f"{PICTURES}/{name}", content) for name, content in spec.pictures.items())
    files += tuple((f"{PLUGINS}/{name}", content) for name, content in spec.plugins.items())
    files += tuple((f"{THEMES}/{name}", content) for name, content in spec.themes.items())
    service_spec = ServiceSpec(image=spec.image, port=PORT, role=f"store-{spec.version}",
                               env=dict(spec.env), memory=spec.memory, network=spec.network,
                               files=files, pull=spec.pull)
    asked = time.monotonic()
    with run_service(service_spec, run_id) as service:
        started = time.monotonic()
        took(f"nopCommerce {spec.version}: container started", started - asked)
        startup = _follow(service, spec, on_line)
        took(f"nopCommerce {spec.version}: listening", time.monotonic() - started)
        log = service.logs()
        if not startup.ready:
            if service.out_of_memory():
                raise EnvironmentNotReadyError(
                    f"nopCommerce {spec.version} ran out of memory (limit {spec.memory}) while "
                    "starting", hint="raise limits.store_memory in the scenario")
            raise _failed(spec, startup, service, log)
        with timed(f"nopCommerce {spec.version}: home page asked"):
            _check_installed(service.endpoint, spec, log)
        yield service, AppStart(spec.version, spec.image, time.monotonic() - started,
                                tuple(startup.migrations), log)


def _check_runnable(version: Version) -> None:
    release = catalog.release(version)
    if not release.linux_container:
        raise BadInputError(
            f"nopCommerce {version} cannot run in a Linux container ({release.runtime})",
            hint="only its upgrade scripts can be rehearsed: rehearse to 4.20 or later to start "
                 "the store")


def _follow(service: Service, spec: AppSpec, on_line: Callable[[str], None] | None) -> Startup:
    startup = Startup()
    for line in service.follow(spec.timeout):
        startup.feed(line, time.monotonic())
        if on_line is not None:
            on_line(line)
        if startup.ready:
            break
    return startup


def _failed(spec: AppSpec, startup: Startup, service: Service, log: str) -> AppStartFailedError:
    where = f" while running {startup.running_migration}" if startup.running_migration else ""
    code = service.exit_code()
    if startup.failed:
        why = startup.failure_summary()
    elif code is not None:
        why = f"the process exited with code {code}"
    else:
        why = f"not listening after {spec.timeout:.0f} s"
    hint = ("each migration runs in its own transaction: the ones before it stay applied; "
            "read the store log in the report")
    if code is None and not startup.failed:
        hint = "raise the step timeout for a store this large, or look for a hung migration"
    return AppStartFailedError(f"nopCommerce {spec.version} failed to start{where}: {why}",
                               hint, log)


def _check_installed(endpoint: Endpoint, spec: AppSpec, log: str) -> None:
    """Lost settings show as every page redirecting to /install (nopcommerce.md §8, §10). The
    console already said the app listens: its home page is the one request, no readiness poll
    before it."""
    base = f"http://{endpoint.host}:{endpoint.port}"
    try:
        with sandbox_client(base, follow_redirects=False, timeout=10.0) as client:
            home = _get(client, "/")
    except httpx.HTTPError as error:
        raise AppStartFailedError(
            f"nopCommerce {spec.version} said it listens but does not answer HTTP ({error})",
            "read the store log in the report", log) from error
    location = home.headers.get("location", "")
    if home.status_code in (301, 302) and "/install" in location.lower():
        raise AppStartFailedError(
            f"nopCommerce {spec.version} started but redirects every page to /install: it found "
            "no database settings",
            "the settings were not carried over: check App_Data (store.app_data) holds the "
            "store's settings file", log)


def _get(client: httpx.Client, path: str) -> httpx.Response:
    # Kestrel says it listens once bound, but Docker's proxy may lag a moment behind.
    deadline = time.monotonic() + PROBE_SECONDS
    while True:
        try:
            return client.get(path)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
