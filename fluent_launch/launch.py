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
    try:
        if "/" in argv[0]:
            os.execv(argv[0], argv)
        else:
            os.execvp(argv[0], argv)
    except FileNotFoundError:
        raise LaunchError(
            f"{argv[0]}: Fluent Bit not found (give its path with -r/--run-path)", EXIT_NOT_FOUND
        ) from None
    except OSError as error:
        raise LaunchError(f"{argv[0]}: cannot execute Fluent Bit: {error.strerror}", EXIT_NOT_EXECUTABLE) from None
