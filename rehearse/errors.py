"""The few exception types rehearse raises, and the one table of exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    PASSED = 0
    FAILED = 1
    BAD_INPUT = 2
    ENVIRONMENT = 3
    INTERNAL = 4
    INTERRUPTED = 130
    TERMINATED = 143


class RehearseError(Exception):
    """An expected failure: one line saying what is wrong, one saying how to fix it."""

    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadInputError(RehearseError):
    """The user asked for something rehearse cannot do: a wrong version, file or option."""

    exit_code = ExitCode.BAD_INPUT


class EnvironmentNotReadyError(RehearseError):
    """The machine is not ready: no Docker engine, an image missing, too little memory."""

    exit_code = ExitCode.ENVIRONMENT


class RehearsalFailedError(RehearseError):
    """The rehearsal itself found the failure it exists to find: a step or check failed."""

    exit_code = ExitCode.FAILED


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C (tear down, report) but exiting 143."""
