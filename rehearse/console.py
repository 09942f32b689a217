"""The only writer to the terminal: status lines to stderr, requested output to stdout, redacted."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # Rich is imported only to draw a table or a live bar (`plan` starts faster)
    from rich.console import Console, RenderableType

REDACTED = "********"
_STYLES = {"bold": "1", "dim": "2", "bold red": "1;31", "yellow": "33"}


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
        self._no_color = not self.options.color or "NO_COLOR" in os.environ
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.on_percent: Callable[[float], None] | None = None  # set by rehearse.progress

    def add_secret(self, secret: str) -> None:
        if secret and secret not in self._secrets:
            self._secrets.add(secret)
            self._pattern = secret_pattern(self._secrets)

    def redact(self, text: str) -> str:
        """Every secret, raw or in any encoding an output may give it (see `char_forms`)."""
        return text if self._pattern is None else self._pattern.sub(REDACTED, text)

    def status(self, message: str) -> None:
        if not self.options.quiet:
            self._line(self.redact(message))

    def summary(self, message: str) -> None:
        """The one line a run ends with: shown even with --quiet."""
        self._line(self.redact(message), "bold")

    def detail(self, message: str) -> None:
        if self.options.verbose and not self.options.quiet:
            self._line(self.redact(message), "dim")

    def error(self, message: str, hint: str = "") -> None:
        self._line(f"{self._paint('error:', 'bold red')} {self.redact(message)}")
        if hint:
            self._line(f"{self._paint('hint:', 'yellow')} {self.redact(hint)}")

    def live_console(self) -> Console | None:
        """The console a live progress bar may draw on: stderr when it is a terminal."""
        quiet = self.options.quiet or not _is_terminal(sys.stderr)
        return None if quiet else self._err

    def _line(self, text: str, style: str = "") -> None:
        # sys.stderr at each call: a live bar (or a test) may have put a proxy in its place.
        sys.stderr.write(f"{self._paint(text, style) if style else text}\n")
        sys.stderr.flush()

    def _paint(self, text: str, style: str) -> str:
        if self._no_color or not _is_terminal(sys.stderr):
            return text
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"

    @cached_property
    def _err(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, no_color=self._no_color, highlight=False, soft_wrap=True)

    @cached_property
    def _out(self) -> Console:
        from rich.console import Console

        return Console(no_color=self._no_color, highlight=False)

    def percent(self, what: str, value: float) -> None:
        """An engine's progress: moves the live bar, or shows as a status line."""
        if self.on_percent is not None:
            self.on_percent(value)
        if self.live_console() is None:
            self.status(f"    {what} {value:.0f}%")

    def show(self, renderable: RenderableType) -> None:
        """Requested output (a plan table): stdout, formatted for the terminal, redacted."""
        if isinstance(renderable, str):  # already laid out as plain text
            self.write(renderable)
            return
        with self._out.capture() as captured:
            self._out.print(renderable)
        self.write(captured.get())

    def write(self, text: str) -> None:
        """Requested machine output (JSON, Markdown): stdout, byte for byte, redacted."""
        sys.stdout.write(self.redact(text))
        sys.stdout.flush()


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM", "") not in ("dumb", "unknown")


def secret_pattern(secrets: set[str]) -> re.Pattern[str]:
    """One pattern for all secrets, longest first, each character in any of its encodings."""
    ordered = sorted(secrets, key=len, reverse=True)
    return re.compile("|".join("".join(char_forms(c) for c in s) for s in ordered))


def char_forms(char: str) -> str:
    """A character as HTML/XML (&amp; &#38; &#x26;), JSON/Python (\\u00e9 \\xe9 \\"),
    and URL (%C3%A9, + for a space) encodings write it, mixed freely within one secret."""
    code = ord(char)
    forms = [re.escape(char), f"&#0*{code};", f"(?i:&#x0*{code:x};)"]
    forms += [f"(?i:{''.join(f'%{b:02x}' for b in char.encode())})"]
    forms += [f"(?i:\\\\+u{code:04x})", f"(?i:\\\\+x{code:02x})"] if code < 0x10000 else [
        f"(?i:\\\\+U{code:08x})", _surrogates(char)]
    forms += [re.escape(entity) for entity in _ENTITIES.get(char, ())]
    if char == " ":
        forms.append(r"\+")
    # JSON, Python and shells put backslashes before some, nested encodings several.
    escapes = "" if char.isalnum() else r"\\*"
    return f"(?:{escapes}(?:{'|'.join(forms)}))"


def _surrogates(char: str) -> str:
    """JSON writes a character beyond U+FFFF as two escapes (\\ud83d\\ude00)."""
    pair = char.encode("utf-16-be")
    high, low = int.from_bytes(pair[:2]), int.from_bytes(pair[2:])
    return f"(?i:\\\\+u{high:04x}\\\\+u{low:04x})"


_ENTITIES = {"&": ("&amp;",), "<": ("&lt;",), ">": ("&gt;",), '"': ("&quot;",),
             "'": ("&apos;",), "\n": ("\\n",), "\t": ("\\t",), "\r": ("\\r",)}


_terminal = Terminal()


def terminal() -> Terminal:
    return _terminal


def configure(options: Options) -> Terminal:
    global _terminal
    _terminal = Terminal(options)
    return _terminal
