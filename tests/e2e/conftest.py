from __future__ import annotations

from tests.e2e import sidecar


def pytest_report_header() -> str:
    if not sidecar.FLUENT_BIT:
        return f"e2e: skipped, {sidecar.SKIP_REASON}"
    return f"e2e: Fluent Bit {sidecar.version()} ({sidecar.FLUENT_BIT})"
