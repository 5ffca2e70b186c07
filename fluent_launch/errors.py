"""The errors the launcher reports: each knows its exit code and its one line of text."""

from __future__ import annotations

# Exit codes, documented in README.md. 126/127 mirror what a shell reports for a command
# it cannot execute or cannot find, so ECS shows the familiar codes.
EXIT_CONFIG = 1
EXIT_USAGE = 2
EXIT_NOT_EXECUTABLE = 126
EXIT_NOT_FOUND = 127


class LaunchError(Exception):
    """Something that stops the launch; `str()` is the line printed after `fluent-launch: `."""

    exit_code = EXIT_CONFIG

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(LaunchError):
    """The launcher's own command line is wrong."""

    exit_code = EXIT_USAGE


class ConfigError(LaunchError):
    """The config is one Fluent Bit itself would refuse, at a line it would name."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message
