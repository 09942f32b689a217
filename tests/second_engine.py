"""A second Docker engine on this machine, in a network namespace of its own, reached over TCP at
the namespace's address: what a remote engine looks like (docker-offline.md, "A second Docker
engine"). Its 127.0.0.1 is the namespace's loopback, unreachable from here; nothing it runs can
leave the machine: the test's range is made unreachable first and the namespace has no default
route. Everything is torn down in `finally`.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import docker

READY_SECONDS = 30.0


@dataclass(frozen=True)
class SecondEngine:
    url: str  # tcp://NSADDR:2375, or :2376 with TLS
    name: str  # the namespace, bridge and cgroup parent
    certs: str = ""  # with TLS: DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)

    def client(self) -> docker.DockerClient:
        return _client(self.url, self.certs, 60)

    @property
    def environment(self) -> dict[str, str]:
        """What points a docker client at this engine."""
        tls = {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": self.certs} if self.certs else {}
        return {"DOCKER_HOST": self.url, **tls}


def _client(url: str, certs: str, timeout: int) -> docker.DockerClient:
    tls = docker.tls.TLSConfig(client_cert=(f"{certs}/cert.pem", f"{certs}/key.pem"),
                               ca_cert=f"{certs}/ca.pem", verify=True) if certs else None
    # No version lookup on creation: it would run before REQUESTS_CA_BUNDLE is set aside, and
    # requests lets that replace the test's CA (rehearse/sandbox/engine.py, CA_BUNDLES).
    client = docker.DockerClient(base_url=url, tls=tls, timeout=timeout, version="1.41")
    client.api.trust_env = False
    return client


def make_certificates(folder: Path, address: str) -> Path:
    """A CA, the engine's certificate for its address and a client's, as `dockerd --tlsverify`
    and DOCKER_CERT_PATH want them (Docker's "Protect the Docker daemon socket" page)."""
    folder.mkdir()

    def ssl(*arguments: str) -> None:
        _sh("openssl", *arguments)

    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
        "-keyout", f"{folder}/ca-key.pem", "-out", f"{folder}/ca.pem")
    for who, extension in (("server", f"subjectAltName=IP:{address}"),
                           ("client", "extendedKeyUsage=clientAuth")):
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={who}",
            "-keyout", f"{folder}/{who}-key.pem", "-out", f"{folder}/{who}.csr")
        (folder / f"{who}.ext").write_text(extension + "\n")
        ssl("x509", "-req", "-in", f"{folder}/{who}.csr", "-CA", f"{folder}/ca.pem", "-CAkey",
            f"{folder}/ca-key.pem", "-CAcreateserial", "-days", "1", "-extfile",
            f"{folder}/{who}.ext", "-out", f"{folder}/{who}-cert.pem")
    (folder / "cert.pem").write_bytes((folder / "client-cert.pem").read_bytes())
    (folder / "key.pem").write_bytes((folder / "client-key.pem").read_bytes())
    return folder


def problem() -> str | None:
    """None when this machine can start a second engine; otherwise why not."""
    if os.geteuid() != 0:
        return "a second engine needs root (ip netns, mounts)"
    missing = [tool for tool in ("ip", "dockerd", "docker", "findmnt") if not shutil.which(tool)]
    return f"missing {', '.join(missing)}" if missing else None


def _sh(*command: str, check: bool = True) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr.strip()}")
    return done.stdout


def _free_range() -> str:
    """A private /16 no address or route of this machine uses: 10.N."""
    taken = _sh("ip", "-o", "addr") + _sh("ip", "route")
    for octet in random.sample(range(160, 250), 90):
        if f"10.{octet}." not in taken:
            return f"10.{octet}"
    raise RuntimeError("no free 10.N.0.0/16 range for the second engine")


def _cgroup_mounts() -> str:
    """Shell lines mounting every cgroup hierarchy again inside the namespace's fresh /sys."""
    lines = ["mount -t tmpfs cgroup_root /sys/fs/cgroup"]
    for row in _sh("findmnt", "-rn", "-t", "cgroup,cgroup2", "-o", "TARGET,FSTYPE,OPTIONS")\
            .splitlines():
        target, kind, options = row.split()
        wanted = ",".join(o for o in options.split(",") if o not in ("rw", "relatime"))
        option = f" -o {wanted}" if wanted else ""
        lines.append(f"mkdir -p {target} && mount -t {kind}{option} {kind} {target}")
    return "\n".join(lines)


@contextmanager
def _network(name: str, prefix: str) -> Iterator[str]:
    """The namespace, its veth to the host and its own bridge; yields the namespace's address."""
    host_end, ns_end = f"{name}h", f"{name}n"
    with ExitStack() as undo:
        _sh("ip", "route", "add", "unreachable", f"{prefix}.0.0/16")  # nothing leaks outward
        undo.callback(_sh, "ip", "route", "del", "unreachable", f"{prefix}.0.0/16", check=False)
        _sh("ip", "netns", "add", name)
        undo.callback(_sh, "ip", "netns", "del", name, check=False)
        _sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", ns_end)
        undo.callback(_sh, "ip", "link", "del", host_end, check=False)
        _sh("ip", "link", "set", ns_end, "netns", name)
        _sh("ip", "addr", "add", f"{prefix}.0.1/30", "dev", host_end)
        _sh("ip", "link", "set", host_end, "up")
        inside = ("ip", "netns", "exec", name, "ip")
        _sh(*inside, "addr", "add", f"{prefix}.0.2/30", "dev", ns_end)
        for link in (ns_end, "lo"):
            _sh(*inside, "link", "set", link, "up")
        _sh(*inside, "link", "add", f"{name}b", "type", "bridge")
        _sh(*inside, "addr", "add", f"{prefix}.1.1/24", "dev", f"{name}b")
        _sh(*inside, "link", "set", f"{name}b", "up")
        yield f"{prefix}.0.2"


def _tls_options(address: str, certs: str) -> str:
    if not certs:  # without --tls=false Debian's 20.10 waits 15 s on purpose (docker-offline.md)
        return f"-H tcp://{address}:2375 --tls=false"
    return (f"-H tcp://{address}:2376 --tlsverify --tlscacert {certs}/ca.pem "
            f"--tlscert {certs}/server-cert.pem --tlskey {certs}/server-key.pem")


@contextmanager
def _daemon(name: str, prefix: str, address: str, folder: Path,
            certs: str = "") -> Iterator[str]:
    (folder / "etc").mkdir()
    (folder / "daemon.json").write_text("{}")
    script = f"""{_cgroup_mounts()}
mount --bind {folder / 'etc'} /etc/docker
exec dockerd --data-root {folder / 'data'} --exec-root {folder / 'exec'} \\
  --pidfile {folder / 'd.pid'} -H unix://{folder / 'd.sock'} {_tls_options(address, certs)} \\
  --config-file {folder / 'daemon.json'} --bridge={name}b \\
  --default-address-pool base={prefix}.16.0/20,size=24 --cgroup-parent=/{name}
"""
    log = (folder / "dockerd.log").open("w")
    process = subprocess.Popen(["ip", "netns", "exec", name, "sh", "-c", script],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"tcp://{address}:{2376 if certs else 2375}"
    try:
        _wait_ready(url, certs, process, folder / "dockerd.log")
        yield url
    finally:
        _stop(url, certs, process)
        log.close()
        for hierarchy in Path("/sys/fs/cgroup").iterdir():  # the cgroup parent's folders
            with suppress(OSError):
                (hierarchy / name).rmdir()


def _wait_ready(url: str, certs: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the second dockerd exited:\n{log.read_text()[-2000:]}")
        with suppress(docker.errors.DockerException, OSError):  # requests' errors are OSErrors
            _client(url, certs, 2).ping()
            return
        time.sleep(0.2)
    raise RuntimeError(f"the second dockerd did not answer:\n{log.read_text()[-2000:]}")


def _stop(url: str, certs: str, process: subprocess.Popen[bytes]) -> None:
    with suppress(docker.errors.DockerException, OSError):
        client = _client(url, certs, 10)
        for container in client.containers.list(all=True):
            container.remove(force=True)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def load_images(engine: SecondEngine, images: Sequence[str]) -> None:
    """`docker save | docker -H URL load`: one archive, so shared layers travel once."""
    save = subprocess.Popen(["docker", "save", *images], stdout=subprocess.PIPE)
    load = subprocess.run(["docker", "load", "-q"], stdin=save.stdout, capture_output=True,
                          text=True, check=False, env={**os.environ, **engine.environment})
    assert save.stdout is not None
    save.stdout.close()
    if save.wait() or load.returncode:
        raise RuntimeError(f"loading {images} into {engine.url} failed: {load.stderr.strip()}")


@contextmanager
def second_engine(images: Sequence[str], tls: bool = False) -> Iterator[SecondEngine]:
    """The engine with `images` loaded; with `tls`, on 2376 with client certificates only."""
    name = f"rh{os.getpid() % 10000}{'t' if tls else ''}"
    prefix = _free_range()
    with tempfile.TemporaryDirectory(prefix=f"{name}-", dir="/var/tmp") as folder, \
            _network(name, prefix) as address:
        certs = str(make_certificates(Path(folder) / "certs", address)) if tls else ""
        with _daemon(name, prefix, address, Path(folder), certs) as url:
            engine = SecondEngine(url, name, certs)
            load_images(engine, images)
            yield engine


def write_context(config: Path, name: str, engine: SecondEngine) -> None:
    """The context `docker context create NAME --docker host=URL,ca=…,cert=…,key=…` writes, in
    the Docker config folder `config` (the CLI's DOCKER_CONFIG)."""
    context_id = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / context_id
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Metadata": {}, "Endpoints": {
        "docker": {"Host": engine.url, "SkipTLSVerify": False}}}))
    if engine.certs:
        tls = config / "contexts" / "tls" / context_id / "docker"
        tls.mkdir(parents=True)
        for file in ("ca.pem", "cert.pem", "key.pem"):
            shutil.copy(Path(engine.certs) / file, tls / file)
    (config / "config.json").write_text("{}")
