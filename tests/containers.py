"""Podman as the tests use it here: root, local base images only, every call bounded.

scripts/test.sh installs scripts/containers.conf (runc and the ulimits these machines allow)
for podman itself, so podman and podman-compose run here exactly as docs/compose-demo.md writes them.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import native
from tests.paths import REPO
from tests.running import FIRELENS, GUIDE_FLUENT_BIT_ARGS

BASE_IMAGE = "localhost/fluent-launch-base:bookworm"
LAUNCHER_IMAGE = "localhost/fluent-launch:test"
STANDIN_IMAGE = "localhost/fluent-launch-standin:test"
# Every image made from the tests' base image inherits it; scripts/clean-slate.sh removes
# every image with a `fluent-launch` label, build caches included.
LABEL = "fluent-launch=test"
INSTALL_DIR = "/var/alertlogic/lib/fluent-bit"
# The host's extra CAs (a TLS-inspecting proxy's), which the image builds need to reach PyPI.
HOST_CAS = Path("/usr/local/share/ca-certificates")
# Stated limits: a podman call that would wait longer is stuck, not slow.
BUILD_LIMIT = 900
CALL_LIMIT = 120


def require_podman() -> None:
    if os.geteuid() != 0 or shutil.which("podman") is None:
        pytest.skip("needs podman as root (scripts/test.sh installs it with apt-get)")


def bounded(
    command: list[str], limit: float, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """`command` run for at most `limit` seconds. Its whole process group is killed at the
    limit: compose tools wait on podman children, which would otherwise keep the pipes open
    and the test waiting. A failure or an overrun fails the test with the tool's own output."""
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"{' '.join(command)} took over {limit} s; its output:\n{stdout[-3000:]}{stderr[-3000:]}")
    if check and process.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({process.returncode}):\n{stdout[-3000:]}{stderr[-3000:]}")
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def podman(*args: str, limit: float = CALL_LIMIT, check: bool = True) -> subprocess.CompletedProcess[str]:
    return bounded(["podman", *args], limit, check=check)


@functools.cache
def base_image() -> str:
    """Debian 12 minbase, made with debootstrap and imported (no registry is reachable here),
    once per test session: an image an earlier run left behind is replaced, not trusted."""
    if shutil.which("debootstrap") is None:
        pytest.skip("needs debootstrap to make a local base image (scripts/test.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="fluent-launch-rootfs-") as directory:
        rootfs = Path(directory) / "rootfs"
        mirror = "http://deb.debian.org/debian"
        bounded(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), mirror], BUILD_LIMIT)
        cas = rootfs / "usr/local/share/ca-certificates"
        cas.mkdir(parents=True, exist_ok=True)
        for ca in HOST_CAS.glob("*.crt"):
            shutil.copy(ca, cas)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(
            ["podman", "import", "--change", f"LABEL {LABEL}", "-", BASE_IMAGE],
            stdin=tar.stdout, capture_output=True, text=True, timeout=CALL_LIMIT,
        )  # fmt: skip
        tar.wait()
        assert imported.returncode == 0, imported.stderr
    return BASE_IMAGE


def launcher_image() -> str:
    """The Dockerfile built with the local base image as its builder."""
    base = base_image()
    build_arg = f"BUILDER_IMAGE={base}"
    podman("build", "--network", "host", "--build-arg", build_arg, "-t", LAUNCHER_IMAGE, str(REPO), limit=BUILD_LIMIT)
    return LAUNCHER_IMAGE


def standin_image(context: Path) -> str:
    """A log router image with no Python, no shell and no libc: a static stand-in fluent-bit
    at Fluent Bit's path, and the FireLens config where FireLens mounts it."""
    context.mkdir(parents=True, exist_ok=True)
    native.build("standin/fluent-bit.c", context / "fluent-bit", "-static", "-O1")
    shutil.copy(FIRELENS, context / "fluent-bit.conf")
    (context / "Containerfile").write_text(
        "FROM scratch\n"
        f"LABEL {LABEL}\n"
        "COPY fluent-bit /fluent-bit/bin/fluent-bit\n"
        "COPY fluent-bit.conf /fluent-bit/etc/fluent-bit.conf\n"
    )
    podman("build", "-t", STANDIN_IMAGE, str(context), limit=BUILD_LIMIT)
    return STANDIN_IMAGE


def check_became_fluent_bit(stdout: str, stderr: str, inputs: int) -> None:
    """The stand-in's report: it ran as PID 1 with the guide's arguments and the edited config
    (which has `inputs` [INPUT] sections)."""
    lines = stdout.splitlines()
    assert lines[0] == "pid 1", stdout + stderr  # ECS's SIGTERM goes to PID 1: Fluent Bit itself
    args = [line[len("arg ") :] for line in lines if line.startswith("arg ")]
    assert args == ["/fluent-bit/bin/fluent-bit", "-c", f"{INSTALL_DIR}/fluent-bit.conf", *GUIDE_FLUENT_BIT_ARGS]
    config = "\n".join(lines[lines.index("config") + 1 :]) + "\n"
    assert config.count("    Mem_Buf_Limit 50M\n") == inputs and config.endswith("[SERVICE]\n    Scheduler.Cap 60\n")
    assert stderr.startswith("fluent-launch: wrote ") and stderr.count("\n") == 1
