"""`--check`: Fluent Bit's own `--dry-run` on the written config, before the exec.

Run with the same arguments the exec gets, so that `-e` plugins and the `-o`/`-p` instances
given after `--` are checked too, and bounded in time: a Fluent Bit that hangs must not hold
the task start.
"""

from __future__ import annotations

import os
import signal
import subprocess

from fluent_launch.errors import LaunchError
from fluent_launch.launch import cannot_run, fluent_bit_environment

# Fluent Bit's log lines are `[2026/01/01 00:00:00.000] [error] ...`; only its errors are
# shown, without the time stamp, and nothing of the banner it prints first.
_ERROR_MARK = "] [error] "


def dry_run(command: list[str], timeout: float) -> list[str]:
    """Run `command` (Fluent Bit's, with `--dry-run` added); raise LaunchError with Fluent
    Bit's error lines if it refuses the config, crashes or does not finish in `timeout` s.
    When it accepts the config, the error lines it logged all the same (1.9.10 logs a
    property it could not set and carries on) are returned."""
    argv = [*command[:3], "--dry-run", *command[3:]]
    try:
        process = subprocess.Popen(
            argv,
            env=fluent_bit_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so that a timeout ends whatever it started too
        )
    except OSError as error:
        raise cannot_run(argv[0], error) from None
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LaunchError(
            f"--check: Fluent Bit's --dry-run did not finish within {timeout:g} s (see --check-timeout)"
        ) from None
    lines = output.decode("utf-8", "replace").splitlines()
    errors = [line[line.index(_ERROR_MARK) + 2 :] for line in lines if _ERROR_MARK in line]
    if process.returncode == 0:
        return errors
    if not errors:
        errors = [line for line in lines if line.strip()][-1:]
    how = (
        f"was killed by signal {-process.returncode}" if process.returncode < 0 else f"exited with {process.returncode}"
    )
    details = "".join(f"\nfluent-launch: fluent-bit: {line}" for line in errors)
    raise LaunchError(f"--check: Fluent Bit's --dry-run {how}: it would not start with this config{details}")
