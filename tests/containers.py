"""Podman as the tests use it here: root, runc, raised ulimits, local base images only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests import native
from tests.paths import REPO
from tests.running import FIRELENS, GUIDE_FLUENT_BIT_ARGS

# What works on these machines (no Docker engine; podman as root with runc).
RUNTIME = "runc"
ULIMITS = ("nofile=20000:20000", "nproc=32768:32768")
RUN_FLAGS = ("--runtime", RUNTIME, *(flag for limit in ULIMITS for flag in ("--ulimit", limit)))
# The same for what takes no flags (podman-compose): a containers.conf, named by CONTAINERS_CONF.
CONTAINERS_CONF = f'[containers]\ndefault_ulimits = {json.dumps(ULIMITS)}\n[engine]\nruntime = "{RUNTIME}"\n'
BASE_IMAGE = "localhost/fluent-launch-base:bookworm"
LAUNCHER_IMAGE = "localhost/fluent-launch:test"
STANDIN_IMAGE = "localhost/fluent-launch-standin:test"
INSTALL_DIR = "/var/alertlogic/lib/fluent-bit"
# The host's extra CAs (a TLS-inspecting proxy's), which the image builds need to reach PyPI.
HOST_CAS = Path("/usr/local/share/ca-certificates")


def require_podman() -> None:
    if os.geteuid() != 0 or shutil.which("podman") is None:
        pytest.skip("needs podman as root (scripts/test.sh installs it with apt-get)")


def podman(*args: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        pytest.fail(f"podman {' '.join(args)} failed ({done.returncode}): {done.stderr[-3000:]}")
    return done


def image_exists(name: str) -> bool:
    return podman("image", "exists", name, check=False).returncode == 0


def base_image() -> str:
    """Debian 12 minbase, made with debootstrap and imported: no registry is reachable here."""
    if image_exists(BASE_IMAGE):
        return BASE_IMAGE
    if shutil.which("debootstrap") is None:
        pytest.skip("needs debootstrap to make a local base image (scripts/test.sh installs it)")
    with tempfile.TemporaryDirectory(prefix="fluent-launch-rootfs-") as directory:
        rootfs = Path(directory) / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(rootfs), "http://deb.debian.org/debian"],
            check=True,
            capture_output=True,
            timeout=900,
        )
        cas = rootfs / "usr/local/share/ca-certificates"
        cas.mkdir(parents=True, exist_ok=True)
        for ca in HOST_CAS.glob("*.crt"):
            shutil.copy(ca, cas)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(["podman", "import", "-", BASE_IMAGE], stdin=tar.stdout, capture_output=True)
        tar.wait()
        assert imported.returncode == 0, imported.stderr
    return BASE_IMAGE


def launcher_image() -> str:
    """The Dockerfile built with the local base image as its builder."""
    base = base_image()
    podman(
        "build", *RUN_FLAGS, "--network", "host", "--build-arg", f"BUILDER_IMAGE={base}",
        "-t", LAUNCHER_IMAGE, str(REPO),
    )  # fmt: skip
    return LAUNCHER_IMAGE


def standin_image(context: Path) -> str:
    """A log router image with no Python, no shell and no libc: a static stand-in fluent-bit
    at Fluent Bit's path, and the FireLens config where FireLens mounts it."""
    context.mkdir(parents=True, exist_ok=True)
    native.build("standin/fluent-bit.c", context / "fluent-bit", "-static", "-O1")
    shutil.copy(FIRELENS, context / "fluent-bit.conf")
    (context / "Containerfile").write_text(
        "FROM scratch\n"
        "COPY fluent-bit /fluent-bit/bin/fluent-bit\n"
        "COPY fluent-bit.conf /fluent-bit/etc/fluent-bit.conf\n"
    )
    podman("build", *RUN_FLAGS, "-t", STANDIN_IMAGE, str(context))
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
