"""The log_router sidecar for real: the launcher, with the deployment guide's command line,
becoming a real Fluent Bit (FLUENT_BIT_BIN) over a FireLens-style config."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

from tests.e2e.processes import terminate, wait_until_listening
from tests.paths import REPO
from tests.running import GUIDE_FLUENT_BIT_ARGS, launcher

FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")
SKIP_REASON = (
    "FLUENT_BIT_BIN is not set: these tests run a real Fluent Bit (in neither Debian nor PyPI; build it"
    " from source and point FLUENT_BIT_BIN at it)"
)
# The guide's launcher options, before its `--`.
GUIDE_OPTIONS = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]
SCHEDULER_CAP = 60.0
TAG = "app-firelens-0123456789abcdef0123456789abcdef"

# What ECS writes, as older agents did (no Mem_Buf_Limit of their own on the unix input), with
# local paths and free ports; no AWS output, the guide adds the syslog one.
_FIRELENS = """\
[INPUT]
    Name forward
    unix_path {socket}

[INPUT]
    Name forward
    Listen 127.0.0.1
    Port {forward_port}

[INPUT]
    Name tcp
    Tag firelens-healthcheck
    Listen 127.0.0.1
    Port {health_port}

[FILTER]
    Name record_modifier
    Match *
    Record ecs_cluster e2e-cluster
    Record ecs_task_arn arn:aws:ecs:us-east-1:123456789012:task/e2e-cluster/0123456789abcdef0123456789abcdef
    Record ecs_task_definition e2e-task:1
{include}
[OUTPUT]
    Name null
    Match firelens-healthcheck
"""

START_LIMIT = 20.0  # seconds for Fluent Bit to listen on its unix socket
STOP_LIMIT = 60.0  # seconds for it to exit on SIGTERM (its Grace is 5 s by default)


def version() -> str:
    done = subprocess.run([FLUENT_BIT, "--version"], capture_output=True, text=True, timeout=30)
    found = re.search(r"Fluent Bit v(\S+)", done.stdout)
    return found.group(1) if found else "unknown"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def guide_arguments(syslog_port: int) -> list[str]:
    """The guide's Fluent Bit arguments, its port 1514 replaced."""
    return [f"Port={syslog_port}" if argument == "Port=1514" else argument for argument in GUIDE_FLUENT_BIT_ARGS]


class Sidecar:
    def __init__(
        self,
        work: Path,
        syslog_port: int,
        options: list[str] | None = None,
        include: Path | None = None,
        prefix: list[str] | None = None,
    ) -> None:
        self.work = work
        self.socket = str(work / "fluent.sock")
        self.config = work / "fluent-bit.conf"
        self.written = work / "run" / "fluent-bit.conf"
        self.forward_port = free_port()
        self.health_port = free_port()
        self.config.write_text(
            _FIRELENS.format(
                socket=self.socket,
                forward_port=self.forward_port,
                health_port=self.health_port,
                include=f"\n@INCLUDE {include}\n" if include else "",
            )
        )
        # `prefix` runs the launcher through another command that execs it (into a cgroup, say).
        self.command = [
            *(prefix or []),
            *launcher(),
            *("-r", FLUENT_BIT, "-c", str(self.config), "-m", str(self.written)),
            *(GUIDE_OPTIONS if options is None else options),
            "--",
            *guide_arguments(syslog_port),
        ]
        self.log = work / "fluent-bit.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env={**os.environ, "PYTHONPATH": str(REPO)},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.work,
            )

        def connect() -> None:
            with socket.socket(socket.AF_UNIX) as probe:
                probe.connect(self.socket)

        try:
            wait_until_listening(self.process, connect, START_LIMIT, f"Fluent Bit on {self.socket}")
        except RuntimeError as error:
            raise RuntimeError(f"{error}:\n{self.log.read_text()}") from None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss(self, field: str = "VmRSS") -> int:
        """Fluent Bit's resident memory in bytes (the launcher's PID is Fluent Bit's); with
        `VmHWM`, the most it has had so far, as the kernel counts it."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"no {field}")

    def stop(self) -> int:
        """SIGTERM, as ECS stops a task; Fluent Bit's exit code."""
        assert self.process is not None
        return terminate(self.process, STOP_LIMIT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
