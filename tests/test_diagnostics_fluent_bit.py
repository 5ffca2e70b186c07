"""The diagnostics against a real Fluent Bit (FLUENT_BIT_BIN): its dry run's verdict on the values
the launcher refuses or takes, and `--check` running it."""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import pytest

from fluent_launch import values
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE
from tests.running import FIRELENS, GUIDE_FLUENT_BIT_ARGS, launch

FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")
pytestmark = pytest.mark.skipif(
    not FLUENT_BIT,
    reason="FLUENT_BIT_BIN is not set: Fluent Bit is in neither Debian nor PyPI; build it from source to run these",
)

SECTIONS = {
    SERVICE: "[SERVICE]\n    {key} {value}\n[INPUT]\n    Name dummy\n[OUTPUT]\n    Name null\n    Match *\n",
    INPUT: "[INPUT]\n    Name dummy\n    {key} {value}\n[OUTPUT]\n    Name null\n    Match *\n",
    FILTER: "[INPUT]\n    Name dummy\n[FILTER]\n    Name stdout\n    Match *\n    {key} {value}\n"
    "[OUTPUT]\n    Name null\n    Match *\n",
    OUTPUT: "[INPUT]\n    Name dummy\n[OUTPUT]\n    Name null\n    Match *\n    {key} {value}\n",
}
SAMPLES = {
    b"flush": [b"1", b"0.5", b"5s", b"0x10", b"nan", b"0", b"-1", b"abc", b"1 # seconds"],
    b"log_level": [b"info", b"WARNING", b"off", b"trace", b"verbose", b"info # x"],
    b"mem_buf_limit": [b"50M", b"50mb", b"1.5M", b"M", b"xKB", b"-5M", b"false", b"-1", b"50 M", b"50MiB", b"nan"],
    b"storage.type": [b"filesystem", b"Memory", b"memrb", b"disk"],
    b"storage.pause_on_chunks_overlimit": [b"Off", b"on", b"1", b"Off # note"],
    b"threaded": [b"yes", b"No", b"maybe"],
    b"storage.total_limit_size": [b"off", b"no", b"5G", b"5 G", b"on"],
    b"grace": [b"30", b"sixty"],
    b"retry_limit": [b"False", b"no_retries", b"5", b"Flase"],
}


@functools.cache
def version() -> tuple[int, ...]:
    done = subprocess.run([FLUENT_BIT, "--version"], capture_output=True, text=True)
    text = done.stdout.split()[2].lstrip("v")  # "Fluent Bit v4.2.8"
    return tuple(int(part) for part in text.split("."))


def lets_through(kind: str, key: bytes) -> bool:
    """Where this Fluent Bit's dry run takes a value its conversion refuses (see docs/diagnostics.md,
    "What Fluent Bit's own dry run does not catch")."""
    if version() < (2,):
        return True  # 1.9.10 logs the property it could not set and carries on
    if kind == SERVICE and version() < (5,):
        return key != b"flush"  # before 5.x, a bad [SERVICE] value is ignored
    return False


@pytest.mark.parametrize(
    ("kind", "key", "value"),
    [(kind, key, value) for kind, keys in values.CORE_KEYS.items() for key in keys for value in SAMPLES.get(key, [])],
)
def test_the_launcher_refuses_only_what_fluent_bits_conversion_refuses(
    tmp_path: Path, kind: str, key: bytes, value: bytes
) -> None:
    config = tmp_path / "fluent-bit.conf"
    config.write_text(SECTIONS[kind].format(key=key.decode(), value=value.decode()))
    done = subprocess.run([FLUENT_BIT, "--dry-run", "-c", str(config)], capture_output=True, text=True, timeout=30)
    if values.refusal(kind, key, value) is None:
        # Never refuse what Fluent Bit takes.
        assert done.returncode == 0, done.stdout + done.stderr
    check = values.CHECKS[kind].get(key)
    if check is not None and not check[0](value) and not lets_through(kind, key):
        assert done.returncode != 0, done.stdout + done.stderr
    # Else an end-of-line comment in a value Fluent Bit's conversion takes (`Flush 1 # s`,
    # `Grace 30 # s`): refused as an override all the same, as a mistake.


def test_check_passes_the_guides_command_line(tmp_path: Path) -> None:
    out = tmp_path / "fluent-bit.conf"
    args = [*GUIDE_FLUENT_BIT_ARGS, "--dry-run"]  # so that the exec after the check stops at once too
    done = launch("-r", FLUENT_BIT, "-c", str(FIRELENS), "-m", str(out), "--check", "--", *args)
    assert done.returncode == 0, done.stderr
    assert "configuration test is successful" in done.stdout + done.stderr


def test_check_reports_fluent_bits_own_errors_and_stops(tmp_path: Path) -> None:
    out = tmp_path / "fluent-bit.conf"
    # An unloaded Go plugin, as the guide's "external output plug-ins not loaded".
    args = ["-o", "cloudwatch", "-m", "*"]
    done = launch("-r", FLUENT_BIT, "-c", str(FIRELENS), "-m", str(out), "--check", "--", *args)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(
        "fluent-launch: warning: argument 1 after '--': [OUTPUT] cloudwatch: 'cloudwatch' is a Go"
    )
    assert lines[1].startswith("fluent-launch: --check: Fluent Bit's --dry-run exited with 1")
    assert all(line.startswith("fluent-launch: fluent-bit: [error] ") for line in lines[2:]) and len(lines) > 2
    assert any("cloudwatch" in line for line in lines[2:])
    assert "Copyright" not in done.stderr and "Fluent Bit v" not in done.stderr and done.stdout == ""
