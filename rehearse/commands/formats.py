"""The output formats commands take: here, so the CLI names them without importing the commands
(and their libraries) before one is chosen."""

from __future__ import annotations

from enum import StrEnum


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class CheckFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


class HistoryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class CiSystem(StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"
    AZURE = "azure"
