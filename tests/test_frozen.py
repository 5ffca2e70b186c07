"""The frozen launcher (build/build.sh) on its own: what it carries, and running where nothing else is.

FLUENT_LAUNCH_DIST names the built bundle (dist/fluent-launch); scripts/test.sh builds it and
sets it, and the CLI suites run against the same binary with FLUENT_LAUNCH_BIN. Its arm64 part
runs this file again on dist/arm64/fluent-launch, under emulation.
"""

from __future__ import annotations

import marshal
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import native
from tests.paths import REPO
from tests.running import FIRELENS

INSTALL_DIR = "/var/alertlogic/lib/fluent-bit"
DIST = Path(os.environ.get("FLUENT_LAUNCH_DIST", "/nonexistent"))
pytestmark = pytest.mark.skipif(
    not (DIST / "fluent-launch").is_file(),
    reason="FLUENT_LAUNCH_DIST does not name a built bundle: run build/build.sh, then set it to dist/fluent-launch",
)
CONTENTS = DIST / "fluent-launch.d"


def elf_files() -> list[Path]:
    found = [DIST / "fluent-launch", *(path for path in CONTENTS.rglob("*") if path.is_file())]
    return [path for path in found if path.read_bytes()[:4] == b"\x7fELF"]


def readelf(*args: str) -> str:
    return subprocess.run(["readelf", "--wide", *args], capture_output=True, text=True, check=True).stdout


def test_the_executable_uses_the_bundled_loader_and_libraries() -> None:
    (loader,) = CONTENTS.glob("ld-linux-*")  # ld-linux-x86-64.so.2, ld-linux-aarch64.so.1
    headers = readelf("--program-headers", str(DIST / "fluent-launch"))
    assert f"[Requesting program interpreter: {INSTALL_DIR}/fluent-launch.d/{loader.name}]" in headers
    assert f"Library rpath: [{INSTALL_DIR}/fluent-launch.d]" in readelf("--dynamic", str(DIST / "fluent-launch"))


def test_every_bundled_file_is_for_the_executables_architecture() -> None:
    # A build for another architecture (ARCH=arm64) that took a library from this machine
    # would fail only when the launcher starts in the task.
    machines = {elf.name: native.machine(elf) for elf in elf_files()}
    assert machines == dict.fromkeys(machines, native.machine(DIST / "fluent-launch"))


def test_every_library_any_bundled_file_needs_is_bundled() -> None:
    bundled = {path.name for path in CONTENTS.iterdir()}
    for elf in elf_files():
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", readelf("--dynamic", str(elf)))
        assert set(needed) <= bundled, f"{elf.name} needs {set(needed) - bundled} from the image"


def test_glibc_versions_needed_are_all_defined_by_the_bundled_glibc() -> None:
    def versions(path: Path) -> set[str]:
        return set(re.findall(r"\bGLIBC_[0-9.]+\b", readelf("--dyn-syms", "--version-info", str(path))))

    provided = versions(CONTENTS / "libc.so.6") | versions(CONTENTS / "libm.so.6")
    for elf in elf_files():
        assert versions(elf) <= provided, f"{elf.name} needs {versions(elf) - provided}"


def test_every_module_of_the_package_is_packed_and_none_is_left_loose() -> None:
    # A module left out would fail only on the path that imports it (--memory-budget auto,
    # an unknown key's table), in a task.
    packed = (CONTENTS / "fluent_launch.modules").read_bytes()
    index = marshal.loads(packed[8 : 8 + int.from_bytes(packed[4:8], "little")])
    package = REPO / "fluent_launch"
    names = {
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in package.rglob("*.py")
    }
    assert set(index) == names - {"fluent_launch.__main__"} | {"__future__"}
    assert {name for name, (is_package, _, _) in index.items() if is_package} == {
        "fluent_launch",
        "fluent_launch.classic",
        "fluent_launch.yaml",
    }
    assert not list(CONTENTS.rglob("*.pyc")) and not (CONTENTS / "fluent_launch").exists()


def test_what_ships_is_under_20_mib() -> None:
    assert sum(path.stat().st_size for path in DIST.rglob("*") if path.is_file()) < 20 * 1024 * 1024


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A root holding only the bundle, a FireLens config, /tmp and a static stand-in fluent-bit."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare for a chroot with a read-only root in a private mount namespace")
    root = tmp_path / "root"
    for directory in ("fluent-bit/bin", "fluent-bit/etc", "tmp"):
        (root / directory).mkdir(parents=True)
    shutil.copytree(DIST, root / INSTALL_DIR.lstrip("/"), symlinks=True)
    native.build("standin/fluent-bit.c", root / "fluent-bit/bin/fluent-bit", "-static", "-O1")
    shutil.copy(FIRELENS, root / "fluent-bit/etc/fluent-bit.conf")
    return root


def test_runs_in_an_empty_read_only_root_and_becomes_fluent_bit(root: Path) -> None:
    # No /proc, no /dev, no shell, no libc but the bundle's; only INSTALL_DIR is writable, as
    # with ECS's readonlyRootFilesystem and a volume there. The defaults of -r/-c/-m apply.
    script = (
        f'mount --bind "$ROOT" "$ROOT" && mount --bind "$ROOT{INSTALL_DIR}" "$ROOT{INSTALL_DIR}"'
        f' && mount -o remount,bind,ro "$ROOT" && exec chroot "$ROOT" {INSTALL_DIR}/fluent-launch'
        " -s Scheduler.Cap 60 -i Mem_Buf_Limit 50M -- -F record_modifier -m '*' -p 'Record=pid 1'"
    )
    process = subprocess.Popen(
        ["unshare", "-m", "sh", "-c", script],
        env={"ROOT": str(root), "PATH": os.environ["PATH"]},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    lines = stdout.splitlines()
    config_path = f"{INSTALL_DIR}/fluent-bit.conf"
    # unshare, sh and chroot each exec the next, so the stand-in has the PID we started.
    assert lines[0] == f"pid {process.pid}"
    assert lines[1:9] == [
        f"arg {arg}"
        for arg in ("/fluent-bit/bin/fluent-bit", "-c", config_path, "-F", "record_modifier", "-m", "*", "-p")
    ]
    config = "\n".join(lines[lines.index("config") + 1 :]) + "\n"
    assert config.count("    Mem_Buf_Limit 50M\n") == 3 and config.endswith("[SERVICE]\n    Scheduler.Cap 60\n")
    assert (root / config_path.lstrip("/")).read_text() == config
    assert sorted(path.name for path in root.iterdir()) == ["fluent-bit", "tmp", "var"]
