"""Who owns a sandbox object, and which objects a sweep may take."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from rehearse.sandbox import labels
from rehearse.sandbox.labels import KEEP, OWNER, RUN, boot_id, orphaned, owner, owner_alive


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


HOST = socket.gethostname()


@pytest.mark.parametrize(
    ("value", "alive"),
    [(owner(), True),
     (f"{HOST}:{boot_id()}:{{dead}}", False),
     (f"{HOST}:another-boot:{os.getpid()}", False),  # a pid of an earlier boot is not this one
     (f"other-host:{boot_id()}:{{dead}}", True),  # another host's processes are not ours to judge
     (f"{HOST}:{{dead}}", False),  # the older host:pid form
     (f"{HOST}:{os.getpid()}", True),
     ("garbage", True)],
)
def test_an_owner_is_gone_only_when_this_host_says_so(value: str, alive: bool) -> None:
    assert owner_alive(value.replace("{dead}", str(dead_pid()))) is alive


def test_owner_names_host_boot_and_pid() -> None:
    assert owner() == f"{HOST}:{boot_id()}:{os.getpid()}"
    assert len(boot_id()) > 8


def test_only_unkept_objects_of_gone_owners_are_orphans() -> None:
    gone = f"{HOST}:{boot_id()}:{dead_pid()}"
    assert orphaned({RUN: "r1", OWNER: gone})
    assert not orphaned({RUN: "r1", OWNER: gone, KEEP: "requested"})
    assert not orphaned({RUN: "r1", OWNER: owner()})
    assert not orphaned({OWNER: gone})


def test_keep_requested_up_front_labels_every_object_of_that_run() -> None:
    labels.request_keep("kept1")
    assert labels.labels("kept1", "database")[KEEP] == "requested"
    assert KEEP not in labels.labels("other1", "database")
    assert not labels.is_kept("kept1")  # torn down only at the end, and then left running
