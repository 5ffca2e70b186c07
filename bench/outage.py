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

With --budgets (issue #20), instead: `--memory-budget` for each budget given, in Fluent
Bit's memory mode and its filesystem mode (`-s storage.path`, `-i storage.type
filesystem`), every input flooded at once (the unix and TCP forward inputs and the tcp
health-check input), the peak RSS (the kernel's VmHWM) set against the budget and the
rule's worst case. Each run's numbers are added to --results (JSON, one object per run),
and the table of every run in that file is printed, so that one invocation per Fluent Bit
version builds one table:

    nice FLUENT_BIT_BIN=... .venv/bin/python bench/outage.py --budgets 48M 96M 256M --outage 20
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fluent_launch import values
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
    parser.add_argument("--budgets", nargs="+", metavar="SIZE", help="the --memory-budget matrix instead")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--results", type=Path, default=Path("bench/results/memory-budget.json"))
    args = parser.parse_args()
    if not FLUENT_BIT:
        print(SKIP_REASON, file=sys.stderr)
        return 2
    fluent_bit = version()
    if args.disk:
        return _disk(args, fluent_bit)
    if args.budgets:
        for budget in args.budgets:
            for mode in args.modes:
                _add(args.results, _budget_run(fluent_bit, budget, mode, args))
        print(_budget_table(json.loads(args.results.read_text())))
        return 0
    results: dict[str, outage.Result] = {}
    with tempfile.TemporaryDirectory() as work:
        for index, (name, options, mode, retry) in list(enumerate(RUNS))[args.start : args.runs]:
            plan = _plan(
                options,
                args,
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
            plan = _plan(
                [str(buffer) if option == BUFFER else option for option in options] + monitoring,
                args,
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


def _plan(options: list[str], args: argparse.Namespace, **more: Any) -> outage.Outage:
    return outage.Outage(
        options, outage=args.outage, drain_limit=args.drain_limit, flood_rss_stop=args.rss_stop << 20, **more
    )


# Fluent Bit's two buffering modes, as the options that choose them (the storage path is
# relative to the sidecar's working directory, one per run).
MODES = {"memory": [], "filesystem": ["-s", "storage.path", "storage", "-i", "storage.type", "filesystem"]}


def _budget_run(fluent_bit: str, budget: str, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    options = ["-s", "Scheduler.Cap", "30", *MODES[mode], "--memory-budget", budget]
    plan = _plan(options, args, every_input=True, drain_quiet=45.0)  # a retry is at most Scheduler.Cap (30 s) away
    with tempfile.TemporaryDirectory() as work:
        result = outage.run(Path(work), plan)
        # The launcher's summary line: what the budget set and the rule's worst case.
        summary = next(
            (line for line in (Path(work) / "fluent-bit.log").read_text().splitlines() if "memory budget" in line), ""
        )
    found = re.search(r"memory budget [^:]*: (.*), worst case (\d+) MiB", summary)
    run = {
        "fluent_bit": fluent_bit,
        "budget": budget,
        "budget_bytes": int(values.size(budget.encode()) or 0),
        "mode": mode,
        "outage_s": args.outage,
        "set": found.group(1) if found else summary,
        "rule_worst_mib": int(found.group(2)) if found else None,
        "first_rss": result.samples[0][1] if result.samples else None,  # at start, before the flood
        "peak_rss": max(result.high_water, result.peak_rss),
        "peak_rss_sampled": result.peak_rss,
        "sent": result.sent,
        "lost": result.lost + result.failed,
        "sent_by_input": result.sent_by_client,
        "received_by_input": result.received_by_client,
        "twice": result.duplicates,
        "drain_s": result.drain,
        "last_arrival_s": result.last_arrival,
        "exit": result.exit_code,
        "flood_stopped_at_rss": result.flood_stopped_at_rss,
    }
    print(json.dumps(run), file=sys.stderr, flush=True)
    return run


def _add(path: Path, run: dict[str, Any]) -> None:
    runs = json.loads(path.read_text()) if path.exists() else []
    runs = [
        old
        for old in runs
        if (old["fluent_bit"], old["budget"], old["mode"]) != (run["fluent_bit"], run["budget"], run["mode"])
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([*runs, run], indent=1) + "\n")


def _budget_table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| Fluent Bit | budget | mode | set by the budget | rule's worst case | peak RSS | margin"
        " | records sent | lost (unix forward / TCP forward / tcp) | drain after return | exit |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in sorted(runs, key=lambda run: (run["fluent_bit"], run["budget_bytes"], run["mode"])):
        budget_mib = run["budget_bytes"] / (1 << 20)
        peak = run["peak_rss"] / (1 << 20)
        margin = f"{budget_mib - peak:.1f} MiB ({(budget_mib - peak) / budget_mib:.0%})"
        drain = "none came"
        if run["drain_s"] is not None:
            drain = f"{run['drain_s']:.1f} s"
        elif run["last_arrival_s"] is not None:
            drain = f"not all; last {run['last_arrival_s']:.1f} s"
        lost = " / ".join(str(sent - got) for sent, got in zip(run["sent_by_input"], run["received_by_input"]))
        lines.append(
            f"| {run['fluent_bit']} | {run['budget']} ({budget_mib:.1f} MiB) | {run['mode']} | {run['set']}"
            f" | {run['rule_worst_mib']} MiB | {peak:.1f} MiB | {margin}"
            f" | {run['sent']} | {lost} | {drain} | {run['exit']} |"
        )
    return "\n".join(lines)


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
