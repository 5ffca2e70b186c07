"""--buffer-dir and --disk-budget (issue #21): what they set in the config and on Fluent
Bit's command line, what an explicit setting keeps, the writability check, and the refusals."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from tests.paths import EXAMPLES, REPO
from tests.running import FAKE, FIRELENS, GUIDE_FLUENT_BIT_ARGS, Run, assert_refused

# FIRELENS has three inputs and two outputs; the guide's arguments add a syslog output.
INPUTS, OUTPUTS = 3, 2 + 1
ONE_GB = 1_000_000_000  # the default budget, 1G, as Fluent Bit reads sizes (K = 1000)
SERVICE = b"[SERVICE]\n    storage.path {}\n    storage.max_chunks_up 8\n    storage.backlog.mem_limit 8M\n"


def _guide(run: Run, *options: str) -> subprocess.CompletedProcess[str]:
    return run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), *options, "--", *GUIDE_FLUENT_BIT_ARGS)


def test_the_buffer_is_set_on_every_input_and_output_and_its_directory_made(run: Run) -> None:
    buffer = run.tmp / "var" / "buffer"
    done = _guide(run, "-i", "Mem_Buf_Limit", "50M", "--buffer-dir", str(buffer))
    assert done.returncode == 0, done.stderr
    config = run.out.read_bytes()
    share = ONE_GB // OUTPUTS
    assert config.count(b"\n    storage.type filesystem\n") == INPUTS
    assert config.count(f"\n    storage.total_limit_size {share}\n".encode()) == OUTPUTS - 1
    assert config.endswith(SERVICE.replace(b"{}", str(buffer).encode()))
    argv = run.recorded()["argv"]
    at = argv.index("syslog")
    assert argv[at + 1 : at + 3] == ["-p", f"storage.total_limit_size={share}"]
    assert [*argv[: at + 1], *argv[at + 3 :]] == [FAKE, "-c", str(run.out), *GUIDE_FLUENT_BIT_ARGS]
    assert buffer.is_dir() and list(buffer.iterdir()) == []  # the probe file is gone
    assert done.stderr.count("\n") == 1
    assert (
        f"disk buffer in {buffer} within 1G; 3 [INPUT] set Mem_Buf_Limit=50M (raised from 25MB),storage.type=filesystem"
        in done.stderr
    )
    assert f"2 [OUTPUT] set storage.total_limit_size={share}" in done.stderr
    assert f"-o syslog -p storage.total_limit_size={share} -m '*'" in done.stderr


def test_the_disk_budget_is_split_over_every_output(run: Run) -> None:
    done = _guide(run, "--buffer-dir", str(run.tmp / "b"), "--disk-budget", "300M")
    assert done.returncode == 0, done.stderr
    assert run.out.read_bytes().count(b"\n    storage.total_limit_size 100000000\n") == 2
    assert "-p storage.total_limit_size=100000000" in done.stderr and "within 300M" in done.stderr
    # Without outputs on Fluent Bit's command line, the config's two share it.
    done = run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), "--buffer-dir", str(run.tmp / "b"))
    assert done.returncode == 0, done.stderr
    assert run.out.read_bytes().count(f"\n    storage.total_limit_size {ONE_GB // 2}\n".encode()) == 2


def test_an_explicit_setting_wins(run: Run) -> None:
    done = run(
        "-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), "--buffer-dir", str(run.tmp / "b"),
        "-i", "storage.type", "memory", "-o", "storage.total_limit_size", "5M", "-s", "storage.max_chunks_up", "64",
        "--", "-o", "syslog", "-p", "storage.total_limit_size=1M", "-i", "cpu", "-p", "Storage.Type=memory",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    config = run.out.read_bytes()
    assert b"filesystem" not in config and config.count(b"storage.total_limit_size 5M\n") == 2
    assert b"storage.max_chunks_up 64\n" in config and b"storage.backlog.mem_limit 8M\n" in config
    given = ["-o", "syslog", "-p", "storage.total_limit_size=1M", "-i", "cpu", "-p", "Storage.Type=memory"]
    assert run.recorded()["argv"][3:] == given


def test_inputs_on_fluent_bits_command_line_buffer_on_disk_too(run: Run) -> None:
    done = run(
        "-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), "--buffer-dir", str(run.tmp / "b"),
        "--", "--input=cpu", "-t", "cpu", "-icpu", "--output", "null",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert run.recorded()["argv"][3:] == [
        "--input=cpu", "-p", "storage.type=filesystem", "-t", "cpu",
        "-icpu", "-p", "storage.type=filesystem",
        "--output", "null", "-p", f"storage.total_limit_size={ONE_GB // 3}",
    ]  # fmt: skip


def test_yaml_gets_the_same_settings(run: Run) -> None:
    out = run.tmp / "out" / "fluent-bit.yaml"
    source = EXAMPLES / "firelens-yaml" / "fluent-bit.yaml"
    buffer = run.tmp / "b"
    done = run("-r", FAKE, "-c", str(source), "-m", str(out), "--inline-includes", "--buffer-dir", str(buffer))
    assert done.returncode == 0, done.stderr
    # Its included file, pasted in, brings a second `pipeline:` (which Fluent Bit reads as
    # more plugins): four inputs and three outputs in all.
    written = out.read_bytes()
    service = yaml.safe_load(written)["service"]
    assert (service["storage.path"], service["storage.max_chunks_up"], service["storage.backlog.mem_limit"]) == (
        str(buffer),
        "8",
        "8M",
    )
    assert written.count(b"\n      storage.type: filesystem\n") == 4
    assert written.count(f'\n      storage.total_limit_size: "{ONE_GB // 3}"\n'.encode()) == 3
    assert f"disk buffer in {buffer} within 1G" in done.stderr


def test_dry_run_and_diff_show_the_settings_and_make_nothing(run: Run) -> None:
    buffer = run.tmp / "b"
    done = _guide(run, "--buffer-dir", str(buffer), "--dry-run", "--diff")
    assert done.returncode == 0, done.stderr
    assert not buffer.exists() and not run.out.exists()
    assert done.stdout.endswith(SERVICE.replace(b"{}", str(buffer).encode()).decode())
    assert "\n+    storage.type filesystem\n" in done.stderr and f"\n+    storage.path {buffer}\n" in done.stderr
    assert f"would write {run.out} from {FIRELENS}: disk buffer in {buffer} within 1G;" in done.stderr
    assert "-o syslog -p storage.total_limit_size=333333333" in done.stderr


def test_a_directory_fluent_bit_could_not_write_is_exit_1_and_writes_no_config(run: Run) -> None:
    blocker = run.tmp / "file"
    blocker.write_text("")
    done = _guide(run, "--buffer-dir", str(blocker / "buffer"))
    assert_refused(done, 1, f"--buffer-dir {blocker / 'buffer'}: cannot create and write a file there: Not a directory")
    assert not run.out.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--disk-budget", "1G"], "give --buffer-dir DIR too"),
        (["--buffer-dir", "/b", "--disk-budget", "0"], "--disk-budget '0': give a size above 0"),
        (["--buffer-dir", "/b", "--disk-budget", "lots"], "--disk-budget 'lots': give a size above 0"),
        (["--buffer-dir", ""], "--buffer-dir needs a non-empty path"),
        (["--buffer-dir"], "--buffer-dir needs a path"),
        (["--buffer-dir", "/b", "--disk-budget"], "--disk-budget needs a size"),
        (["--buffer-dir", "/a\nb"], "cannot contain CR, LF or NUL"),
        (["--buffer-dir", "/b", "-s", "Storage.Path", "/c"], "-s storage.path and --buffer-dir both set"),
        (["--buffer-dir", "/b", "--", "-b", "/c"], "'-b' after '--' sets Fluent Bit's storage path"),
        (["--buffer-dir", "/b", "--", "--storage_path=/c"], "'--storage_path=/c' after '--' sets"),
    ],
)
def test_refusals_are_exit_2(run: Run, args: list[str], words: str) -> None:
    assert_refused(run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), *args), 2, words)
    assert not run.out.exists()


def test_a_launch_without_the_option_never_imports_it() -> None:
    probe = (
        "import sys; from fluent_launch import cli;"
        "cli.parse_args(['-c', 'x.conf', '-i', 'Mem_Buf_Limit', '5M']);"
        "print('fluent_launch.buffer' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout == "False\n"
