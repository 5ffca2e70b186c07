"""The whole sidecar for real (issue #14): the launcher with the guide's command line becoming
Fluent Bit (FLUENT_BIT_BIN), an app's forward client on the unix socket, rsyslog on loopback.

Every wait is bounded; the limits are stated beside them. Which Fluent Bit ran is in the
session header.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import outage
from tests.e2e.forward_client import ForwardClient
from tests.e2e.sidecar import FLUENT_BIT, GUIDE_OPTIONS, SCHEDULER_CAP, SKIP_REASON, TAG, Sidecar, free_port, version
from tests.e2e.syslog_receiver import Rsyslog

pytestmark = pytest.mark.skipif(not FLUENT_BIT, reason=SKIP_REASON)

ARRIVAL_LIMIT = 30.0  # seconds for records to reach the receiver with everything up
# After the receiver returns, a chunk's next retry is at most Scheduler.Cap away; the rest is
# the flush interval, reconnecting and rsyslog writing.
DRAIN_LIMIT = SCHEDULER_CAP + 15.0
# Fluent Bit's RSS with -i Mem_Buf_Limit 5M stays below this; without a limit it passes it.
CEILING = 64 << 20
SMALL_LIMIT = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "5M"]


def _is_1_9() -> bool:
    return version().startswith("1.9.")


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Rsyslog]:
    rsyslog = Rsyslog(tmp_path, free_port())
    rsyslog.start()
    yield rsyslog
    rsyslog.stop()


def _record(log: str) -> dict[str, Any]:
    return {"container_id": "c0ffee42", "container_name": "web-app", "log": log}


def _wait_for(receiver: Rsyslog, count: int, limit: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + limit
    while True:
        messages = receiver.messages()
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def test_every_record_arrives_as_rfc3164_with_the_guides_fields(tmp_path: Path, receiver: Rsyslog) -> None:
    sidecar = Sidecar(tmp_path, receiver.port)
    sidecar.start()
    try:
        logs = [f"line {number}" for number in range(50)]
        logs += ["héllo wörld", "日本語のログ", "emoji 🙂 and tab\tinside", "big " + "x" * 700_000]
        client = ForwardClient(sidecar.socket, TAG)
        for start in range(0, len(logs), 10):
            client.send([_record(log) for log in logs[start : start + 10]])
        client.close()
        messages = _wait_for(receiver, len(logs), ARRIVAL_LIMIT)
    finally:
        assert sidecar.stop() == 0
    # rsyslog keeps the space after the RFC 3164 tag ("web-app[1]: ") as the message's first byte.
    assert Counter(message["msg"] for message in messages) == Counter(" " + log for log in logs)
    assert {(message["host"], message["app"], message["procid"]) for message in messages} == {
        ("c0ffee42", "web-app", "1")
    }


def test_records_sent_while_the_receiver_is_down_all_arrive_after_it_returns(tmp_path: Path) -> None:
    plan = outage.Outage(GUIDE_OPTIONS, before=2.0, outage=10.0, drain_limit=DRAIN_LIMIT, batch=10, pause=0.05)
    result = outage.run(tmp_path, plan)
    print(f"Fluent Bit {version()}: {result}")
    assert result.exit_code == 0
    assert result.lost == 0, result
    assert result.drain is not None and result.drain < DRAIN_LIMIT, result
    # At-least-once: a chunk is sent again whole when a flush fails part-way, so records may
    # come twice, never more than the records sent while the receiver was away.
    assert result.duplicates <= result.sent, result


def test_memory_levels_off_with_the_launchers_limit_and_grows_without_it(tmp_path: Path) -> None:
    runs = {}
    for name, options in (("limited", SMALL_LIMIT), ("as generated", [])):
        plan = outage.Outage(options, before=2.0, outage=15.0, drain_limit=DRAIN_LIMIT, flood_rss_stop=4 * CEILING)
        runs[name] = outage.run(tmp_path / name.replace(" ", "-"), plan)
        print(f"Fluent Bit {version()} {name}: peak RSS {runs[name].peak_rss >> 20} MiB, {runs[name]}")
    limited, unlimited = runs["limited"], runs["as generated"]
    assert limited.peak_rss < CEILING, limited
    during = [rss for at, rss in limited.samples if limited.outage_start <= at <= limited.outage_end]
    halves = len(during) // 2
    assert max(during[halves:]) <= max(during[:halves]) + (8 << 20), "RSS kept growing under the limit"
    assert unlimited.peak_rss > CEILING, unlimited
    assert unlimited.lost == 0, unlimited
    assert (limited.exit_code, unlimited.exit_code) == (0, 0)
    if limited.lost and _is_1_9():
        # 1.9's in_forward acknowledges records that the paused input then drops (fw_prot.c
        # ignores flb_input_chunk_append_raw's result), so a retrying client cannot help.
        pytest.xfail(f"Fluent Bit 1.9 acknowledged and dropped {limited.lost} records at Mem_Buf_Limit")
    assert limited.lost == 0, limited


def test_sigterm_flushes_buffered_records_and_exits_0(tmp_path: Path, receiver: Rsyslog) -> None:
    sidecar = Sidecar(tmp_path, receiver.port)
    sidecar.start()
    client = ForwardClient(sidecar.socket, TAG)
    count = 2000
    try:
        for start in range(0, count, 100):
            client.send([_record(f"stop {number}") for number in range(start, start + 100)])
        arrived_before = len(receiver.messages())
    finally:
        client.close()
        code = sidecar.stop()  # SIGTERM to the launcher's PID, which is Fluent Bit's
    assert code == 0
    assert arrived_before < count, "nothing was left buffered to flush at SIGTERM"
    messages = _wait_for(receiver, count, ARRIVAL_LIMIT)
    assert {message["msg"] for message in messages} == {f" stop {number}" for number in range(count)}


def _storage_limits(port: int) -> dict[str, str]:
    """Each input's Mem_Buf_Limit as Fluent Bit's monitoring API shows it."""
    deadline = time.monotonic() + 20.0  # storage metrics are collected every few seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/storage", timeout=5) as answer:
                chunks = json.load(answer)["input_chunks"]
            if chunks:
                return {name: state["status"]["mem_limit"] for name, state in chunks.items()}
        except (OSError, ValueError, KeyError):
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("no storage metrics from Fluent Bit's HTTP API in 20 s")
        time.sleep(0.5)


@pytest.mark.parametrize("inline", [True, False], ids=["inline-includes", "includes-left"])
def test_an_included_tail_input_gets_the_limit_only_with_inline_includes(
    tmp_path: Path, receiver: Rsyslog, inline: bool
) -> None:
    watched = tmp_path / "app.log"
    watched.write_text("")
    user = tmp_path / "user.conf"
    user.write_text(f"[INPUT]\n    Name tail\n    Path {watched}\n    Tag user-tail\n")
    port = free_port()
    monitoring = ["-s", "HTTP_Server", "On", "-s", "HTTP_Listen", "127.0.0.1", "-s", "HTTP_Port", str(port)]
    options = [*(["--inline-includes"] if inline else []), *GUIDE_OPTIONS, *monitoring, "-s", "storage.metrics", "On"]
    sidecar = Sidecar(tmp_path, receiver.port, options, include=user)
    sidecar.start()
    try:
        limits = _storage_limits(port)
    finally:
        assert sidecar.stop() == 0
    # forward.0 is in the main file, so the launcher always reaches it; tail.3 is included.
    # The guide's 50M is 50,000,000 bytes, which the API shows in MiB.
    assert limits["forward.0"] == "47.7M", limits
    assert (limits["tail.3"] == "47.7M") is inline, limits


def test_memory_budget_keeps_rss_under_it_with_every_input_flooded_through_an_outage(tmp_path: Path) -> None:
    # The guide's command line with --memory-budget 64M instead of -i Mem_Buf_Limit 50M (issue #20).
    options = [*GUIDE_OPTIONS[:3], "--memory-budget", "64M"]
    plan = outage.Outage(
        options, before=2.0, outage=15.0, drain_limit=DRAIN_LIMIT, flood_rss_stop=4 * CEILING, every_input=True
    )
    result = outage.run(tmp_path, plan)
    print(f"Fluent Bit {version()} --memory-budget 64M: peak RSS {result.high_water / (1 << 20):.1f} MiB, {result}")
    assert "memory budget 64M: Mem_Buf_Limit=" in (tmp_path / "fluent-bit.log").read_text()
    assert not result.flood_stopped_at_rss and result.exit_code == 0, result
    assert max(result.high_water, result.peak_rss) < 64 << 20, result
    # The acknowledged inputs lose nothing at their limits, but on 1.9 (see the test above); the
    # tcp input, which acknowledges nothing, is measured in bench/outage.py, not asserted.
    if not _is_1_9():
        assert result.sent_by_client[:2] == result.received_by_client[:2], result
