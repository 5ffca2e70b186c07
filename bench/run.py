"""What the launcher costs on a task's start-up path, as ratios against floors from the same run.

    python bench/run.py            # the full table (configs up to 100k sections)
    python bench/run.py --quick    # what CI runs: smaller configs, fewer repeats

Absolute times on shared machines are noise, so every time is set against a floor measured
in the same run, in turns with it: a bare interpreter start (`python -I -S -c pass`), an
exec of the stand-in directly, when FLUENT_LAUNCH_BIN is set an empty script frozen by
build/build.sh as the launcher is (PyInstaller's own start-up), and when FLUENT_BIT_BIN is
set Fluent Bit's own `--dry-run` on the same file. Targets are reported, never enforced:
this script fails only if a run itself fails (or that empty script cannot be frozen).
Peak memory is the whole process's (interpreter included), as the kernel counts it.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIRELENS = REPO / "examples" / "firelens" / "fluent-bit.conf"
# The YAML variant: its only service: is in the included custom.yaml, so -s needs --inline-includes.
FIRELENS_YAML = REPO / "examples" / "firelens-yaml" / "fluent-bit.yaml"
STAND_IN = shutil.which("true") or "/bin/true"
BARE = [sys.executable, "-I", "-S", "-c", "pass"]
# The guide's command line: what the launcher adds, and what it passes on to Fluent Bit.
OVERRIDES = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]
FLUENT_BIT_ARGS = [
    *("-F", "record_modifier", "-m", "*", "-p", "Record=pid 1", "-o", "syslog", "-m", "*", "-p", "Mode=tcp"),
    *("-p", "Host=127.0.0.1", "-p", "Port=1514", "-p", "Retry_Limit=False", "-p", "Syslog_Format=rfc3164"),
]
MIB = 1024 * 1024

# In a child interpreter: the least CPU seconds parse + apply + render took on one file.
IN_PROCESS = """
import gc, sys, time
from fluent_launch import edits
from fluent_launch import formats
from fluent_launch.classic import edit
gc.disable()  # as the CLI does
data = open(sys.argv[1], "rb").read()
overrides = {"service": {b"scheduler.cap": edits.Override(b"Scheduler.Cap", b"60")},
             "input": {b"mem_buf_limit": edits.Override(b"Mem_Buf_Limit", b"50M")}}
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.process_time()
    formats.edit_config(sys.argv[1], data, overrides, False)
    best = min(best, time.process_time() - start)
print(best)
"""


class Run:
    """One child process: wall and CPU seconds and peak RSS (KiB), exec'd images included."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        started = time.perf_counter()
        pid = os.posix_spawn(
            argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        )
        _, status, usage = os.wait4(pid, 0)
        self.wall = time.perf_counter() - started
        # What the wall clock adds to this is what the task waited for (the disk, mostly).
        self.cpu = usage.ru_utime + usage.ru_stime
        os.close(devnull)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {' '.join(argv[:6])} ... failed with status {status}")
        self.peak_kib = usage.ru_maxrss


def measure(commands: dict[str, list[str]], env: dict[str, str], repeat: int) -> dict[str, tuple[float, float, int]]:
    """Per command, the median wall and CPU seconds and the largest peak RSS (bytes) of `repeat` runs.

    The commands take turns, so that a change in the machine's load falls on all of them
    alike and their ratios stay meaningful.
    """
    for argv in commands.values():
        Run(argv, env)  # warm the page cache (and write .pyc files) first
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            runs[name].append(Run(argv, env))
    return {
        name: (
            statistics.median(run.wall for run in done),
            statistics.median(run.cpu for run in done),
            max(run.peak_kib for run in done) * 1024,
        )
        for name, done in runs.items()
    }


def sections_config(count: int) -> Iterator[str]:
    """`count` sections in FireLens's style, with plugins Fluent Bit's --dry-run accepts as many times."""
    kinds = [
        "[INPUT]\n    Name dummy\n    Tag app-{i}\n    Mem_Buf_Limit 25MB\n\n",
        "[FILTER]\n    Name record_modifier\n    Match app-{i}\n    Record ecs_task_definition demo-task:{i}\n\n",
        "[OUTPUT]\n    Name null\n    Match app-{i}\n    Retry_Limit 2\n\n",
    ]
    return (kinds[i % 3].format(i=i) for i in range(count))


def plugins_yaml(count: int) -> Iterator[str]:
    """The same plugins, `count` in all, as a YAML config."""
    third = (count + 2) // 3
    yield "pipeline:\n  inputs:\n"
    yield from (f"    - name: dummy\n      tag: app-{i}\n      Mem_Buf_Limit: 25MB\n" for i in range(third))
    yield "  filters:\n"
    yield from (
        f"    - name: record_modifier\n      match: app-{i}\n      record: ecs_task_definition demo-task:{i}\n"
        for i in range((count + 1) // 3)
    )
    yield "  outputs:\n"
    yield from (f"    - name: 'null'\n      match: app-{i}\n      retry_limit: 2\n" for i in range(count // 3))


def write_config(path: Path, pieces: Iterator[str]) -> None:
    """Written piece by piece: a child's peak RSS as wait4() reports it includes this process's
    own peak (posix_spawn shares its memory until the exec), so the bench never holds a
    large config itself."""
    with path.open("w") as stream:
        stream.writelines(pieces)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(
        self, what: str, value: str, floor: str = "", ratio: str = "", target: str = "", met: bool | None = None
    ) -> None:
        verdict = "" if met is None else ("ok" if met else "MISSED")
        self.rows.append((what, value, floor, ratio, target, verdict))

    def show(self) -> None:
        header = ("measurement", "value", "against", "ratio", "target", "")
        widths = [max(len(row[column]) for row in [header, *self.rows]) for column in range(len(header))]
        for row in [header, *self.rows]:
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def frozen_binary() -> Path | None:
    """FLUENT_LAUNCH_BIN: the built launcher where its loader expects it (see build/build.sh)."""
    given = os.environ.get("FLUENT_LAUNCH_BIN")
    return Path(given) if given else None


def shipped_size(binary: Path) -> int:
    """The executable and its contents directory: what the image's volume carries."""
    contents = binary.parent / f"{binary.name}.d"
    files = [binary, *(path for path in contents.rglob("*") if path.is_file())]
    return sum(path.stat().st_size for path in files)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def pyinstaller_floor(directory: Path) -> Path:
    """Floor (c): an empty script frozen by build/build.sh exactly as the launcher is."""
    entry = directory / "empty.py"
    entry.write_text("")
    dist = directory / "floor"
    done = subprocess.run(
        [str(REPO / "build" / "build.sh")],
        env={**os.environ, "ENTRY": str(entry), "DIST": str(dist), "INSTALL_DIR": str(dist / "fluent-launch")},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"bench: freezing an empty script with build/build.sh failed:\n{done.stderr}")
    return dist / "fluent-launch" / "fluent-launch"


def read_back_alike(*bundles: Path) -> None:
    """Drop the bundles' files from the page cache, so that each is read back from disk by its
    first run, as a task reads the launcher from its image.

    Floor (c) is frozen anew for every run, the launcher usually long before it: a file
    written moments ago starts measurably faster than the same bytes read back from disk
    (0.5-0.9 ms on the development VM, the same bundle in both states), which would count
    against the launcher though none of its code differs.
    """
    for bundle in bundles:
        for folder, _, names in os.walk(bundle):
            for name in names:
                fd = os.open(os.path.join(folder, name), os.O_RDONLY)
                try:
                    os.fdatasync(fd)  # a page not yet written back cannot be dropped
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(fd)


def firelens_arguments(output: Path, yaml: bool) -> list[str]:
    """The guide's command line on the FireLens config (or its YAML variant), writing `output`
    (its name gets the config's suffix) and exec'ing the stand-in."""
    if yaml:
        config, output, inline = FIRELENS_YAML, output.with_suffix(".yaml"), ["--inline-includes"]
    else:
        config, output, inline = FIRELENS, output.with_suffix(".conf"), []
    return ["-r", STAND_IN, "-c", str(config), "-m", str(output), *OVERRIDES, *inline, "--", *FLUENT_BIT_ARGS]


def start_up(table: Table, env: dict[str, str], directory: Path, repeat: int) -> None:
    """1, 2 and 5: start-to-exec on the FireLens config against the floors."""
    tail = firelens_arguments(directory / "firelens-out", yaml=False)
    yaml_tail = firelens_arguments(directory / "firelens-out", yaml=True)
    commands = {
        "(a)": BARE,
        "(b)": [STAND_IN],
        "python -m fluent_launch": [sys.executable, "-m", "fluent_launch", *tail],
        # Without site-packages' start-up (and an editable install's import hook): the launcher's own cost.
        "python -S -m fluent_launch": [sys.executable, "-S", "-m", "fluent_launch", *tail],
        "python -S -m fluent_launch, FireLens YAML": [sys.executable, "-S", "-m", "fluent_launch", *yaml_tail],
    }
    binary = frozen_binary()
    frozen = f"frozen binary {binary}"
    frozen_yaml = f"{frozen}, FireLens YAML"
    if binary is not None:
        commands[frozen] = [str(binary), *tail]
        commands[frozen_yaml] = [str(binary), *yaml_tail]
        floor = pyinstaller_floor(directory)
        commands["(c)"] = [str(floor)]
        read_back_alike(binary.parent, floor.parent)
    results = measure(commands, env, repeat)
    bare, direct = results["(a)"][0], results["(b)"][0]
    table.add("floor (a): python -I -S -c pass", ms(bare))
    table.add("floor (b): exec the stand-in directly", ms(direct))
    if binary is None:
        table.add("frozen binary and floor (c)", "not measured: set FLUENT_LAUNCH_BIN (see build/build.sh)")
    else:
        # What PyInstaller's bootloader costs before any of the launcher runs.
        empty, empty_cpu, _ = results["(c)"]
        table.add("floor (c): an empty script frozen the same way", ms(empty), "(a)", f"{empty / bare:.2f}x")
        table.add("  CPU time (the child's, from wait4)", ms(empty_cpu))
    labels = (frozen, frozen_yaml, "python -m fluent_launch", "python -S -m fluent_launch")
    for label in (*labels, "python -S -m fluent_launch, FireLens YAML"):
        if label not in results:
            continue
        wall, cpu, peak = results[label]
        table.add(f"{label}: start to exec", ms(wall), "(a)", f"{wall / bare:.2f}x")
        table.add("", "", "(b)", f"{wall / direct:.2f}x")
        if label in (frozen, frozen_yaml):
            # The target: PyInstaller stays, so what counts is the launcher's cost above it.
            table.add("", "", "(c)", f"{wall / empty:.2f}x", "<= 1.25x", wall <= 1.25 * empty)
            table.add("  the launcher's own share: minus (c)", ms(wall - empty))
            # Wall time is what a task waits; CPU time leaves out the waits (the output's
            # fsync, a cold read of the launcher's modules) and most of the machine's load.
            table.add("  CPU time", ms(cpu), "(c) CPU", f"{cpu / empty_cpu:.2f}x")
        table.add("  peak RSS", f"{peak / MIB:.1f} MiB")
    if binary is not None:
        size = shipped_size(binary)
        table.add("size on disk of what ships", f"{size / MIB:.1f} MiB", "", "", "< 20 MiB", size < 20 * MIB)


def scaling(table: Table, env: dict[str, str], directory: Path, counts: list[int], repeat: int, yaml: bool) -> None:
    """3 and 4: time and peak memory against config size, and against Fluent Bit's dry run."""
    fluent_bit = os.environ.get("FLUENT_BIT_BIN")
    binary = frozen_binary()
    # The whole CLI is what ships when it is given, else the package.
    launcher = [str(binary)] if binary else [sys.executable, "-m", "fluent_launch"]
    table.add("whole CLI below", "frozen binary" if binary else "python -m fluent_launch")
    cpu: dict[int, float] = {}
    unit = "YAML plugins" if yaml else "sections"
    for count in counts:
        config = directory / f"{unit.replace(' ', '-')}-{count}.{'yaml' if yaml else 'conf'}"
        write_config(config, plugins_yaml(count) if yaml else sections_config(count))
        size = config.stat().st_size
        done = subprocess.run(
            [sys.executable, "-c", IN_PROCESS, str(config), str(repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        best = cpu[count] = float(done.stdout.split()[0])
        table.add(f"{count} {unit} ({size / MIB:.2f} MiB): parse+apply+render CPU", ms(best))
        out = directory / ("out.yaml" if yaml else "out.conf")
        commands = {"cli": [*launcher, "-r", STAND_IN, "-c", str(config), "-m", str(out), *OVERRIDES]}
        if fluent_bit:
            commands["peer"] = [fluent_bit, "--dry-run", "-c", str(config)]
            if count == counts[0]:
                commands["(a)"] = BARE
        results = measure(commands, env, max(1, repeat // 2))
        wall, _, peak = results["cli"]
        limit = 25 * MIB + 4 * size
        table.add("  whole CLI: wall", ms(wall))
        table.add(
            "  whole CLI: peak RSS",
            f"{peak / MIB:.1f} MiB",
            "25 MiB + 4x file",
            f"{peak / limit:.2f}x",
            "<= 1x",
            peak <= limit,
        )
        if "peer" in results:
            peer = results["peer"][0]
            table.add(
                "  whole CLI vs Fluent Bit --dry-run", ms(wall), ms(peer), f"{wall / peer:.2f}x", "< 1x", wall < peer
            )
            if "(a)" in results:
                # Where Fluent Bit is done before any Python has started, no launcher can be faster.
                bare = results["(a)"][0]
                table.add("  floor (a) vs Fluent Bit --dry-run", ms(bare), ms(peer), f"{bare / peer:.2f}x")
    if not fluent_bit:
        table.add("Fluent Bit --dry-run (peer)", "FLUENT_BIT_BIN not set: not measured")
    if 100_000 in cpu and 10_000 in cpu:
        linear = cpu[100_000] / (10 * cpu[10_000])
        table.add(f"linearity: 100k / (10 x 10k) {unit} CPU", f"{linear:.2f}x", "", "", "<= 1.2x", linear <= 1.2)
        table.add(f"100k {unit} CPU", ms(cpu[100_000]), "", "", "< 1000 ms", cpu[100_000] < 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="configs up to 10k sections, fewer repeats of them (CI)")
    options = parser.parse_args()
    repeat = 5 if options.quick else 21
    counts = [100, 1000, 10_000] if options.quick else [100, 1000, 10_000, 100_000]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cpus = os.cpu_count()
    print(f"machine: {platform.node()} {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}")
    table = Table()
    with tempfile.TemporaryDirectory(prefix="fluent-launch-bench-") as directory:
        # Always 21: a start is 20-40 ms, and the median of 5 let one burst of the machine's load
        # put the FireLens start below the empty script's in a CI run (0.88x).
        start_up(table, env, Path(directory), 21)
        scaling(table, env, Path(directory), counts, repeat, yaml=False)
        scaling(table, env, Path(directory), counts, repeat, yaml=True)
    table.show()


if __name__ == "__main__":
    main()
