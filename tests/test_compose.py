"""compose/compose.yaml under podman-compose: the Fargate task of the deployment guide, locally.

With a stand-in fluent-bit image (always), the rig's plumbing: the named volume filled by the
launcher image, the read-only log_router running the launcher as its entrypoint. With a real
Fluent Bit image in FLUENT_BIT_IMAGE, the whole path: app -> forward -> Fluent Bit -> syslog
receiver on 127.0.0.1:1514, Fluent Bit as PID 1, and SIGTERM reaching it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers import (
    CONTAINERS_CONF,
    STANDIN_IMAGE,
    base_image,
    check_became_fluent_bit,
    podman,
    require_podman,
    standin_image,
)
from tests.paths import REPO

COMPOSE_FILE = REPO / "compose" / "compose.yaml"
FLUENT_BIT_IMAGE = os.environ.get("FLUENT_BIT_IMAGE", "")
GUIDE_CONFIG = "/var/alertlogic/lib/fluent-bit/fluent-bit.conf"
# Installed with the test extras, so beside this interpreter even when that is not on PATH.
PODMAN_COMPOSE = shutil.which("podman-compose", path=os.pathsep.join([str(Path(sys.executable).parent), os.defpath]))


class Rig:
    def __init__(self, tmp_path: Path, fluent_bit_image: str) -> None:
        self.project = f"fltest{os.getpid()}"
        containers_conf = tmp_path / "containers.conf"
        # podman-compose has no flags for these; podman reads them from here.
        containers_conf.write_text(CONTAINERS_CONF)
        base = base_image()
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(containers_conf),
            "BASE_IMAGE": base,
            "BUILDER_IMAGE": base,
            "FLUENT_BIT_IMAGE": fluent_bit_image,
        }

    def compose(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        assert PODMAN_COMPOSE is not None
        done = subprocess.run(
            [PODMAN_COMPOSE, "-f", str(COMPOSE_FILE), "-p", self.project, *args],
            env=self.env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return done

    def container(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def logs(self, service: str) -> subprocess.CompletedProcess[str]:
        return podman("logs", self.container(service))


@pytest.fixture
def rig(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Rig]:
    require_podman()
    if PODMAN_COMPOSE is None:
        pytest.skip("needs podman-compose (pip; in the test extras)")
    rig = Rig(tmp_path, request.param)
    yield rig
    rig.compose("down", "--volumes", timeout=300)


@pytest.mark.parametrize("rig", [STANDIN_IMAGE], indirect=True)
def test_log_router_runs_the_launcher_from_the_volume(rig: Rig, tmp_path: Path) -> None:
    standin_image(tmp_path / "standin")
    rig.compose("up", "-d", "--build", "log_router")
    deadline = time.monotonic() + 120
    while podman("inspect", "--format", "{{.State.Status}}", rig.container("log_router")).stdout.strip() != "exited":
        assert time.monotonic() < deadline, "the stand-in fluent-bit did not run"
        time.sleep(1)
    logs = rig.logs("log_router")
    check_became_fluent_bit(logs.stdout, logs.stderr, inputs=2)


@pytest.mark.skipif(
    not FLUENT_BIT_IMAGE,
    reason="FLUENT_BIT_IMAGE is not set: no registry here to pull Fluent Bit from; give a local image to run this",
)
@pytest.mark.parametrize("rig", [FLUENT_BIT_IMAGE], indirect=True)
def test_app_logs_reach_the_agent_through_fluent_bit(rig: Rig) -> None:
    rig.compose("up", "-d", "--build")
    deadline = time.monotonic() + 120
    while "received host=c0ffee app=app procid=1 msg= hello from app" not in rig.logs("agent").stdout:
        assert time.monotonic() < deadline, rig.logs("log_router").stderr[-3000:]
        time.sleep(1)
    router = rig.logs("log_router")
    assert router.stderr.startswith("fluent-launch: wrote ") or router.stdout.startswith("fluent-launch: wrote ")
    top = podman("top", rig.container("log_router"), "pid", "args").stdout.splitlines()
    assert top[1].split()[:4] == ["1", "/fluent-bit/bin/fluent-bit", "-c", GUIDE_CONFIG]
    # ECS stops a task with SIGTERM to PID 1: Fluent Bit gets it and shuts down cleanly.
    podman("stop", "--time", "20", rig.container("log_router"))
    state = podman("inspect", "--format", "{{.State.ExitCode}}", rig.container("log_router")).stdout.strip()
    assert state == "0"
    stopped = rig.logs("log_router")
    assert "SIGTERM" in stopped.stdout + stopped.stderr
