"""Starting and stopping the rig's servers (Fluent Bit, rsyslogd), with bounded waits."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable


def wait_until_listening(
    process: subprocess.Popen[bytes], connect: Callable[[], None], limit: float, what: str
) -> None:
    """Return once `connect()` succeeds; fail if `process` exits or `limit` seconds pass."""
    deadline = time.monotonic() + limit
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            connect()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} was not listening after {limit} s") from None
            time.sleep(0.05)


def terminate(process: subprocess.Popen[bytes], limit: float) -> int:
    """SIGTERM, as ECS stops a container; its exit code. Killed, and an error, after `limit` s."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(limit)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
