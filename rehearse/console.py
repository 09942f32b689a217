"""The only writer to the terminal: status lines to stderr, requested output to stdout, redacted."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console, RenderableType
from rich.markup import escape

REDACTED = "********"


@dataclass(frozen=True)
class Options:
    """Global flags, set once by the CLI."""

    verbose: bool = False
    quiet: bool = False
    debug: bool = False
    color: bool = True


class Terminal:
    """Status goes to stderr, results to stdout; colour only on a TTY and without NO_COLOR."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        no_color = not self.options.color or "NO_COLOR" in os.environ
        self._err = Console(stderr=True, no_color=no_color, highlight=False, soft_wrap=True)
        self._out = Console(no_color=no_color, highlight=False)
        self._secrets: set[str] = set()
        self.on_percent: Callable[[float], None] | None = None  # set by rehearse.progress

    def add_secret(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def status(self, message: str) -> None:
        if not self.options.quiet:
            self._err.print(escape(self.redact(message)))

    def summary(self, message: str) -> None:
        """The one line a run ends with: shown even with --quiet."""
        self._err.print(f"[bold]{escape(self.redact(message))}[/bold]")

    def detail(self, message: str) -> None:
        if self.options.verbose and not self.options.quiet:
            self._err.print(f"[dim]{escape(self.redact(message))}[/dim]")

    def error(self, message: str, hint: str = "") -> None:
        self._err.print(f"[bold red]error:[/bold red] {escape(self.redact(message))}")
        if hint:
            self._err.print(f"[yellow]hint:[/yellow] {escape(self.redact(hint))}")

    def live_console(self) -> Console | None:
        """The console a live progress bar may draw on: stderr when it is a terminal."""
        quiet = self.options.quiet or not self._err.is_terminal or self._err.is_dumb_terminal
        return None if quiet else self._err

    def percent(self, what: str, value: float) -> None:
        """An engine's progress: moves the live bar, or shows as a status line."""
        if self.on_percent is not None:
            self.on_percent(value)
        if self.live_console() is None:
            self.status(f"    {what} {value:.0f}%")

    def show(self, renderable: RenderableType) -> None:
        """Requested output (a plan table): stdout, formatted for the terminal."""
        self._out.print(renderable)

    def write(self, text: str) -> None:
        """Requested machine output (JSON, Markdown): stdout, byte for byte, redacted."""
        sys.stdout.write(self.redact(text))
        sys.stdout.flush()


_terminal = Terminal()


def terminal() -> Terminal:
    return _terminal


def configure(options: Options) -> Terminal:
    global _terminal
    _terminal = Terminal(options)
    return _terminal
