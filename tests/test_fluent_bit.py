"""Against a real Fluent Bit (FLUENT_BIT_BIN): its verdict on every edited corpus config, and the exec."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fluent_launch.classic.document import LONGEST_LINE
from tests.paths import CORPUS
from tests.running import FIRELENS, GUIDE_FLUENT_BIT_ARGS, launch

FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")
pytestmark = pytest.mark.skipif(
    not FLUENT_BIT,
    reason="FLUENT_BIT_BIN is not set: Fluent Bit is in neither Debian nor PyPI; build it from source to run these",
)
OVERRIDES = ["-i", "Mem_Buf_Limit", "50M", "-o", "Retry_Limit", "False", "-s", "Scheduler.Cap", "60"]


def dry_run(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FLUENT_BIT, "--dry-run", "-c", str(config)], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize(
    "source", sorted((CORPUS / "classic").rglob("*.conf")), ids=lambda path: str(path.relative_to(CORPUS))
)
def test_fluent_bits_verdict_on_the_edited_config_is_its_verdict_on_the_original(source: Path, tmp_path: Path) -> None:
    # Run from the config's directory, as Fluent Bit finds relative includes there first.
    before = dry_run(source, source.parent)
    out = tmp_path / "fluent-bit.conf"
    done = launch("-c", str(source), "-m", str(out), *OVERRIDES)
    if done.returncode != 0:
        # We refuse only what Fluent Bit refuses.
        assert before.returncode != 0, done.stderr
        return
    after = dry_run(out, tmp_path)
    # Verdicts, not exit codes: Fluent Bit 1.9.10 kills itself on a file that includes itself.
    assert (after.returncode == 0) == (before.returncode == 0), after.stdout + after.stderr


def test_the_longest_line_the_launcher_writes_is_read_and_one_more_byte_is_not_by_fluent_bit_1_9(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.conf"
    source.write_text("[INPUT]\n    Name dummy\n")
    out = tmp_path / "out.conf"
    value = "v" * (LONGEST_LINE - len("    Tag "))
    assert launch("-c", str(source), "-m", str(out), "-i", "Tag", value).returncode == 0
    assert dry_run(out, tmp_path).returncode == 0
    longer = tmp_path / "longer.conf"
    longer.write_text(f"[INPUT]\n    Name dummy\n    Tag {value}v\n")
    version = subprocess.run([FLUENT_BIT, "--version"], capture_output=True, text=True).stdout
    assert (dry_run(longer, tmp_path).returncode == 0) is not version.startswith("Fluent Bit v1.9."), version
    assert launch("-c", str(source), "-m", str(out), "-i", "Tag", value + "v").returncode == 1


def test_the_launcher_becomes_fluent_bit(tmp_path: Path) -> None:
    out = tmp_path / "fluent-bit.conf"
    done = launch("-r", FLUENT_BIT, "-c", str(FIRELENS), "-m", str(out), *OVERRIDES, "--", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "configuration test is successful" in done.stdout + done.stderr


def test_the_guides_command_line_is_accepted_by_fluent_bit(tmp_path: Path) -> None:
    out = tmp_path / "fluent-bit.conf"
    done = launch("-r", FLUENT_BIT, "-c", str(FIRELENS), "-m", str(out), "--", *GUIDE_FLUENT_BIT_ARGS, "--dry-run")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("content", "accepted"),
    [(b"", True), (b"\xef\xbb\xbf[SERVICE]\n    Flush 1\n", False), (b"[INPUT]\n    Name dummy\0x", True)],
    ids=["empty", "bom", "nul-last-line"],
)
def test_odd_files_get_the_same_verdict_from_both(tmp_path: Path, content: bytes, accepted: bool) -> None:
    config = tmp_path / "odd.conf"
    config.write_bytes(content)
    assert (dry_run(config, tmp_path).returncode == 0) is accepted
    assert (launch("-c", str(config), "-m", str(tmp_path / "out.conf")).returncode == 0) is accepted


@pytest.mark.parametrize("inline", [False, True], ids=["includes-kept", "inline-includes"])
@pytest.mark.parametrize(
    "source", sorted((CORPUS / "yaml").rglob("*.yaml")), ids=lambda path: str(path.relative_to(CORPUS))
)
def test_fluent_bits_verdict_on_the_edited_yaml_is_its_verdict_on_the_original(
    source: Path, inline: bool, tmp_path: Path
) -> None:
    before = dry_run(source, source.parent)
    out = tmp_path / "fluent-bit.yaml"
    done = launch("-c", str(source), "-m", str(out), *OVERRIDES, *(["--inline-includes"] if inline else []))
    if done.returncode != 0:
        # We refuse what Fluent Bit refuses, and -s when the only service: is in an included file.
        assert before.returncode != 0 or (not inline and "--inline-includes" in done.stderr), done.stderr
        return
    after = dry_run(out, tmp_path)
    assert after.returncode == before.returncode, after.stdout + after.stderr


def test_the_firelens_yaml_with_the_guides_overrides(tmp_path: Path) -> None:
    source = CORPUS / "yaml" / "firelens" / "fluent-bit.yaml"
    out = tmp_path / "fluent-bit.yaml"
    guide = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]
    refused = launch("-c", str(source), "-m", str(out), *guide)
    assert refused.returncode == 1 and "custom.yaml:1: -s needs the only service:" in refused.stderr
    assert not out.exists()
    done = launch("-r", FLUENT_BIT, "-c", str(source), "-m", str(out), *guide, "--inline-includes", "--", "--dry-run")
    assert out.read_bytes().count(b'Mem_Buf_Limit: "50M"') == 4
    # Fluent Bit 1.9 reads almost none of today's YAML: the same verdict as on the original.
    assert done.returncode == dry_run(source, source.parent).returncode, done.stderr
