"""A summary in Jira's two comment formats: Atlassian Document Format for Jira Cloud's REST v3,
wiki markup for Server and Data Center's REST v2. Neither can hide text, so the marker is a
last, small line.

ADF: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/
Wiki markup: https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all
"""

from __future__ import annotations

import re
from typing import Any

from rehearse.integrations.summary import Block, Heading, Items, Summary, Text

Node = dict[str, Any]


def to_adf(summary: Summary) -> Node:
    content = [_adf(block) for block in summary.blocks]
    content.append(_paragraph(_text(summary.marker, {"type": "em"})))
    return {"type": "doc", "version": 1, "content": content}


def _adf(block: Block) -> Node:
    if isinstance(block, Heading):
        return {"type": "heading", "attrs": {"level": 3}, "content": _text(block.text)}
    if isinstance(block, Text):
        mark = ({"type": "link", "attrs": {"href": block.url}} if block.url
                else {"type": "strong"} if block.strong else None)
        return _paragraph(_text(block.text, mark))
    if isinstance(block, Items):
        return {"type": "bulletList", "content": [
            {"type": "listItem", "content": [_paragraph(
                _text(label, {"type": "code"}) + _text(f": {text}"))]}
            for label, text in block.entries]}
    rows = [_row("tableHeader", block.header), *(_row("tableCell", r) for r in block.rows)]
    return {"type": "table", "content": rows}


def _row(kind: str, cells: tuple[str, ...]) -> Node:
    return {"type": "tableRow", "content": [
        {"type": kind, "content": [_paragraph(_text(cell))]} for cell in cells]}


def _paragraph(content: list[Node]) -> Node:
    return {"type": "paragraph", "content": content}


def _text(text: str, mark: Node | None = None) -> list[Node]:
    """ADF forbids empty text nodes: an empty cell is an empty paragraph."""
    if not text:
        return []
    node: Node = {"type": "text", "text": text}
    return [{**node, "marks": [mark]} if mark else node]


def to_wiki(summary: Summary) -> str:
    lines = [line for block in summary.blocks for line in (*_wiki(block), "")]
    return "\n".join([*lines, summary.marker]) + "\n"  # as written: --update looks for it


def _wiki(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"h3. {_escape(block.text)}"]
    if isinstance(block, Text):
        text = f"[{block.url}]" if block.url else _escape(block.text)
        return [f"*{text}*" if block.strong else text]
    if isinstance(block, Items):
        return [f"* {{{{{_escape(label)}}}}}: {_escape(text)}" for label, text in block.entries]
    return ["||" + "||".join(_escape(h) for h in block.header) + "||",
            *["|" + "|".join(_escape(c) or " " for c in row) + "|" for row in block.rows]]


def _escape(text: str) -> str:
    """Store data as text: a `|` cannot split a cell, `[` `{` `!` start no markup, nor `*` `_`
    at a word's edge (inside a word, as in data.row_counts, they are text already)."""
    text = re.sub(r"([|\[\]{}!\\])", r"\\\1", " ".join(text.split()))
    return re.sub(r"(?<!\w)([*_+^~])|([*_+^~])(?!\w)", lambda m: "\\" + m[0], text)
