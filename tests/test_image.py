"""The agent-volume image, built from the Dockerfile and run with podman as ECS would use it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import native
from tests.containers import RUN_FLAGS, launcher_image, podman, require_podman
from tests.running import FIRELENS, GUIDE_FLUENT_BIT_ARGS

INSTALL_DIR = "/var/alertlogic/lib/fluent-bit"
STANDIN_IMAGE = "localhost/fluent-launch-standin:test"
OVERRIDES = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]


@pytest.fixture(scope="module")
def image() -> str:
    require_podman()
    return launcher_image()


@pytest.fixture(scope="module")
def standin_image(image: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A log router image with no Python, no shell and no libc: a static stand-in fluent-bit
    at Fluent Bit's path, and the FireLens config where FireLens mounts it."""
    context = tmp_path_factory.mktemp("standin")
    native.build("standin/fluent-bit.c", context / "fluent-bit", "-static", "-O1")
    shutil.copy(FIRELENS, context / "fluent-bit.conf")
    (context / "Containerfile").write_text(
        "FROM scratch\n"
        "COPY fluent-bit /fluent-bit/bin/fluent-bit\n"
        "COPY fluent-bit.conf /fluent-bit/etc/fluent-bit.conf\n"
    )
    podman("build", *RUN_FLAGS, "-t", STANDIN_IMAGE, str(context))
    return STANDIN_IMAGE


@pytest.fixture
def volume() -> Iterator[str]:
    name = f"fluent-launch-test-{os.getpid()}"
    podman("volume", "create", name)
    yield name
    podman("volume", "rm", "--force", name, check=False)


def check_became_fluent_bit(stdout: str, stderr: str) -> None:
    lines = stdout.splitlines()
    assert lines[0] == "pid 1", stdout + stderr  # ECS's SIGTERM goes to PID 1: Fluent Bit itself
    args = [line[len("arg ") :] for line in lines if line.startswith("arg ")]
    assert args == ["/fluent-bit/bin/fluent-bit", "-c", f"{INSTALL_DIR}/fluent-bit.conf", *GUIDE_FLUENT_BIT_ARGS]
    config = "\n".join(lines[lines.index("config") + 1 :]) + "\n"
    assert config.count("    Mem_Buf_Limit 50M\n") == 3 and config.endswith("[SERVICE]\n    Scheduler.Cap 60\n")
    assert stderr.startswith("fluent-launch: wrote ") and stderr.count("\n") == 1


def test_image_is_small_and_runs_as_an_inessential_sidecar(image: str) -> None:
    (details,) = json.loads(podman("image", "inspect", image).stdout)
    assert details["Size"] < 20 * 1024 * 1024
    assert details["Config"]["Volumes"] == {INSTALL_DIR: {}}
    # Its default command only has to start and exit 0 (which also fills a fresh volume).
    assert podman("run", "--rm", *RUN_FLAGS, image).stdout.startswith("fluent-launch ")


def test_launcher_from_the_shared_volume_runs_in_a_read_only_container_without_python(
    image: str, standin_image: str, volume: str
) -> None:
    # The agent container starts first and fills the named volume (as volumesFrom would share it).
    podman("run", "--rm", *RUN_FLAGS, "-v", f"{volume}:{INSTALL_DIR}", image)
    done = podman(
        "run", "--rm", *RUN_FLAGS, "--read-only", "--read-only-tmpfs=false", "-v", f"{volume}:{INSTALL_DIR}",
        "--entrypoint", f"{INSTALL_DIR}/fluent-launch", standin_image, *OVERRIDES, "--", *GUIDE_FLUENT_BIT_ARGS,
    )  # fmt: skip
    check_became_fluent_bit(done.stdout, done.stderr)


def test_other_images_can_copy_the_launcher_from_it(image: str, standin_image: str, tmp_path: Path) -> None:
    (tmp_path / "Containerfile").write_text(
        f"FROM {standin_image}\n"
        f"COPY --from={image} {INSTALL_DIR}/ {INSTALL_DIR}/\n"
        f'ENTRYPOINT ["{INSTALL_DIR}/fluent-launch"]\n'
    )
    copied = "localhost/fluent-launch-copied:test"
    podman("build", *RUN_FLAGS, "-t", copied, str(tmp_path))
    try:
        done = podman("run", "--rm", *RUN_FLAGS, copied, *OVERRIDES, "--", *GUIDE_FLUENT_BIT_ARGS)
        check_became_fluent_bit(done.stdout, done.stderr)
    finally:
        podman("rmi", "--force", copied, check=False)
