"""Ctrl-C in the middle of a restore: exit 130, and every container and network goes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rehearse.catalog import Provider
from rehearse.errors import ExitCode
from rehearse.version import Version
from tests import images
from tests.integration.test_safety import labelled
from tests.storegen import StoreShape, make_backup

pytestmark = pytest.mark.docker


def test_ctrl_c_during_a_rehearsal_cleans_up_and_exits_130(tmp_path: Path) -> None:
    backup = make_backup(StoreShape(Version(4, 50), Provider.POSTGRESQL), tmp_path)
    before = labelled()
    process = subprocess.Popen(
        [sys.executable, "-m", "rehearse", "inspect", str(backup), "--image", images.POSTGRES,
         "--memory", "1g"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (labelled() - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # inside the container start or the restore
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == ExitCode.INTERRUPTED, err
    assert "interrupted" in err
    assert labelled() - before == set()
