"""The compose demo, run exactly as docs/compose-demo.md writes it: `bash compose/demo.sh`, with
only the variables docs/compose-demo.md names (local images: no registry is reachable here).

With a stand-in fluent-bit image (always), the rig's plumbing: every image built from a clean
slate, the named volume filled by the launcher image, the read-only log_router running the
launcher from it as PID 1. With a real Fluent Bit image in FLUENT_BIT_IMAGE, the whole path:
app -> forward -> Fluent Bit -> syslog receiver on 127.0.0.1:1514, Fluent Bit as PID 1, and
SIGTERM stopping it with exit code 0.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.containers import (
    BUILD_LIMIT,
    base_image,
    bounded,
    check_became_fluent_bit,
    require_podman,
    standin_image,
)
from tests.paths import REPO

DEMO = REPO / "compose" / "demo.sh"
FLUENT_BIT_IMAGE = os.environ.get("FLUENT_BIT_IMAGE", "")
GUIDE_CONFIG = "/var/alertlogic/lib/fluent-bit/fluent-bit.conf"
# The demo's own limits add up to about 22 minutes; a stuck demo fails here first.
DEMO_LIMIT = BUILD_LIMIT + 600
MARKERS = ("demo: log_router's standard error:", "demo: end of log_router's output")


def run_demo(fluent_bit_image: str) -> str:
    require_podman()
    if not (REPO / ".venv" / "bin" / "podman-compose").exists() and shutil.which("podman-compose") is None:
        pytest.skip("needs podman-compose (pip; scripts/test.sh installs it into .venv)")
    base = base_image()
    env = {
        **os.environ,
        "FLUENT_BIT_IMAGE": fluent_bit_image,
        "BASE_IMAGE": base,
        "BUILDER_IMAGE": base,
        "COMPOSE_PROJECT": f"fluent-launch-test-{os.getpid()}",
    }
    return bounded(["bash", str(DEMO)], DEMO_LIMIT, env=env).stdout


def router_output(demo: str) -> tuple[str, str]:
    """log_router's standard output and error, as the demo prints them."""
    _, found, rest = demo.partition("; its standard output:\n")
    stdout, _, rest = rest.partition(MARKERS[0] + "\n")
    stderr, end, _ = rest.partition(MARKERS[1] + "\n")
    assert found and end, demo
    return stdout, stderr


def test_demo_runs_the_launcher_from_the_volume_as_pid_1(tmp_path: Path) -> None:
    require_podman()
    demo = run_demo(standin_image(tmp_path / "standin"))
    assert "demo: log_router exited with 0" in demo, demo
    stdout, stderr = router_output(demo)
    check_became_fluent_bit(stdout, stderr, inputs=2)


@pytest.mark.skipif(
    not FLUENT_BIT_IMAGE,
    reason="FLUENT_BIT_IMAGE is not set: no registry here to pull Fluent Bit from; give a local image to run this",
)
def test_demo_app_logs_reach_the_agent_through_fluent_bit() -> None:
    demo = run_demo(FLUENT_BIT_IMAGE)
    assert "received host=c0ffee app=app procid=1 msg= hello from app" in demo, demo
    processes = demo.split("demo: log_router's processes (PID 1 receives ECS's SIGTERM):\n")[1].splitlines()
    assert processes[1].split()[:4] == ["1", "/fluent-bit/bin/fluent-bit", "-c", GUIDE_CONFIG], demo
    # ECS stops a task with SIGTERM to PID 1: Fluent Bit gets it and shuts down cleanly.
    assert "demo: log_router exited with 0" in demo, demo
    stdout, stderr = router_output(demo)
    assert stderr.startswith("fluent-launch: wrote "), demo
    assert "SIGTERM" in stdout + stderr, demo
