"""The OOM kill `--memory-budget auto` prevents (issue #20): the sidecar in a 128 MiB memory
cgroup, every input flooded through an outage, first with the FireLens config as generated
(no limit), then with `--memory-budget auto`. Needs root, a cgroup v1 memory hierarchy at
/sys/fs/cgroup/memory (or cgroup v2 with the memory controller at /sys/fs/cgroup),
FLUENT_BIT_BIN, rsyslogd and the `test` extra:

    FLUENT_BIT_BIN=/opt/fluent-bit/4.2.8/bin/fluent-bit nice .venv/bin/python bench/oom.py

Each run gets a cgroup of its own, made for it and removed after; Fluent Bit enters it by
the exec chain (a shell writes its PID to the cgroup, then execs the launcher, which execs
Fluent Bit), so that the cgroup holds Fluent Bit alone. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e import outage
from tests.e2e.sidecar import FLUENT_BIT, SKIP_REASON, version

V1 = Path("/sys/fs/cgroup/memory")
V2 = Path("/sys/fs/cgroup")
RUNS = [("as generated (no limit)", []), ("--memory-budget auto", ["--memory-budget", "auto"])]


class Cgroup:
    """A memory cgroup of its own (v1 if mounted, else v2), limited to `limit` bytes."""

    def __init__(self, name: str, limit: int) -> None:
        self.v1 = (V1 / "memory.limit_in_bytes").exists()
        self.path = (V1 if self.v1 else V2) / name
        self.path.mkdir()
        (self.path / ("memory.limit_in_bytes" if self.v1 else "memory.max")).write_text(str(limit))
        if not self.v1:
            (self.path / "memory.swap.max").write_text("0")

    def oom_kills(self) -> int:
        text = (self.path / ("memory.oom_control" if self.v1 else "memory.events")).read_text()
        counts = dict(line.split() for line in text.splitlines())
        return int(counts.get("oom_kill", "0"))

    def peak(self) -> int:
        return int((self.path / ("memory.max_usage_in_bytes" if self.v1 else "memory.peak")).read_text())

    def remove(self) -> None:
        for _ in range(50):  # bounded: the killed process may take a moment to leave
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", default=128, type=int, help="MiB of the cgroup's memory limit")
    parser.add_argument("--outage", type=float, default=30.0)
    parser.add_argument("--drain-limit", type=float, default=60.0)
    args = parser.parse_args()
    if not FLUENT_BIT:
        print(SKIP_REASON, file=sys.stderr)
        return 2
    if os.geteuid() != 0 or (not (V1 / "memory.limit_in_bytes").exists() and not (V2 / "cgroup.controllers").exists()):
        print("needs root and a memory cgroup hierarchy at /sys/fs/cgroup/memory or /sys/fs/cgroup", file=sys.stderr)
        return 2
    rows = []
    for index, (name, options) in enumerate(RUNS):
        cgroup = Cgroup(f"fluent-launch-oom-{os.getpid()}-{index}", args.limit << 20)
        try:
            plan = outage.Outage(
                ["-s", "Scheduler.Cap", "30", *options],
                outage=args.outage,
                drain_limit=args.drain_limit,
                every_input=True,
                drain_quiet=45.0,  # a retry is at most Scheduler.Cap (30 s) away
                prefix=["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(cgroup.path / "cgroup.procs")],
            )
            with tempfile.TemporaryDirectory() as work:
                result = outage.run(Path(work), plan)
                log = (Path(work) / "fluent-bit.log").read_text()
            summary = next((line for line in log.splitlines() if line.startswith("fluent-launch: wrote")), "")
            budget = summary.partition("memory budget ")[2].partition("; exec")[0]
            rows.append((name, budget, result, cgroup.oom_kills(), cgroup.peak()))
            print(f"{name}: {result}, OOM kills {rows[-1][3]}", file=sys.stderr, flush=True)
        finally:
            cgroup.remove()
    print(
        f"Fluent Bit {version()} in a {args.limit} MiB memory cgroup, every input flooded, {args.outage:g} s outage\n"
    )
    print("| run | budget set | exit | OOM kills | cgroup peak | Fluent Bit peak RSS | records sent | lost |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, budget, result, kills, peak in rows:
        killed = " (SIGKILL)" if result.exit_code == -9 else ""
        print(
            f"| {name} | {budget or '-'} | {result.exit_code}{killed} | {kills} | {peak / (1 << 20):.0f} MiB"
            f" | {max(result.high_water, result.peak_rss) / (1 << 20):.0f} MiB | {result.sent} | {result.lost} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
