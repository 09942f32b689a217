"""`rehearse check` asks the local socket whether an image is there only when the local socket is
the engine the SDK would use: DOCKER_HOST, DOCKER_CONTEXT and the CLI's current context win."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rehearse.sandbox import host, quick


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    seen: list[str] = []
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setattr(quick, "_status", lambda path, _target: seen.append(path) or 200)
    monkeypatch.setattr(host, "has_image", lambda _image: seen.append("sdk") or False)
    return seen


def test_the_local_socket_answers_when_nothing_names_another_engine(asked: list[str]) -> None:
    assert quick.has_image("rehearse/relay:1") is True
    assert asked == ["/var/run/docker.sock"]


@pytest.mark.parametrize("variable", [("DOCKER_HOST", "tcp://10.213.0.2:2375"),
                                      ("DOCKER_CONTEXT", "build-2")])
def test_an_engine_named_in_the_environment_is_asked_through_the_sdk(
        asked: list[str], monkeypatch: pytest.MonkeyPatch, variable: tuple[str, str]) -> None:
    monkeypatch.setenv(*variable)
    assert quick.has_image("rehearse/relay:1") is False
    assert asked == ["sdk"]


def test_the_clis_current_context_is_asked_through_the_sdk(
        asked: list[str], tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "build-2"}))
    assert quick.has_image("rehearse/relay:1") is False
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "default"}))
    assert quick.has_image("rehearse/relay:1") is True
    assert asked == ["sdk", "/var/run/docker.sock"]
