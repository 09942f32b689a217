"""`rehearse schema`: the JSON Schema of scenario files."""

from __future__ import annotations

import json

from rehearse.console import terminal
from rehearse.errors import ExitCode
from rehearse.scenario import json_schema


def schema() -> ExitCode:
    terminal().write(json.dumps(json_schema(), indent=2) + "\n")
    return ExitCode.PASSED
