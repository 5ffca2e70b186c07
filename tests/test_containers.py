"""The bound every container test's commands run under (tests/containers.py)."""

from __future__ import annotations

import time

import pytest

from tests.containers import bounded


def test_a_stuck_command_is_killed_with_its_children_and_its_output_shown() -> None:
    # As podman-compose waits on a podman child that keeps the output pipes open.
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception) as failure:
        bounded(["sh", "-c", "echo creating; echo 'no such image' >&2; sleep 600 & wait"], 1)
    # Without the group kill, the orphaned child would hold the pipes for 600 s.
    assert time.monotonic() - started < 60
    assert "took over 1 s" in str(failure.value)
    assert "creating" in str(failure.value) and "no such image" in str(failure.value)


def test_a_failed_command_fails_the_test_with_its_output() -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        bounded(["sh", "-c", "echo 'pull access denied' >&2; exit 125"], 10)
    assert "failed (125)" in str(failure.value) and "pull access denied" in str(failure.value)


def test_a_command_within_its_limit_gives_its_output() -> None:
    done = bounded(["sh", "-c", "echo out; echo err >&2"], 10)
    assert (done.returncode, done.stdout, done.stderr) == (0, "out\n", "err\n")
