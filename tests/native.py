"""Test helpers written in C (tests/faults, tests/standin), built by the test that needs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SOURCES = Path(__file__).parent
# ELF e_machine values to the CPU a GNU cross compiler is named for (aarch64-linux-gnu-gcc).
_CPUS = {0x3E: "x86_64", 0xB7: "aarch64"}


def machine(program: str | Path) -> int:
    """The ELF e_machine of `program` (the header's little-endian half-word at offset 18)."""
    with open(program, "rb") as elf:
        return int.from_bytes(elf.read(20)[18:20], "little")


def build(source: str, target: Path, *flags: str, loaded_by: str = sys.executable) -> Path:
    """`source` (relative to tests/) compiled to `target` for the architecture of `loaded_by`
    (the program an LD_PRELOAD library goes into: the arm64 launcher runs here under
    emulation and loads aarch64 code only); the test skips if there is no compiler for it."""
    cpu = machine(loaded_by)
    name = _CPUS.get(cpu, f"ELF machine {cpu}")
    if cpu == machine(sys.executable):
        compiler = shutil.which("gcc") or shutil.which("cc")
    else:
        compiler = shutil.which(f"{name}-linux-gnu-gcc")
    if compiler is None:
        pytest.skip(f"no C compiler for {name} to build tests/{source}")
    built = subprocess.run([compiler, str(SOURCES / source), "-o", str(target), *flags], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"cannot build tests/{source}: {built.stderr}")
    return target
