"""The sidecar through a receiver outage under a flood: Fluent Bit's memory, loss and drain
time with and without the launcher's overrides (issue #14). Needs FLUENT_BIT_BIN, rsyslogd
and the `test` and `bench` extras:

    FLUENT_BIT_BIN=/opt/fluent-bit/4.2.8/bin/fluent-bit .venv/bin/python bench/outage.py

Each run: the guide's command line (port substituted) over a FireLens-style config, one
client flooding ~1 KB records on the unix socket, rsyslog away for --outage seconds, then
back; RSS from /proc five times a second. Prints a Markdown table and draws the RSS of the
run with the limit and the run without into one plot (--plot, default docs/outage-rss.png).

With --disk (issue #21), the runs are the guide's command line with --buffer-dir for each
client mode, a kill -9 of Fluent Bit mid-outage and a restart, and a --disk-budget smaller
than the outage's volume; the disk the buffer takes is sampled too, and Fluent Bit's own
count of dropped records read from its HTTP server. --plot-disk draws RSS and disk use of
memory mode against disk mode (Message mode without acks) into a second plot.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e import outage
from tests.e2e.sidecar import FLUENT_BIT, SKIP_REASON, free_port, version

LIMITED = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "5M"]
GUIDE = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]
BUFFER = "BUFFER"  # replaced by the run's buffer directory
# The flood: two clients at 3,000 records/s, here one client at 6,000 (batches of 100).
FLOOD_PAUSE = 1 / 60
SMALL_DISK = "32M"  # the disk-full run's --disk-budget: half of it for the syslog output
# (name, launcher options, client's forward mode, client retries, kill -9 mid-outage)
DISK_RUNS = [
    ("memory mode (-i Mem_Buf_Limit 5M), Message mode without acks", LIMITED, "message", False, False),
    ("--buffer-dir, PackedForward", [*GUIDE, "--buffer-dir", BUFFER], "packed", True, False),
    ("--buffer-dir, Message mode without acks", [*GUIDE, "--buffer-dir", BUFFER], "message", False, False),
    ("--buffer-dir, PackedForward without retries", [*GUIDE, "--buffer-dir", BUFFER], "packed", False, False),
    ("--buffer-dir, kill -9 mid-outage, restarted", [*GUIDE, "--buffer-dir", BUFFER], "packed", True, True),
    (
        f"--buffer-dir --disk-budget {SMALL_DISK}, disk full",
        [*GUIDE, "--buffer-dir", BUFFER, "--disk-budget", SMALL_DISK],
        "packed",
        True,
        False,
    ),
]
# (name, launcher options, client's forward mode, client retries)
RUNS = [
    ("-s Scheduler.Cap 60 -i Mem_Buf_Limit 5M", LIMITED, "packed", True),
    ("as generated (no overrides)", [], "packed", True),
    ("-i Mem_Buf_Limit 5M, default scheduler", LIMITED[3:], "packed", True),
    ("-s Scheduler.Cap 60 -i Mem_Buf_Limit 5M, Message mode", LIMITED, "message", True),
    ("-s Scheduler.Cap 60 -i Mem_Buf_Limit 5M, no retries", LIMITED, "packed", False),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=60.0, help="seconds the receiver is away")
    parser.add_argument("--drain-limit", type=float, default=240.0, help="seconds to wait for the backlog")
    parser.add_argument("--rss-stop", type=int, default=1024, help="MiB of RSS at which the flood stops")
    parser.add_argument("--plot", type=Path, default=Path("docs/outage-rss.png"))
    parser.add_argument("--runs", type=int, help="only the first N runs")
    parser.add_argument("--from", type=int, default=0, dest="start", help="skip the first N runs")
    parser.add_argument("--disk", action="store_true", help="the --buffer-dir runs (issue #21) instead")
    parser.add_argument("--plot-disk", type=Path, help="with --disk: where to draw RSS and disk use")
    args = parser.parse_args()
    if not FLUENT_BIT:
        print(SKIP_REASON, file=sys.stderr)
        return 2
    fluent_bit = version()
    if args.disk:
        return _disk(args, fluent_bit)
    results: dict[str, outage.Result] = {}
    with tempfile.TemporaryDirectory() as work:
        for index, (name, options, mode, retry) in list(enumerate(RUNS))[args.start : args.runs]:
            plan = outage.Outage(
                options,
                outage=args.outage,
                drain_limit=args.drain_limit,
                flood_rss_stop=args.rss_stop << 20,
                retry=retry,
                mode=mode,
                # With Scheduler.Cap 60 no retry is further away: after 75 s without an
                # arrival, what is missing is lost.
                drain_quiet=75.0 if "Scheduler.Cap" in options else 0.0,
            )
            results[name] = outage.run(Path(work) / str(index), plan)
            print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
    print(f"Fluent Bit {fluent_bit}, outage {args.outage:g} s, flood of ~1 KB records\n")
    print("| run | peak RSS | records sent | lost | twice | reconnects | drain after return | exit |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, result in results.items():
        stopped = " (flood stopped there)" if result.flood_stopped_at_rss else ""
        drain = _drain(result, args.drain_limit)
        print(
            f"| {name} | {result.peak_rss / (1 << 20):.0f} MiB{stopped} | {result.sent} | {result.lost + result.failed}"
            f" | {result.duplicates} | {result.reconnects} | {drain} | {result.exit_code} |"
        )
    _plot(args.plot, fluent_bit, results, RUNS[0][0], RUNS[1][0])
    return 0


def _drain(result: outage.Result, limit: float) -> str:
    return f"{result.drain:.1f} s" if result.drain is not None else f"not all in {limit:g} s"


def _disk(args: argparse.Namespace, fluent_bit: str) -> int:
    results: dict[str, outage.Result] = {}
    with tempfile.TemporaryDirectory() as work:
        for index, (name, options, mode, retry, kill) in list(enumerate(DISK_RUNS))[args.start : args.runs]:
            buffer = Path(work) / str(index) / "buffer"
            port = free_port()
            monitoring = ["-s", "HTTP_Server", "On", "-s", "HTTP_Listen", "127.0.0.1", "-s", "HTTP_Port", str(port)]
            plan = outage.Outage(
                [str(buffer) if option == BUFFER else option for option in options] + monitoring,
                outage=args.outage,
                drain_limit=args.drain_limit,
                flood_rss_stop=args.rss_stop << 20,
                retry=retry,
                mode=mode,
                drain_quiet=75.0,  # Scheduler.Cap 60: no retry is further away
                buffer=buffer if BUFFER in options else None,
                kill_at=args.outage / 2 if kill else None,
                metrics_port=port,
                pause=FLOOD_PAUSE,
            )
            results[name] = outage.run(Path(work) / str(index), plan)
            print(f"{name}: {results[name]}", file=sys.stderr, flush=True)
    print(f"Fluent Bit {fluent_bit}, outage {args.outage:g} s, up to 6,000 records/s of ~1 KB\n")
    # Records the client tried to hand over: a client without retries counts a failed write
    # as lost, and those records are not in `sent`.
    print("| run | peak RSS | peak disk | records | lost | Fluent Bit says dropped | twice | drain after return |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, result in results.items():
        drain = _drain(result, args.drain_limit)
        print(
            f"| {name} | {result.peak_rss / (1 << 20):.0f} MiB | {result.peak_disk / (1 << 20):.0f} MiB"
            f" | {result.sent + result.failed}"
            f" | {result.lost + result.failed} | {result.fluent_bit_dropped} | {result.duplicates} | {drain} |"
        )
    memory, disk = DISK_RUNS[0][0], DISK_RUNS[2][0]
    if args.plot_disk is not None and memory in results and disk in results:
        _plot_disk(args.plot_disk, fluent_bit, results, memory, disk)
    return 0


def _plot_disk(path: Path, fluent_bit: str, results: dict[str, outage.Result], memory: str, disk: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, (rss_axes, disk_axes) = pyplot.subplots(2, 1, sharex=True, figsize=(8, 6))
    # Each run on its own outage's clock: the runs wait different times for the receiver to
    # read what came before.
    for name, colour in ((memory, "tab:red"), (disk, "tab:blue")):
        result = results[name]
        label = f"{name}: {result.lost + result.failed} of {result.sent + result.failed} lost"
        rss = [used / (1 << 20) for _, used in result.samples]
        rss_axes.plot([at - result.outage_start for at, _ in result.samples], rss, colour, label=label)
        samples = result.disk or [(result.samples[0][0], 0), (result.samples[-1][0], 0)]  # memory mode: none
        on_disk = [used / (1 << 20) for _, used in samples]
        disk_axes.plot([at - result.outage_start for at, _ in samples], on_disk, colour)
    window = results[disk]
    for axes in (rss_axes, disk_axes):
        axes.axvspan(0, window.outage_end - window.outage_start, color="0.9")
    rss_axes.set_ylabel("Fluent Bit RSS (MiB)")
    disk_axes.set_ylabel("buffer on disk (MiB)")
    disk_axes.set_xlabel("seconds since the receiver went away (grey: away)")
    rss_axes.set_title(f"Fluent Bit {fluent_bit} through a receiver outage: memory mode vs --buffer-dir")
    rss_axes.legend(fontsize="small")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    print(f"\nplot: {path}")


def _plot(path: Path, fluent_bit: str, results: dict[str, outage.Result], limited: str, unlimited: str) -> None:
    if limited not in results or unlimited not in results:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4.5))
    for name, colour in ((limited, "tab:blue"), (unlimited, "tab:red")):
        result = results[name]
        axes.plot([at for at, _ in result.samples], [rss / (1 << 20) for _, rss in result.samples], colour, label=name)
    window = results[limited]
    axes.axvspan(window.outage_start, window.outage_end, color="0.9", label="receiver away (limited run)")
    axes.set_yscale("log")
    axes.set_xlabel("seconds since start")
    axes.set_ylabel("Fluent Bit RSS (MiB, log scale)")
    axes.set_title(f"Fluent Bit {fluent_bit} through a receiver outage under a flood")
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    print(f"\nplot: {path}")


if __name__ == "__main__":
    sys.exit(main())
