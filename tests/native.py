"""Test helpers written in C (tests/faults, tests/standin), built by the test that needs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOURCES = Path(__file__).parent


def build(source: str, target: Path, *flags: str) -> Path:
    """`source` (relative to tests/) compiled to `target`; the test skips if there is no C compiler."""
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip(f"no C compiler to build tests/{source}")
    built = subprocess.run([compiler, str(SOURCES / source), "-o", str(target), *flags], capture_output=True, text=True)
    if built.returncode != 0:
        pytest.fail(f"cannot build tests/{source}: {built.stderr}")
    return target
