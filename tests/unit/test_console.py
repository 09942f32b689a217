"""Redaction: a secret is hidden raw and in every encoding an output may give it."""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from xml.etree import ElementTree

import pytest
from rich.text import Text

from rehearse.console import REDACTED, Terminal

SECRET = "Zq9x&<>\"' \\é😀-pw"
ENCODED = {
    "raw": SECRET, "html": html.escape(SECRET), "html-text": html.escape(SECRET, quote=False),
    "json": json.dumps(SECRET), "json-utf8": json.dumps(SECRET, ensure_ascii=False),
    "json-in-json": json.dumps(json.dumps(SECRET)), "html-of-json": html.escape(json.dumps(SECRET)),
    "url": urllib.parse.quote(SECRET, safe=""), "url-form": urllib.parse.quote_plus(SECRET),
    "url-lower-hex": re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(),
                            urllib.parse.quote(SECRET, safe="")),
    "url-path": urllib.parse.quote(SECRET, safe="/&'"),
    "xml-attribute": ElementTree.tostring(ElementTree.Element("e", {"a": SECRET}), "unicode"),
    "backslash": SECRET.encode("unicode_escape").decode(), "repr": repr(SECRET),
    "ascii": ascii(SECRET), "numeric-entities": "".join(f"&#{ord(c)};" for c in SECRET),
}


@pytest.mark.parametrize("form", sorted(ENCODED))
def test_every_encoding_of_a_secret_is_redacted(form: str) -> None:
    terminal = Terminal()
    terminal.add_secret(SECRET)
    found = terminal.redact(f"before {ENCODED[form]} after")
    assert "Zq9x" not in found and REDACTED in found
    assert found.startswith("before ") and found.endswith(" after")


def test_text_without_secrets_is_left_alone() -> None:
    terminal = Terminal()
    terminal.add_secret(SECRET)
    text = 'a \\ b & c < d "e" %26 \\u00e9 Zq9 x'
    assert terminal.redact(text) == text


def test_requested_output_is_redacted_too(capsys: pytest.CaptureFixture[str]) -> None:
    terminal = Terminal()
    terminal.add_secret(SECRET)
    terminal.show(Text(f"table cell {SECRET}"))
    terminal.write(json.dumps({"secret": SECRET}))
    out = capsys.readouterr().out
    assert "Zq9x" not in out and out.count(REDACTED) == 2
