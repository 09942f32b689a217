"""The garbage collector is held only while rehearse starts: every command runs with it on."""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from rehearse.cli import app

ROOT = Path(__file__).resolve().parents[2]
# The real entry point in a fresh interpreter; the command records the collector as it runs.
_PROBE = """
import gc, sys
import rehearse.commands.plan as command
seen = []
real = command.plan
def spy(*args):
    seen.append((gc.isenabled(), gc.get_freeze_count()))
    return real(*args)
command.plan = spy
from rehearse.cli import main
sys.argv = ['rehearse', 'plan', '--from', '4.50', '--to', '4.70']
try:
    main()
except SystemExit:
    pass
print(seen, gc.isenabled())
"""


def test_a_command_runs_with_the_collector_on_and_its_imports_frozen() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.splitlines()[-1]
    seen, after = out.rsplit(" ", 1)
    [(enabled, frozen)] = ast.literal_eval(seen)
    assert enabled, "the command ran without the garbage collector"
    assert frozen > 10_000  # Typer, the command module and what they import
    assert after == "True"


def test_a_test_runner_invoking_the_app_keeps_its_collector_as_it_was() -> None:
    frozen = gc.get_freeze_count()
    result = CliRunner().invoke(app, ["plan", "--from", "4.50", "--to", "4.70"])
    assert result.exit_code == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # nothing of the test process was frozen
