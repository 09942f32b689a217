"""Closing the one gap an internal Docker network leaves: its containers can still open
connections to the host's own addresses (measured: a listener on another bridge's gateway
answered). As root, rehearse drops everything arriving from the sandbox's bridge at the host."""

from __future__ import annotations

import os
import shutil
import subprocess

COMMENT_PREFIX = "rehearse-"


def _iptables() -> str | None:
    if os.geteuid() != 0:
        return None
    return shutil.which("iptables")


def available() -> bool:
    return _iptables() is not None


def _rule(interface: str, run_id: str) -> list[str]:
    return ["INPUT", "-i", interface, "-m", "comment", "--comment",
            f"{COMMENT_PREFIX}{run_id}", "-j", "DROP"]


def block_host(interface: str, run_id: str) -> bool:
    """Drop packets from the sandbox's bridge to the host; False when that cannot be done here."""
    binary = _iptables()
    if binary is None:
        return False
    done = subprocess.run([binary, "-I", *_rule(interface, run_id)], capture_output=True,
                          check=False)
    return done.returncode == 0


def unblock_host(interface: str, run_id: str) -> None:
    binary = _iptables()
    if binary is not None:
        subprocess.run([binary, "-D", *_rule(interface, run_id)], capture_output=True,
                       check=False)


def forget(run_id: str | None = None) -> int:
    """Remove rules of runs that died before removing them (all rehearse rules by default)."""
    binary = _iptables()
    if binary is None:
        return 0
    listing = subprocess.run([binary, "-S", "INPUT"], capture_output=True, text=True,
                             check=False).stdout.splitlines()
    marker = f"{COMMENT_PREFIX}{run_id or ''}"
    removed = 0
    for line in listing:
        if f"--comment {marker}" in line and line.startswith("-A INPUT"):
            spec = line.split()[1:]
            if subprocess.run([binary, "-D", *spec], capture_output=True,
                              check=False).returncode == 0:
                removed += 1
    return removed
