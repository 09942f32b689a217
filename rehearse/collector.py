"""The garbage collector while rehearse starts: what the imports make lives until the exit."""

from __future__ import annotations

import gc


def hold() -> None:
    """No collection while Typer and the command import (tens of thousands of objects, each
    collection walking them again: ~15 ms of `rehearse check`), until `settle`."""
    gc.disable()


def settle() -> None:
    """Freeze what the imports made, so that neither the command's collections nor the last
    one at exit walk it again (~25 ms of `rehearse check`), and collect as usual from here.
    Only after `hold`: under a test's CliRunner the collector is left as it was."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
