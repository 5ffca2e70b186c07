"""Start-up A/B of frozen builds: the FireLens config and its YAML variant, wall and CPU time.

    DIST=/tmp/a INSTALL_DIR=/tmp/a/fluent-launch bash build/build.sh   # each build where it runs
    python bench/ab.py /tmp/a/fluent-launch/fluent-launch /tmp/b/fluent-launch/fluent-launch

Every build, and floor (c) frozen by build/build.sh as bench/run.py freezes it, runs the
guide's command line in shuffled turns (`--rounds` of each), so that the machine's load falls
on every side alike. Printed per command: the median wall and CPU time, the median of each
run's wait (wall minus CPU: the output's fsync, cold reads) and both ratios to floor (c).
Bundles are read back from disk once before the runs (as bench/run.py does), or before every
run with `--cold`. With `--fifo` (root) every run is scheduled SCHED_FIFO, so that other
processes' load stays out of the wall time and what is left of the wait is the task's own.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
from pathlib import Path

from run import Run, firelens_arguments, pyinstaller_floor, read_back_alike


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+", type=Path, help="frozen launchers, each built to run where it is")
    parser.add_argument("--rounds", type=int, default=100, help="runs of each command (default 100)")
    parser.add_argument("--cold", action="store_true", help="drop every bundle from the page cache before each run")
    parser.add_argument("--fifo", action="store_true", help="run under SCHED_FIFO (needs root)")
    options = parser.parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="fluent-launch-ab-") as name:
        directory = Path(name)
        floor = pyinstaller_floor(directory)
        if options.fifo:  # after the build, which need not preempt anyone
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        commands = {"(c)": [str(floor)]}
        for number, binary in enumerate(options.binaries):
            for yaml in (False, True):
                label = f"{binary}{', FireLens YAML' if yaml else ''}"
                commands[label] = [str(binary), *firelens_arguments(directory / f"out-{number}", yaml)]
        bundles = {label: Path(argv[0]).parent for label, argv in commands.items()}
        read_back_alike(*bundles.values())
        if not options.cold:
            for argv in commands.values():
                Run(argv, env)  # the first run reads the bundle back; the others find it in the page cache
        runs: dict[str, list[Run]] = {label: [] for label in commands}
        for _ in range(options.rounds):
            order = list(commands)
            random.shuffle(order)
            for label in order:
                if options.cold:
                    read_back_alike(bundles[label])
                runs[label].append(Run(commands[label], env))
    wall = {label: statistics.median(run.wall for run in done) for label, done in runs.items()}
    cpu = {label: statistics.median(run.cpu for run in done) for label, done in runs.items()}
    for label, done in runs.items():
        wait = statistics.median(run.wall - run.cpu for run in done)
        print(
            f"{label}\n  wall {wall[label] * 1000:.2f} ms ({wall[label] / wall['(c)']:.3f}x (c)),"
            f" CPU {cpu[label] * 1000:.2f} ms ({cpu[label] / cpu['(c)']:.3f}x), wait {wait * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
