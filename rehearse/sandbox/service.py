"""A disposable, labelled service container: published on 127.0.0.1, waited on, always removed."""

from __future__ import annotations

import codecs
import io
import queue
import re
import tarfile
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from docker.errors import DockerException
from testcontainers.core.container import DockerContainer
from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from rehearse.errors import EnvironmentNotReadyError
from rehearse.sandbox import host
from rehearse.sandbox.copyin import Copy, WithFiles, copy_in, folder_copies
from rehearse.sandbox.labels import is_kept, labels
from rehearse.sandbox.relay import Opening

LOG_TAIL_LINES = 30
COMMAND_POLL_SECONDS = 0.05  # an exec: tens of milliseconds each
SIGNAL_LINES = 4  # a ready signal spans at most this many log lines
STOP_SECONDS = 60  # a restart's clean stop (the image's stop signal), then SIGKILL


@dataclass(frozen=True)
class Mount:
    """A host folder inside the container; read-only unless said otherwise."""

    source: str
    target: str
    read_only: bool = True
    # The files under `source` the container needs (all when empty): what an engine on another
    # machine gets copied instead (`placed`), where a bind mount would find nothing.
    only: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Docker reads a source that is not an absolute path as a named volume and creates it
        # (issue 10 §4): only resolved host folders are ever mounted.
        if not self.source.startswith("/"):
            raise ValueError(f"mount source {self.source!r} is not an absolute path")


@dataclass(frozen=True)
class ServiceSpec:
    """What to run and how to know it is ready; engines and stores fill these in."""

    image: str
    port: int
    role: str
    env: Mapping[str, str] = field(default_factory=dict)
    ready_log: str = ""
    ready_command: Sequence[str] = ()
    ready_timeout: float = 120.0
    memory: str | None = None
    pull: bool = True
    mounts: tuple[Mount, ...] = ()
    network: str | None = None
    files: tuple[tuple[str, bytes], ...] = ()  # (path in the container, content), before start
    # Checks of the engine (architecture, memory) before any pull or start, and a reader of the
    # log tail that turns a known start failure into one clear error (SQL Server's 2 GB, EULA…).
    pre_start: Callable[[host.EngineFacts], None] | None = None
    explain: Callable[[str], Exception | None] | None = None
    copies: tuple[Copy, ...] = ()  # host files copied in after the start (see copyin.py)
    command: tuple[str, ...] = ()  # arguments to the image's entrypoint (server options)


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int


class Service:
    """A running service: where to reach it, its logs, a way to run commands in it."""

    def __init__(self, container: DockerContainer, spec: ServiceSpec,
                 door_port: int | None = None) -> None:
        self._container = container
        self.spec = spec
        self._door_port = door_port

    @property
    def container_id(self) -> str:
        return str(self._container.get_container_id())

    @property
    def endpoint(self) -> Endpoint:
        """Where the host reaches the service: its relay's port, or its own published one."""
        if self._door_port is not None:
            return Endpoint("127.0.0.1", self._door_port)
        return Endpoint("127.0.0.1", int(self._container.get_exposed_port(self.spec.port)))

    def logs(self) -> str:
        stdout, stderr = self._container.get_logs()
        return bytes(stdout + stderr).decode(errors="replace")

    @property
    def name(self) -> str:
        """The container's name: its address on the rehearsal's network."""
        return str(self._container.get_wrapped_container().name)

    def read_folder(self, folder: str) -> dict[str, bytes]:
        """Every file under `folder` in the container, by path relative to it."""
        stream, _ = self._container.get_wrapped_container().get_archive(folder)
        files: dict[str, bytes] = {}
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            for member in tar.getmembers():
                extracted = tar.extractfile(member) if member.isfile() else None
                if extracted is not None:
                    files[member.name.split("/", 1)[1]] = extracted.read()
        return files

    def follow(self, timeout: float) -> Iterator[str]:
        """Log lines as the engine writes them, until the container exits or `timeout` seconds
        pass (see `_log_lines`)."""
        return _log_lines(self._container.get_wrapped_container(), timeout)

    def out_of_memory(self) -> bool:
        wrapped = self._container.get_wrapped_container()
        wrapped.reload()
        return bool(wrapped.attrs.get("State", {}).get("OOMKilled"))

    def exit_code(self) -> int | None:
        wrapped = self._container.get_wrapped_container()
        wrapped.reload()
        state = wrapped.attrs.get("State", {})
        return None if state.get("Running") else int(state.get("ExitCode", 0))

    def restart(self) -> None:
        """Stopped cleanly (the image's stop signal) and started again in the same container,
        its data kept; returns once the server is ready on the signal it wrote after this
        start (the log's earlier lines say so from the first start)."""
        wrapped = self._container.get_wrapped_container()
        try:
            wrapped.restart(timeout=STOP_SECONDS)
            wrapped.reload()
            _Ready(self.spec, since=_started_at(wrapped.attrs)).wait_until_ready(self._container)
        except (TimeoutError, RuntimeError, DockerException) as error:
            raise EnvironmentNotReadyError(
                f"{self.spec.role} container ({self.spec.image}) did not come back after a "
                f"restart: {_headline(error)}{_log_tail(self._container)}",
                hint="read the log lines above; rehearse restarts the sandbox database around "
                     "a large restore (report it if the image refuses)") from error

    def exec(self, command: Sequence[str]) -> tuple[int, str]:
        result = self._container.exec(list(command))
        return int(result.exit_code or 0), bytes(result.output or b"").decode(errors="replace")

    def exec_lines(self, command: Sequence[str],
                   on_line: Callable[[str], None]) -> tuple[int, str]:
        """`exec`, each output line passed on as it comes (progress of a long restore)."""
        api = host.client().api
        exec_id = api.exec_create(self.container_id, list(command))["Id"]
        output, pending = [], ""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may
        for chunk in api.exec_start(exec_id, stream=True):  # straddle two chunks
            pending += decoder.decode(bytes(chunk))
            *lines, pending = re.split(r"[\r\n]", pending)  # \r: progress lines of dd
            for line in lines:
                on_line(line)
            output += lines
        pending += decoder.decode(b"", final=True)
        if pending:
            on_line(pending)
        output.append(pending)
        return int(api.exec_inspect(exec_id)["ExitCode"] or 0), "\n".join(output)


def _log_lines(container: Any, timeout: float, since: float | None = None) -> Generator[str]:
    """The engine's own log stream, read by a thread: a line is seen the moment it is written
    (polling saw it up to a poll late, on every start) and a quiet container costs no request.
    Ends when the container exits or `timeout` seconds pass. `since`: lines written from then
    (a timestamp of the engine's clock) only."""
    stream = container.logs(stream=True, follow=True, since=since)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(stream, lines), name="log", daemon=True).start()
    deadline = time.monotonic() + timeout
    try:
        while (line := lines.get(timeout=max(0.0, deadline - time.monotonic()))) is not None:
            yield line
    except queue.Empty:
        return  # timed out: the caller judges the container as it is now
    finally:  # the pump ends with the stream (at the latest when the container goes)
        with suppress(DockerException):  # an SSH engine's stream cannot be cut short
            stream.close()


class _Ready(WaitStrategy):
    """Ready on the server's own signal, never on the port (Docker's proxy accepts connections
    on 127.0.0.1 before the server listens, docker-offline.md): its log line, seen on the log
    stream as it is written, then its ready command (if any), asked until it succeeds.
    testcontainers' strategies polled the whole log, then the command, every 0.2 s."""

    def __init__(self, spec: ServiceSpec, since: float | None = None) -> None:
        super().__init__()
        self._since = since
        self._log = re.compile(spec.ready_log, re.MULTILINE) if spec.ready_log else None
        self._command = list(spec.ready_command)
        self._timeout = max(1.0, spec.ready_timeout)

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        deadline = time.monotonic() + self._timeout
        wrapped = container.get_wrapped_container()
        if self._log is not None:
            self._logged(wrapped, self._log, deadline)
        while self._command and wrapped.exec_run(self._command).exit_code != 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{' '.join(self._command)} did not succeed within "
                                   f"{self._timeout:.0f} s")
            time.sleep(COMMAND_POLL_SECONDS)

    def _logged(self, wrapped: Any, log: re.Pattern[str], deadline: float) -> None:
        # The last few lines searched together: a signal may span two (MariaDB's, mysql.py).
        seen: deque[str] = deque(maxlen=SIGNAL_LINES)
        with closing(_log_lines(wrapped, deadline - time.monotonic(), self._since)) as lines:
            for line in lines:
                seen.append(line)
                if log.search("\n".join(seen)):
                    return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no {log.pattern!r} in its log within {self._timeout:.0f} s")
        raise RuntimeError("the container exited before it was ready")


def _started_at(attrs: Mapping[str, Any]) -> float:
    """When the container last started, by the engine's clock (RFC 3339, in nanoseconds)."""
    whole, _, fraction = str(attrs["State"]["StartedAt"]).removesuffix("Z").partition(".")
    started = datetime.fromisoformat(whole).replace(tzinfo=UTC).timestamp()
    return started + float(f"0.{fraction or 0}")


def _pump(stream: Iterable[bytes], lines: queue.Queue[str | None]) -> None:
    """Each line of `stream` into `lines`, then None. The engine's stream ends when the
    container exits; docker's reader ends it quietly on a broken connection too."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # a character may
    pending = ""  # straddle two chunks
    try:
        for chunk in stream:
            pending += decoder.decode(chunk)
            *done, pending = pending.split("\n")
            for line in done:
                lines.put(line.removesuffix("\r"))
    finally:  # ended (the container exited or went) or broken: what came is all there is
        pending += decoder.decode(b"", final=True)
        if pending:
            lines.put(pending)
        lines.put(None)


def placed(spec: ServiceSpec) -> ServiceSpec:
    """The spec for this engine: an engine of another machine cannot bind-mount this machine's
    folders, so what is mounted read-only (backups) is copied in instead, read-only."""
    read_only = tuple(mount for mount in spec.mounts if mount.read_only)
    if not read_only or not host.engine().tunnelled:
        return spec
    copies = tuple(copy for mount in read_only
                   for copy in folder_copies(mount.source, mount.target, mount.only))
    return replace(spec, mounts=tuple(m for m in spec.mounts if not m.read_only),
                   copies=spec.copies + copies)


@contextmanager
def run_service(spec: ServiceSpec, run_id: str) -> Iterator[Service]:
    spec = placed(spec)
    if spec.pre_start is not None:
        spec.pre_start(host.engine_facts())
    host.ensure_image(spec.image, pull=spec.pull)
    container = _container(spec, run_id)
    opening = None if spec.network is None else Opening(
        run_id, spec.role, container_name(run_id, spec), spec.port, spec.network)
    try:
        _start(container, spec)
    except BaseException:
        if opening is not None:
            opening.close()
        raise
    try:
        yield Service(container, spec, None if opening is None else opening.port())
    finally:
        if opening is not None:  # closed by its thread, beside the removal; not waited for:
            opening.close()  # the next door takes another free slot
        if not is_kept(run_id):
            _remove(container)


def _start(container: DockerContainer, spec: ServiceSpec) -> None:
    """Started, ready and given its copies; removed again when any of that fails."""
    try:
        container.start()
    except (TimeoutError, RuntimeError) as error:
        tail = _log_tail(container)
        _remove(container)
        known = spec.explain(tail) if spec.explain is not None else None
        if known is not None:
            raise known from error
        raise EnvironmentNotReadyError(
            f"{spec.role} container ({spec.image}) did not become ready: {_headline(error)}"
            f"{tail}",
            hint="read the log lines above; raise the timeout or memory limit if it was slow",
        ) from error
    except BaseException:
        _remove(container)
        raise
    try:
        for copy in spec.copies:
            copy_in(container, copy)
    except BaseException:
        _remove(container)
        raise


def _container(spec: ServiceSpec, run_id: str) -> DockerContainer:
    # The name is the service's address on the rehearsal's network, unique per run.
    container = WithFiles(spec.image, spec.files, env=dict(spec.env),
                          name=container_name(run_id, spec))
    if spec.network is None:
        # Publish on loopback only: a plain publish binds 0.0.0.0 (docker-offline.md). On the
        # rehearsal's internal network a relay is the door instead (see relay.py).
        container.ports[f"{spec.port}/tcp"] = ("127.0.0.1", None)  # type: ignore[assignment]
    kwargs: dict[str, object] = {"labels": labels(run_id, spec.role)}
    if spec.memory:
        kwargs["mem_limit"] = spec.memory
    if spec.network:
        kwargs["network"] = spec.network
    if spec.command:
        container.with_command(list(spec.command))
    for mount in spec.mounts:
        container.with_volume_mapping(mount.source, mount.target, "ro" if mount.read_only else "rw")
    container.with_kwargs(**kwargs)
    if spec.ready_log or spec.ready_command:
        container.waiting_for(_Ready(spec))
    return container


def container_name(run_id: str, spec: ServiceSpec) -> str:
    return f"rehearse-{run_id}-{spec.role}"


def _log_tail(container: DockerContainer) -> str:
    try:
        stdout, stderr = container.get_logs()
    except (DockerException, RuntimeError):
        return ""
    lines = bytes(stdout + stderr).decode(errors="replace").splitlines()[-LOG_TAIL_LINES:]
    return "".join(f"\n    | {line}" for line in lines)


def _headline(error: BaseException) -> str:
    return str(error).split(". ")[0]


def _remove(container: DockerContainer) -> None:
    with suppress(DockerException):  # already gone; the label sweep catches anything else
        container.stop()
