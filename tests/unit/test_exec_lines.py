"""Lines of a long `exec` reach the caller whole, however Docker cuts the stream."""

from __future__ import annotations

from typing import Any

import pytest

from rehearse.sandbox import host
from rehearse.sandbox.service import Service, ServiceSpec


class _Api:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def exec_create(self, _container: str, _command: list[str]) -> dict[str, str]:
        return {"Id": "e1"}

    def exec_start(self, _exec_id: str, stream: bool) -> Any:
        return iter(self.chunks)

    def exec_inspect(self, _exec_id: str) -> dict[str, int]:
        return {"ExitCode": 0}


class _Container:
    def get_container_id(self) -> str:
        return "c1"


def test_lines_split_across_chunks_and_characters_split_across_chunks_arrive_whole(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "pg_restore: processing item 7 TABLE Bücher\r4096 bytes copied\nlast, no newline"
    raw = text.encode()
    chunks = [raw[i:i + 3] for i in range(0, len(raw), 3)]  # "ü" is cut in two somewhere
    client = type("Client", (), {"api": _Api(chunks)})()
    monkeypatch.setattr(host, "client", lambda: client)
    seen: list[str] = []
    service = Service(_Container(), ServiceSpec(image="x", port=1, role="db"))  # type: ignore[arg-type]
    code, output = service.exec_lines(["true"], seen.append)
    assert code == 0
    assert seen == ["pg_restore: processing item 7 TABLE Bücher", "4096 bytes copied",
                    "last, no newline"]
    assert output == "\n".join(seen)
