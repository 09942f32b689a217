"""Engine URLs and contexts: which engine, and whether its published ports are this machine's."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from rehearse.errors import BadInputError
from rehearse.sandbox import engine

LOCALITY = [
    ("unix:///var/run/docker.sock", True),
    ("unix:///run/user/1000/docker.sock", True),
    ("tcp://127.0.0.1:2375", True),
    ("tcp://localhost:2376", True),
    ("tcp://[::1]:2375", True),
    ("tcp://10.213.0.2:2375", False),
    ("tcp://docker.example.com:2376", False),
    ("https://build-3.example.com:2376", False),
    ("ssh://deploy@shop-rehearsals", False),
    ("ssh://127.0.0.1", False),  # an ssh engine is another machine's, even through a forward
]


@pytest.mark.parametrize(("url", "local"), LOCALITY)
def test_published_ports_are_reachable_only_from_an_engine_here(url: str, local: bool) -> None:
    assert engine.is_local(engine.parse_url(url)) is local
    assert engine.current({"DOCKER_HOST": url}).tunnelled is not local


@pytest.mark.parametrize("url", ["docker.example.com:2376", "ftp://host", "tcp://:2375",
                                 "unix://", "ssh://", "http//x"])
def test_a_bad_engine_url_is_the_users_to_fix(url: str) -> None:
    with pytest.raises(BadInputError) as caught:
        engine.parse_target(url) if "://" in url else engine.parse_url(url)
    assert caught.value.hint


def test_an_unknown_context_name_is_refused(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    with pytest.raises(BadInputError, match="neither a URL nor a Docker context"):
        engine.parse_target("night-shift")


def _context(config: Path, name: str, host: str) -> None:
    """A context as `docker context create NAME --docker host=HOST` writes it."""
    meta = config / "contexts" / "meta" / _context_id(name)
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({
        "Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host,
                                                               "SkipTLSVerify": False}}}))


def test_the_current_context_names_the_engine(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    _context(tmp_path, "night-shift", "tcp://10.213.0.2:2375")
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "night-shift"}))
    assert engine.current({}) == engine.Engine("tcp://10.213.0.2:2375", tunnelled=True)
    assert engine.parse_target("night-shift") == "night-shift"
    # DOCKER_HOST wins over the context, as with the docker CLI.
    assert engine.current({"DOCKER_HOST": "unix:///x.sock"}).url == "unix:///x.sock"
    assert engine.current({"DOCKER_CONTEXT": "default"}).url == engine.DEFAULT_URL


def test_the_way_in_can_be_forced_and_a_wrong_value_is_refused() -> None:
    env = {"DOCKER_HOST": "tcp://127.0.0.1:2375"}
    assert engine.current({**env, engine.ACCESS: "tunnel"}).tunnelled
    assert not engine.current({"DOCKER_HOST": "ssh://a@b", engine.ACCESS: "published"}).tunnelled
    with pytest.raises(BadInputError):
        engine.current({**env, engine.ACCESS: "vpn"})


def test_a_child_rehearsal_is_pointed_at_its_engine_only() -> None:
    parent = {"DOCKER_HOST": "unix:///a.sock", "DOCKER_CONTEXT": "x", "PATH": "/bin",
              "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"}
    assert engine.child_environment("tcp://10.0.0.2:2376", parent) == {  # the TLS given, kept
        "DOCKER_HOST": "tcp://10.0.0.2:2376", "PATH": "/bin", "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": "/certs"}
    assert engine.child_environment("night-shift", parent) == {  # a context has its own
        "DOCKER_CONTEXT": "night-shift", "PATH": "/bin"}


def test_a_context_that_does_not_exist_is_never_the_local_engine_instead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(BadInputError, match="not a Docker context"):
        engine.pinned({"DOCKER_CONTEXT": "nigth-shift"})


def test_a_tls_context_is_pinned_as_variables_every_client_reads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    _context(tmp_path, "night-shift", "tcp://10.213.0.2:2376")
    tls = tmp_path / "contexts" / "tls" / _context_id("night-shift") / "docker"
    tls.mkdir(parents=True)
    for name in ("ca.pem", "cert.pem", "key.pem"):
        (tls / name).write_text("-----BEGIN CERTIFICATE-----\n")
    (tmp_path / "config.json").write_text("{}")
    env = {"DOCKER_CONTEXT": "night-shift", "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/x.crt"}
    assert engine.pinned(env) == {
        "DOCKER_HOST": "tcp://10.213.0.2:2376", "DOCKER_CONTEXT": None,
        "DOCKER_CERT_PATH": str(tls), "DOCKER_TLS_VERIFY": "1",
        "REQUESTS_CA_BUNDLE": None}  # requests would verify against it instead of ca.pem


@pytest.mark.parametrize(("env", "changes"), [
    ({}, {}),  # the default context: the local socket, nothing to pin
    ({"DOCKER_HOST": "tcp://10.0.0.2:2375", "CURL_CA_BUNDLE": "/x"}, {}),  # no TLS
    ({"DOCKER_HOST": "tcp://10.0.0.2:2376", "DOCKER_TLS_VERIFY": "1", "CURL_CA_BUNDLE": "/x"},
     {"CURL_CA_BUNDLE": None}),
])
def test_only_tls_sets_the_ca_bundles_aside(env: dict[str, str], changes: dict[str, None],
                                            tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    assert engine.pinned(env) == changes


def _context_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()
