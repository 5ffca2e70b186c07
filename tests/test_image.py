"""The agent-volume image, built from the Dockerfile and run with podman as ECS would use it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers import (
    BUILD_LIMIT,
    INSTALL_DIR,
    check_became_fluent_bit,
    launcher_image,
    podman,
    require_podman,
    standin_image,
)
from tests.running import GUIDE_FLUENT_BIT_ARGS

OVERRIDES = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]


@pytest.fixture(scope="module")
def image() -> str:
    require_podman()
    return launcher_image()


@pytest.fixture(scope="module")
def standin(image: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return standin_image(tmp_path_factory.mktemp("standin"))


@pytest.fixture
def volume() -> Iterator[str]:
    name = f"fluent-launch-test-{os.getpid()}"
    podman("volume", "create", name)
    yield name
    podman("volume", "rm", "--force", name, check=False)


def test_image_is_small_and_runs_as_an_inessential_sidecar(image: str) -> None:
    (details,) = json.loads(podman("image", "inspect", image).stdout)
    assert details["Size"] < 20 * 1024 * 1024
    assert details["Config"]["Volumes"] == {INSTALL_DIR: {}}
    # Its default command only has to start and exit 0 (which also fills a fresh volume).
    assert podman("run", "--rm", image).stdout.startswith("fluent-launch ")


def test_launcher_from_the_shared_volume_runs_in_a_read_only_container_without_python(
    image: str, standin: str, volume: str
) -> None:
    # The agent container starts first and fills the named volume (as volumesFrom would share it).
    podman("run", "--rm", "-v", f"{volume}:{INSTALL_DIR}", image)
    done = podman(
        "run", "--rm", "--read-only", "--read-only-tmpfs=false", "-v", f"{volume}:{INSTALL_DIR}",
        "--entrypoint", f"{INSTALL_DIR}/fluent-launch", standin, *OVERRIDES, "--", *GUIDE_FLUENT_BIT_ARGS,
    )  # fmt: skip
    check_became_fluent_bit(done.stdout, done.stderr, inputs=3)


def test_other_images_can_copy_the_launcher_from_it(image: str, standin: str, tmp_path: Path) -> None:
    (tmp_path / "Containerfile").write_text(
        f"FROM {standin}\n"
        f"COPY --from={image} {INSTALL_DIR}/ {INSTALL_DIR}/\n"
        f'ENTRYPOINT ["{INSTALL_DIR}/fluent-launch"]\n'
    )
    copied = "localhost/fluent-launch-copied:test"
    podman("build", "-t", copied, str(tmp_path), limit=BUILD_LIMIT)
    try:
        done = podman("run", "--rm", copied, *OVERRIDES, "--", *GUIDE_FLUENT_BIT_ARGS)
        check_became_fluent_bit(done.stdout, done.stderr, inputs=3)
    finally:
        podman("rmi", "--force", copied, check=False)
