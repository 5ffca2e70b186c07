"""Replace this process with Fluent Bit: same PID, same environment, nothing in between."""

from __future__ import annotations

import os
import sys

from fluent_launch.errors import EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, LaunchError
from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NoReturn


def exec_fluent_bit(argv: list[str]) -> NoReturn:
    """exec argv[0] with argv; like a shell, a name without '/' is looked up in PATH."""
    sys.stdout.flush()
    sys.stderr.flush()
    environment = fluent_bit_environment()
    try:
        if "/" in argv[0]:
            os.execve(argv[0], argv, environment)
        else:
            os.execvpe(argv[0], argv, environment)
    except OSError as error:
        raise cannot_run(argv[0], error) from None


def cannot_run(program: str, error: OSError) -> LaunchError:
    """The error for a Fluent Bit that exec() or a spawn could not start."""
    if isinstance(error, FileNotFoundError):
        return LaunchError(f"{program}: Fluent Bit not found (give its path with -r/--run-path)", EXIT_NOT_FOUND)
    return LaunchError(f"{program}: cannot execute Fluent Bit: {error.strerror}", EXIT_NOT_EXECUTABLE)


def fluent_bit_environment() -> dict[bytes, bytes]:
    """The environment the launcher was started with.

    A frozen (PyInstaller) launcher restarts itself with LD_LIBRARY_PATH pointing at its own
    libraries, including its own glibc, and with _PYI_* bookkeeping variables. Fluent Bit
    must get none of that: with another glibc's libraries on its path it would not start.
    """
    environment = dict(os.environb)
    if getattr(sys, "frozen", False):
        for name in [name for name in environment if name.startswith(b"_PYI_")]:
            del environment[name]
        original = environment.pop(b"LD_LIBRARY_PATH_ORIG", None)
        if original is None:
            environment.pop(b"LD_LIBRARY_PATH", None)
        else:
            environment[b"LD_LIBRARY_PATH"] = original
    return environment
