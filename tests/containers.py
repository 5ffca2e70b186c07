"""Podman as the tests use it here: root, runc, raised ulimits, local base images only."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.paths import REPO

# What works on these machines (no Docker engine; podman as root with runc).
RUN_FLAGS = ("--runtime", "runc", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768")
BASE_IMAGE = "localhost/fluent-launch-base:bookworm"
LAUNCHER_IMAGE = "localhost/fluent-launch:test"
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
