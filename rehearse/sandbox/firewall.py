"""Closing the one gap an internal Docker network leaves: its containers can still open
connections to the host's own addresses (measured: a listener on another bridge's gateway
answered). As root, rehearse drops everything arriving from the sandbox's bridge at the host,
with iptables, or nft where there is no iptables. It fails closed: see `problem`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

COMMENT_PREFIX = "rehearse-"
# Where Debian and others install them, whatever PATH says (cron and CI runners often lack sbin).
SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/bin", "/bin")
_NFT_TABLE = ("inet", "rehearse")
_NFT_CHAIN = "{ type filter hook input priority -10 ; policy accept ; }"
_HANDLE = re.compile(r'comment "(?P<comment>[^"]+)" # handle (?P<handle>\d+)')


def find(name: str) -> str | None:
    search = os.pathsep.join([os.environ.get("PATH", ""), *SBIN])
    return shutil.which(name, path=search)


def problem() -> str | None:
    """Why the guard cannot be applied on this machine, or None when it can."""
    if os.geteuid() != 0:
        return "rehearse is not running as root"
    if find("iptables") is None and find("nft") is None:
        return "neither iptables nor nft is installed"
    return None


def available() -> bool:
    return problem() is None


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _rule(interface: str, run_id: str) -> list[str]:
    return ["INPUT", "-i", interface, "-m", "comment", "--comment",
            f"{COMMENT_PREFIX}{run_id}", "-j", "DROP"]


def block_host(interface: str, run_id: str) -> bool:
    """Drop packets from the sandbox's bridge to the host; False when that cannot be done here."""
    if os.geteuid() != 0:
        return False
    iptables, nft = find("iptables"), find("nft")
    if iptables is not None and _run(iptables, "-I", *_rule(interface, run_id)).returncode == 0:
        return True
    return nft is not None and _nft_block(nft, interface, run_id)


def _nft_block(nft: str, interface: str, run_id: str) -> bool:
    _run(nft, "add", "table", *_NFT_TABLE)
    _run(nft, "add", "chain", *_NFT_TABLE, "input", _NFT_CHAIN)
    done = _run(nft, "add", "rule", *_NFT_TABLE, "input", "iifname", f'"{interface}"', "drop",
                "comment", f'"{COMMENT_PREFIX}{run_id}"')
    return done.returncode == 0


def unblock_host(interface: str, run_id: str) -> None:
    iptables = find("iptables")
    if iptables is not None:
        _run(iptables, "-D", *_rule(interface, run_id))
    _nft_forget(f"{COMMENT_PREFIX}{run_id}")


def forget(run_id: str | None = None) -> int:
    """Remove rules of runs that died before removing them (all rehearse rules by default)."""
    if os.geteuid() != 0:
        return 0
    marker = f"{COMMENT_PREFIX}{run_id or ''}"
    return _iptables_forget(marker) + _nft_forget(marker)


def _iptables_forget(marker: str) -> int:
    binary = find("iptables")
    if binary is None:
        return 0
    removed = 0
    for line in _run(binary, "-S", "INPUT").stdout.splitlines():
        if f"--comment {marker}" in line and line.startswith("-A INPUT"):
            removed += _run(binary, "-D", *line.split()[1:]).returncode == 0
    return removed


def _nft_forget(marker: str) -> int:
    binary = find("nft")
    if binary is None or os.geteuid() != 0:
        return 0
    listing = _run(binary, "-a", "list", "chain", *_NFT_TABLE, "input").stdout
    removed = 0
    for found in _HANDLE.finditer(listing):
        if found["comment"].startswith(marker):
            removed += _run(binary, "delete", "rule", *_NFT_TABLE, "input", "handle",
                            found["handle"]).returncode == 0
    return removed
