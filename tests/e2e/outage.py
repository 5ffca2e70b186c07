"""One run of the sidecar through a receiver outage under a flood, measured.

The app floods the unix socket with ~1 KB records; the receiver (rsyslog) goes away for a
while and comes back; Fluent Bit's RSS is sampled from /proc several times a second. Shared
by tests/e2e/test_outage.py and bench/outage.py.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.forward_client import BATCH_LIMIT, ForwardClient
from tests.e2e.sidecar import TAG, Sidecar, free_port
from tests.e2e.syslog_receiver import Rsyslog

SAMPLE_EVERY = 0.2  # seconds between RSS samples
RECORD_SIZE = 1024  # bytes of `log` per record
QUIET = 10.0  # seconds without an arrival after which the receiver is taken to have everything
_NUMBERS_PER_CLIENT = 300_000_000  # each client's records are numbered from a multiple of this (9 digits)


@dataclass
class Outage:
    """What the run does: launcher options, and when the receiver is away."""

    options: list[str]
    before: float = 2.0  # seconds of flood with the receiver up
    outage: float = 20.0  # seconds the receiver is away, the flood going on
    drain_limit: float = 120.0  # seconds after the receiver returns to wait for every record
    drain_quiet: float = 0.0  # if set, give up waiting after this many seconds without an arrival
    flood_rss_stop: int = 1 << 30  # stop flooding once Fluent Bit's RSS passes this (the machine's sake)
    retry: bool = True  # the client resends what Fluent Bit did not acknowledge
    batch: int = 100  # records per forward message (PackedForward) or burst (Message mode)
    pause: float = 0.0  # seconds between batches: 0 floods
    mode: str = "packed"  # the forward protocol's mode the client sends in (see forward_client)
    buffer: Path | None = None  # the --buffer-dir given in `options`, whose disk use is sampled
    kill_at: float | None = None  # if set, SIGKILL Fluent Bit this many seconds into the outage, start it again
    metrics_port: int | None = None  # Fluent Bit's HTTP server (given in `options`): its dropped records are read
    every_input: bool = False  # flood the TCP forward and tcp inputs too, not only the unix socket
    prefix: list[str] = field(default_factory=list)  # a command that execs the launcher (see Sidecar)


@dataclass
class Result:
    samples: list[tuple[float, int]] = field(default_factory=list, repr=False)  # (seconds since start, RSS bytes)
    disk: list[tuple[float, int]] = field(default_factory=list, repr=False)  # (seconds since start, buffer bytes)
    sent: int = 0  # records the client handed over (acknowledged, with retries)
    failed: int = 0  # records a client without retries gave up on (write or connection failed)
    received: int = 0  # distinct records that reached the receiver
    duplicates: int = 0  # arrivals beyond the first
    reconnects: int = 0  # connections Fluent Bit closed or refused
    outage_start: float = 0.0
    outage_end: float = 0.0
    drain: float | None = None  # seconds from the receiver's return to the last record, None if not all came
    exit_code: int | None = None
    flood_stopped_at_rss: bool = False
    fluent_bit_dropped: int | None = None  # records Fluent Bit's metrics say its outputs dropped
    sent_by_client: list[int] = field(default_factory=list)  # unix forward, TCP forward, tcp (every_input)
    received_by_client: list[int] = field(default_factory=list)
    last_arrival: float | None = None  # seconds from the receiver's return to the last record that came
    high_water: int = 0  # the kernel's peak RSS (VmHWM), which samples may miss, at the last sample

    @property
    def lost(self) -> int:
        return self.sent - self.received

    @property
    def peak_rss(self) -> int:
        return max((rss for _, rss in self.samples), default=0)

    @property
    def peak_disk(self) -> int:
        return max((used for _, used in self.disk), default=0)


def disk_use(directory: Path) -> int:
    """Bytes of disk the files under `directory` take (allocated blocks, as `du` counts)."""
    used = 0
    for root, _, files in os.walk(directory):
        for name in files:
            try:
                used += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass  # a chunk deleted while walking
    return used


def dropped_records(port: int) -> int:
    """What Fluent Bit's outputs count as dropped (fluentbit_output_dropped_records_total)."""
    # v2 is the cmetrics one, where the drops of storage.total_limit_size are counted.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/metrics/prometheus", timeout=5) as answer:
        text = answer.read().decode()
    counts = re.findall(r"^fluentbit_output_dropped_records_total\{[^}]*\} (\S+)", text, re.M)
    return sum(int(float(count)) for count in counts)


class JsonLines:
    """A client of the tcp input: JSON lines, no acknowledgement. While the input is paused,
    Fluent Bit stops reading and a write waits; a connection lost mid-batch sends it again."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self.connection: socket.socket | None = None
        self.failed = 0  # never: every batch is written whole, in the end
        self.reconnects = 0

    def send(self, records: list[dict[str, Any]]) -> None:
        payload = b"".join(json.dumps(record).encode() + b"\n" for record in records)
        deadline = time.monotonic() + BATCH_LIMIT
        while time.monotonic() < deadline:
            try:
                if self.connection is None:
                    self.connection = socket.create_connection(self.address, timeout=BATCH_LIMIT)
                self.connection.sendall(payload)
                return
            except OSError:
                self.close()
                self.reconnects += 1
                time.sleep(0.1)
        raise TimeoutError(f"a batch not written to {self.address} in {BATCH_LIMIT} s")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run(work: Path, plan: Outage) -> Result:
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    receiver = Rsyslog(work, port)
    receiver.start()
    sidecar = Sidecar(work, port, plan.options, prefix=plan.prefix)
    result = Result()
    try:
        sidecar.start()
        _run(sidecar, receiver, plan, result)
        if plan.metrics_port is not None:
            result.fluent_bit_dropped = dropped_records(plan.metrics_port)
        result.exit_code = sidecar.stop()
    finally:
        sidecar.kill()
        receiver.stop()
    return result


def _kill_and_start(sidecar: Sidecar, after: float) -> None:
    """kill -9 Fluent Bit `after` seconds from now, then start the launcher again with the
    same command line, as ECS restarts a container."""
    time.sleep(after)
    sidecar.kill()
    sidecar.start()


def _run(sidecar: Sidecar, receiver: Rsyslog, plan: Outage, result: Result) -> None:
    start = time.monotonic()
    stop_flood = threading.Event()
    flood_on = threading.Event()
    flood_on.set()
    idle = threading.Event()
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.is_set():
            at = time.monotonic() - start
            try:
                result.samples.append((at, sidecar.rss()))
                result.high_water = max(result.high_water, sidecar.rss("VmHWM"))
            except (OSError, RuntimeError):
                pass  # Fluent Bit killed and not started again yet (or a zombie, without memory figures)
            if plan.buffer is not None:
                result.disk.append((at, disk_use(plan.buffer)))
            stop_sampling.wait(SAMPLE_EVERY)

    restart = threading.Thread(target=_kill_and_start, args=(sidecar, plan.kill_at or 0.0))
    result.sent_by_client = [0] * (3 if plan.every_input else 1)
    clients: list[ForwardClient | JsonLines] = [ForwardClient(sidecar.socket, TAG, retry=plan.retry, mode=plan.mode)]
    if plan.every_input:
        clients.append(ForwardClient(("127.0.0.1", sidecar.forward_port), TAG, retry=plan.retry, mode=plan.mode))
        clients.append(JsonLines(("127.0.0.1", sidecar.health_port)))
    filler = "x" * RECORD_SIZE
    idles = [threading.Event() for _ in clients]
    counting = threading.Lock()

    def flood(client: ForwardClient | JsonLines, idle: threading.Event, which: int) -> None:
        sequence = which * _NUMBERS_PER_CLIENT
        while not stop_flood.is_set():
            if not flood_on.is_set():
                idle.set()
                flood_on.wait(1.0)
                continue
            idle.clear()
            if result.samples and result.samples[-1][1] > plan.flood_rss_stop:
                result.flood_stopped_at_rss = True
                return
            records = [
                {"container_id": "c0ffee", "container_name": "app", "log": f"{number:09d} {filler}"}
                for number in range(sequence, sequence + plan.batch)
            ]
            sequence += plan.batch
            failed = client.failed
            try:
                client.send(records)
            except TimeoutError:
                return  # Fluent Bit took nothing for BATCH_LIMIT s: gone (OOM-killed, say) or stuck
            with counting:
                result.sent += plan.batch - (client.failed - failed)
                result.sent_by_client[which] += plan.batch - (client.failed - failed)
            if plan.pause:
                stop_flood.wait(plan.pause)

    # Each client numbers its records in its own range (the receiver tells them apart by number).
    floods = [
        # Daemons: a client still retrying a Fluent Bit that was killed must not hold the process.
        threading.Thread(target=flood, args=(client, idle, which), daemon=True)
        for which, (client, idle) in enumerate(zip(clients, idles))
    ]
    threads = [threading.Thread(target=sample), *floods]
    for thread in threads:
        thread.start()
    seen: dict[str, int] = {}

    def tally() -> bool:
        arrived = receiver.new_messages()
        for message in arrived:
            number = message["msg"][1:10]
            seen[number] = seen.get(number, 0) + 1
        return bool(arrived)

    try:
        time.sleep(plan.before)
        # The receiver goes away once it has read everything: rsyslog drops what it has not
        # read from its sockets when stopped, a loss of plain TCP syslog, not Fluent Bit's.
        flood_on.clear()
        for idle in idles:
            idle.wait(plan.drain_limit)
        deadline = time.monotonic() + plan.drain_limit
        quiet_since = time.monotonic()
        # Done when all arrived, or nothing came for QUIET seconds (what is missing then is lost).
        while len(seen) < result.sent and time.monotonic() < min(deadline, quiet_since + QUIET):
            if tally():
                quiet_since = time.monotonic()
            time.sleep(0.1)
        receiver.stop()
        flood_on.set()
        result.outage_start = time.monotonic() - start
        if plan.kill_at is not None:
            restart.start()
        time.sleep(plan.outage)
        if plan.kill_at is not None:
            restart.join()
        receiver.start()
        result.outage_end = time.monotonic() - start
        stop_flood.set()
        deadline = time.monotonic() + plan.drain_limit
        for thread in floods:
            thread.join(max(0.0, deadline - time.monotonic()))
        deadline = time.monotonic() + plan.drain_limit
        last_arrival = time.monotonic()
        while time.monotonic() < deadline and not (
            plan.drain_quiet and time.monotonic() > last_arrival + plan.drain_quiet
        ):
            if tally():
                last_arrival = time.monotonic()
                result.last_arrival = last_arrival - start - result.outage_end
            if len(seen) >= result.sent and not any(thread.is_alive() for thread in floods):
                result.drain = last_arrival - start - result.outage_end
                break
            time.sleep(0.2)
    finally:
        stop_flood.set()
        stop_sampling.set()
        deadline = time.monotonic() + plan.drain_limit
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for client in clients:
            client.close()
    result.failed = sum(client.failed for client in clients)
    result.reconnects = sum(client.reconnects for client in clients)
    result.received = len(seen)
    result.received_by_client = [
        sum(1 for number in seen if int(number) // _NUMBERS_PER_CLIENT == which) for which in range(len(clients))
    ]
    result.duplicates = sum(seen.values()) - len(seen)
