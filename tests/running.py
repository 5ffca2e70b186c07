"""Running the launcher as a program, the way every CLI-level test does."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.paths import EXAMPLES, REPO

FAKE = str(EXAMPLES / "fake-fluent-bit")
FIRELENS = EXAMPLES / "firelens" / "fluent-bit.conf"
# The deployment guide's Fluent Bit arguments, after its `--`.
GUIDE_FLUENT_BIT_ARGS = shlex.split(
    "-F record_modifier -m '*' -p 'Record=pid 1' -o syslog -m '*' -p Mode=tcp -p Host=127.0.0.1 -p Port=1514"
    " -p Retry_Limit=False -p Syslog_Format=rfc3164 -p Syslog_Maxsize=786432 -p Syslog_Hostname_Key=container_id"
    " -p Syslog_Appname_Key=container_name -p Syslog_Procid_Key=pid -p Syslog_Message_Key=log"
)
AWS_PLUGINS = ["-e", "/fluent-bit/firehose.so", "-e", "/fluent-bit/cloudwatch.so", "-e", "/fluent-bit/kinesis.so"]


def launcher() -> list[str]:
    """The launcher command: the package, run by FLUENT_LAUNCH_PYTHON if set (another Python
    version), or a built binary when FLUENT_LAUNCH_BIN names one."""
    binary = os.environ.get("FLUENT_LAUNCH_BIN")
    python = os.environ.get("FLUENT_LAUNCH_PYTHON") or sys.executable
    return [binary] if binary else [python, "-m", "fluent_launch"]


# In the warning about an input without a bound (tests/test_memory_budget.py checks it).
UNBOUNDED = "so it holds everything that comes while the output is down"


def _without_unbounded(stderr: str) -> str:
    """The tests of every message but one run configs (the FireLens one as generated) whose
    inputs have no Mem_Buf_Limit: the stderr they see leaves out the warnings about that,
    which tests/test_memory_budget.py checks (with `unbounded=True`)."""
    return "".join(line for line in stderr.splitlines(keepends=True) if UNBOUNDED not in line)


class Run:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.record = tmp_path / "record.json"
        self.out = tmp_path / "out" / "fluent-bit.conf"

    def __call__(self, *args: str | bytes, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO), "FAKE_FLUENT_BIT_RECORD": str(self.record), **(extra_env or {})}
        process = subprocess.Popen(
            [*launcher(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        stdout, stderr = process.communicate(timeout=60)
        self.pid = process.pid
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, _without_unbounded(stderr))

    def recorded(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.record.read_text())
        return loaded


def launch(
    *args: str,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    timeout: float = 60,
    unbounded: bool = False,
) -> subprocess.CompletedProcess[str]:
    """The launcher with /bin/true as Fluent Bit (so an exit of 0 means it got as far as exec)."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    command = [*prefix, *launcher(), "-r", "/bin/true", *args]
    done = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=timeout)
    return (
        done
        if unbounded
        else subprocess.CompletedProcess(command, done.returncode, done.stdout, _without_unbounded(done.stderr))
    )


def assert_refused(done: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert (done.returncode, done.stdout) == (code, ""), done.stderr
    assert done.stderr.startswith("fluent-launch: ") and done.stderr.count("\n") == 1, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr, done.stderr
