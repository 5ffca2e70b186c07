"""The launcher run as a program: options, exit codes, the file it writes, and the exec itself."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import CORPUS, EXAMPLES, REPO
from tests.running import AWS_PLUGINS, FAKE, FIRELENS, GUIDE_FLUENT_BIT_ARGS, Run, launcher


def test_guide_command_line_execs_fluent_bit_in_place(run: Run) -> None:
    done = run(
        "-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out),
        "-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M", "--", *GUIDE_FLUENT_BIT_ARGS,
        extra_env={"SECRET_FOR_PLUGIN": "kept-in-env"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    record = run.recorded()
    assert record["pid"] == run.pid  # exec'd, not spawned: ECS's SIGTERM reaches Fluent Bit
    assert record["argv"] == [FAKE, "-c", str(run.out), *GUIDE_FLUENT_BIT_ARGS]
    assert record["environ"]["SECRET_FOR_PLUGIN"] == "kept-in-env"
    original = FIRELENS.read_bytes()
    config = record["config"].encode("latin-1")
    assert config == run.out.read_bytes()
    assert config.count(b"Mem_Buf_Limit 50M") == 3 and b"25MB" not in config
    assert config.endswith(b"region us-east-1\n\n[SERVICE]\n    Scheduler.Cap 60\n")
    assert config.replace(b"    Mem_Buf_Limit 50M\n", b"").startswith(original.split(b"    Mem_Buf_Limit 25MB\n")[0])
    assert done.stderr.count("\n") == 1
    assert "3 [INPUT] set Mem_Buf_Limit" in done.stderr and "[SERVICE] created with Scheduler.Cap" in done.stderr
    assert f"exec {FAKE} -c {run.out} -F record_modifier -m '*' -p 'Record=pid 1'" in done.stderr


def test_fluent_bit_gets_exactly_the_launchers_environment(tmp_path: Path) -> None:
    # A frozen launcher adds LD_LIBRARY_PATH (pointing at its own glibc) and _PYI_* variables
    # when it restarts itself: none of that may reach Fluent Bit, and a user's value survives.
    dump = tmp_path / "env-dump"
    dump.write_text(f"#!/bin/sh\nexec env -0 > {tmp_path}/environ\n")
    dump.chmod(0o755)
    env = {
        "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8",
        "LD_LIBRARY_PATH": "/opt/plugins/lib", "AWS_REGION": "us-east-1",
    }  # fmt: skip
    command = [*launcher(), "-r", str(dump), "-c", str(FIRELENS), "-m", str(tmp_path / "out.conf")]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    received = dict(item.split("=", 1) for item in (tmp_path / "environ").read_text().split("\0") if item)
    received.pop("PWD", None)  # the shell running the dump sets that one itself
    assert received == env


def test_guide_command_line_with_aws_plugins(run: Run) -> None:
    args = [*AWS_PLUGINS, *GUIDE_FLUENT_BIT_ARGS]
    done = run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), "-s", "Scheduler.Cap", "60", "--", *args)
    assert done.returncode == 0, done.stderr
    assert run.recorded()["argv"] == [FAKE, "-c", str(run.out), *args]


def test_fluent_bits_exit_code_is_the_launchers(run: Run) -> None:
    done = run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), extra_env={"FAKE_FLUENT_BIT_EXIT": "3"})
    assert done.returncode == 3
    assert run.recorded()["argv"] == [FAKE, "-c", str(run.out)]


def test_long_options_and_equals_forms(run: Run) -> None:
    done = run(
        f"--run-path={FAKE}", "--in-config", str(FIRELENS), f"--out-config={run.out}",
        "--output", "Retry_Limit", "False", "--filter", "Match", "-x-", "--input", "Tag", "-t", "--", "--dry-run",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    config = run.out.read_text()
    assert config.count("Retry_Limit False") == 2 and "    Match -x-\n" in config and config.count("Tag -t") == 3
    assert run.recorded()["argv"][-1] == "--dry-run"


def test_name_without_slash_is_found_in_path(run: Run) -> None:
    env = {"PATH": f"{EXAMPLES}:{os.environ['PATH']}"}
    done = run("-r", "fake-fluent-bit", "-c", str(FIRELENS), "-m", str(run.out), extra_env=env)
    assert done.returncode == 0, done.stderr
    # The kernel hands a script found in PATH its full path, as a shell's exec would.
    assert run.recorded()["argv"] == [FAKE, "-c", str(run.out)]


@pytest.mark.parametrize("inline", [False, True])
def test_firelens_external_include(run: Run, inline: bool) -> None:
    etc = run.tmp / "etc"
    etc.mkdir()
    for name in ("fargate-awsvpc-external-include.conf", "external.conf"):
        (etc / name).write_bytes((CORPUS / "classic" / "firelens" / name).read_bytes())
    main = etc / "fargate-awsvpc-external-include.conf"
    args = ["-r", FAKE, "-c", str(main), "-m", str(run.out), "-i", "Mem_Buf_Limit", "50M"]
    done = run(*args, *(["--inline-includes"] if inline else []))
    assert done.returncode == 0, done.stderr
    config = run.out.read_bytes()
    if inline:
        assert b"@INCLUDE" not in config and config.count(b"Mem_Buf_Limit 50M") == 4
        assert b"    Name tail\n    Tag file-app-logs\n" in config
    else:
        # The relative include now names the file Fluent Bit would have read for the original.
        expected = main.read_bytes().replace(b"@INCLUDE external.conf", f"@INCLUDE {etc}/external.conf".encode())
        for last in (b"fluent.sock\n", b"Port 24224\n", b"Port 8877\n"):
            expected = expected.replace(last, last + b"    Mem_Buf_Limit 50M\n")
        assert config == expected


def test_in_place_edit_replaces_the_file(run: Run) -> None:
    config = run.tmp / "fluent-bit.conf"
    config.write_bytes(b"[INPUT]\r\n    Name cpu\r\n")
    done = run("-r", FAKE, "-c", str(config), "-m", str(config), "-i", "Mem_Buf_Limit", "5M")
    assert done.returncode == 0, done.stderr
    assert config.read_bytes() == b"[INPUT]\r\n    Name cpu\r\n    Mem_Buf_Limit 5M\r\n"
    assert [path.name for path in run.tmp.iterdir() if path.name.endswith(".tmp")] == []


def test_symlink_at_the_target_is_replaced_not_followed(run: Run) -> None:
    victim = run.tmp / "victim"
    victim.write_text("precious\n")
    run.out.parent.mkdir()
    run.out.symlink_to(victim)
    done = run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out))
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious\n"
    assert not run.out.is_symlink() and run.out.read_bytes() == FIRELENS.read_bytes()


@pytest.mark.parametrize(("in_mode", "out_mode"), [(0o600, 0o600), (0o666, 0o644), (0o444, 0o444)])
def test_output_is_never_more_permissive_than_the_input(run: Run, in_mode: int, out_mode: int) -> None:
    config = run.tmp / "in.conf"
    config.write_bytes(FIRELENS.read_bytes())
    config.chmod(in_mode)
    assert run("-r", FAKE, "-c", str(config), "-m", str(run.out)).returncode == 0
    assert stat.S_IMODE(run.out.stat().st_mode) == out_mode


def test_non_utf8_argument_bytes_are_written_as_given(run: Run) -> None:
    done = subprocess.run(
        [*launcher(), "-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out), "-o", "Alias", os.fsencode("caf\udce9")],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr
    assert run.out.read_bytes().count(b"    Alias caf\xe9\n") == 2


BAD_CONFIG = b"[INPUT]\n    Name cpu\n  Tag x\n"


def test_bad_config_is_one_line_naming_file_and_line_and_writes_nothing(run: Run) -> None:
    config = run.tmp / "bad.conf"
    config.write_bytes(BAD_CONFIG)
    run.out.parent.mkdir()
    run.out.write_bytes(b"previous\n")
    done = run("-r", FAKE, "-c", str(config), "-m", str(run.out), "-i", "Mem_Buf_Limit", "50M")
    assert done.returncode == 1
    assert done.stderr.startswith(f"fluent-launch: {config}:3: invalid indentation level: indentation level is too low")
    assert done.stderr.count("\n") == 1
    assert run.out.read_bytes() == b"previous\n"
    assert sorted(path.name for path in run.out.parent.iterdir()) == ["fluent-bit.conf"]
    assert not run.record.exists()


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["-c", "/nonexistent/fluent-bit.conf"], 1, "/nonexistent/fluent-bit.conf: no such file"),
        (["-c", "/"], 1, "is a directory"),
        (["-m", "/proc/version/x.conf"], 1, "/proc/version/x.conf: cannot create its directory"),
        (["-r", "/nonexistent/fluent-bit"], 127, "/nonexistent/fluent-bit: Fluent Bit not found (give its path"),
        (["-r", "no-such-fluent-bit-anywhere"], 127, "not found"),
        (["-r", "/etc/hostname"], 126, "cannot execute Fluent Bit"),
        (["-i", "Mem_Buf_Limit"], 2, "-i needs a key and a value"),
        (["-m"], 2, "-m needs a path"),
        (["-x"], 2, "unknown argument '-x': Fluent Bit's options go after '--' (see --help)"),
        (["-F", "record_modifier"], 2, "unknown argument '-F': it is Fluent Bit's; Fluent Bit's options go after '--'"),
        (["-r", ""], 2, "-r needs a non-empty path"),
        (["-i", "", "v"], 2, "empty key"),
        (["-i", "Mem Buf", "v"], 2, "cannot contain whitespace"),
        (["-i", "[OUTPUT]", "v"], 2, "cannot start with"),
        (["-i", "#k", "v"], 2, "cannot start with"),
        (["-i", "@INCLUDE", "/etc/passwd"], 2, "cannot start with"),
        (["-i", "k", "  "], 2, "empty value"),
        (["-i", "k", "a\nb"], 2, "cannot contain CR, LF or NUL"),
        (["-i", "k", "a\rb"], 2, "cannot contain CR, LF or NUL"),
        (["-c", "fluent-bit.yaml"], 2, "both must be YAML"),
        (["-m", "/tmp/out.YML"], 2, "both must be YAML"),
    ],
)
def test_errors_have_documented_exit_codes(run: Run, args: list[str], code: int, words: str) -> None:
    defaults = ["-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out)]
    done = run(*defaults, *args)
    assert (done.returncode, done.stdout) == (code, "")
    assert done.stderr.startswith("fluent-launch: ") and words in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 + ("fluent-launch: wrote" in done.stderr)
    assert "Traceback" not in done.stderr


def test_failed_write_leaves_no_temporary_file(run: Run) -> None:
    run.out.mkdir(parents=True)
    done = run("-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out))
    assert done.returncode == 1 and f"{run.out}: cannot write: Is a directory" in done.stderr
    assert list(run.out.parent.iterdir()) == [run.out] and list(run.out.iterdir()) == []


def test_console_script_is_installed(run: Run) -> None:
    script = Path(sys.executable).parent / "fluent-launch"
    if os.environ.get("FLUENT_LAUNCH_BIN"):
        pytest.skip("this run checks a frozen binary (FLUENT_LAUNCH_BIN), not the pip-installed package")
    if not script.exists():
        pytest.skip(f"no console script beside {sys.executable}: the package is not pip-installed here")
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert (done.returncode, done.stdout.split()[0]) == (0, "fluent-launch")


def test_usage_errors_write_no_config(run: Run) -> None:
    assert run("-c", str(FIRELENS), "-m", str(run.out), "-i", "k").returncode == 2
    assert not run.out.exists()


def test_help_and_version(run: Run) -> None:
    helped = run("--help")
    assert helped.returncode == 0 and helped.stderr == ""
    for option in ("--run-path", "--in-config", "--out-config", "--input", "--filter", "--output", "--service"):
        assert option in helped.stdout
    versioned = run("--version")
    assert versioned.returncode == 0 and versioned.stdout.startswith("fluent-launch ")
    assert run("-h").stdout == helped.stdout
