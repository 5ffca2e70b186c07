from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from tests.running import Run

# Timing is noise on these shared machines: no per-example deadline, so no flaky failures.
settings.register_profile("shared-machines", deadline=None)
settings.load_profile("shared-machines")


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path)
