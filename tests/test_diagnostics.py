"""Issue 12's diagnostics, run as a program: every message's text and exit code, --dry-run,
--diff, --check (against stand-ins that behave as Fluent Bit does) and -q."""

from __future__ import annotations

import shlex
import time
from pathlib import Path

import pytest

from tests.running import AWS_PLUGINS, FAKE, FIRELENS, GUIDE_FLUENT_BIT_ARGS, Run, assert_refused

GUIDE_OVERRIDES = ["-s", "Scheduler.Cap", "60", "-i", "Mem_Buf_Limit", "50M"]
BANNER = """Fluent Bit v4.2.8
* Copyright (C) 2015-2026 The Fluent Bit Authors
* Fluent Bit is a CNCF graduated project under the Fluent organization
* https://fluentbit.io

______ _                  _    ______ _ _
"""


def base(run: Run) -> list[str]:
    return ["-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out)]


def config(run: Run, text: str) -> Path:
    path = run.tmp / "in.conf"
    path.write_text(text)
    return path


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fluent-launch: warning: ")]


# 1. `-c` among Fluent Bit's arguments.


@pytest.mark.parametrize(
    "given",
    [["-c", "/etc/other.conf"], ["-c/etc/other.conf"], ["--config=/etc/other.conf"], ["--conf", "/etc/other.conf"]],
)
def test_a_config_among_fluent_bits_arguments_is_refused(run: Run, given: list[str]) -> None:
    done = run(*base(run), "--", "-F", "record_modifier", *given)
    assert_refused(
        done,
        2,
        f"fluent-launch: {given[0]!r} after '--' would make Fluent Bit read /etc/other.conf instead of {run.out},"
        " the config with the overrides, so none would apply; give the config to edit with -c before '--'",
    )
    assert not run.out.exists() and not run.record.exists()


def test_a_dash_c_that_is_a_value_is_not_a_config(run: Run) -> None:
    done = run(*base(run), "--", "-F", "record_modifier", "-m", "*", "-p", "-c", "-t", "-c")
    assert done.returncode == 0, done.stderr


# 2. Go plugins without `-e`.


def test_a_go_plugin_in_the_config_without_its_plugin_file_is_warned_about(run: Run) -> None:
    path = config(run, "[INPUT]\n    Name dummy\n\n[OUTPUT]\n    Name  Firehose\n    Match *\n")
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out))
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {path}:5: [OUTPUT] Firehose: 'firehose' is a Go plugin that Fluent Bit has only"
        " when loaded: add '-e /fluent-bit/firehose.so' after '--' (or use the built-in 'kinesis_firehose')"
    ]
    assert run.recorded()["argv"][-2:] == ["-c", str(run.out)]  # a warning, and Fluent Bit still starts


def test_go_plugins_on_fluent_bits_command_line(run: Run) -> None:
    done = run(*base(run), "--", "-o", "kinesis", "-m", "*", "-o", "cloudwatch", "-o", "kinesis", "-p", "x=1")
    assert done.returncode == 0, done.stderr
    assert [line.split(": ", 2)[2].split(" is a Go")[0] for line in warnings(done.stderr)] == [
        "argument 1 after '--': [OUTPUT] kinesis: 'kinesis'",
        "argument 5 after '--': [OUTPUT] cloudwatch: 'cloudwatch'",
    ]
    assert "add '-e /fluent-bit/kinesis.so' after '--' (or use the built-in 'kinesis_streams')" in done.stderr


@pytest.mark.parametrize(
    "plugins",
    [AWS_PLUGINS, ["--plugin=/fluent-bit/cloudwatch.so", "-e/fluent-bit/kinesis.so", "-e", "/other/firehose.so"]],
)
def test_loaded_go_plugins_and_c_plugins_are_not_warned_about(run: Run, plugins: list[str]) -> None:
    path = config(run, "[OUTPUT]\n    Name cloudwatch\n[OUTPUT]\n    Name kinesis_streams\n")
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out), "--", *plugins, "-o", "kinesis", "-o", "firehose")
    assert done.returncode == 0 and warnings(done.stderr) == [], done.stderr


# 3. Override values Fluent Bit would refuse.

FORMS_SIZE = (
    "it takes a number with an optional K, M or G suffix, optionally followed by B (50M, 1.5MB, 100000), or false"
)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (["-i", "Mem_Buf_Limit", "50 MB"], f"-i Mem_Buf_Limit '50 MB': Fluent Bit refuses this value; {FORMS_SIZE}"),
        (
            ["-o", "storage.total_limit_size", "5GiB"],
            "-o storage.total_limit_size '5GiB': Fluent Bit refuses this value; it takes off or a number with",
        ),
        (
            ["--input", "storage.pause_on_chunks_overlimit", "enabled"],
            "--input storage.pause_on_chunks_overlimit 'enabled': Fluent Bit refuses this value;"
            " it takes true, on, yes, false, off or no",
        ),
        (["-i", "Threaded", "1"], "-i Threaded '1': Fluent Bit refuses this value; it takes true, on, yes"),
        (
            ["-i", "storage.type", "disk"],
            "-i storage.type 'disk': Fluent Bit refuses this value; it takes filesystem, memory or memrb",
        ),
        (
            ["-f", "Log_Level", "verbose"],
            "-f Log_Level 'verbose': Fluent Bit refuses this value;"
            " it takes off, error, warn, warning, info, debug or trace",
        ),
        (["-s", "log_level", "all"], "-s log_level 'all': Fluent Bit refuses this value; it takes off, error"),
        (["-s", "Flush", "0"], "-s Flush '0': Fluent Bit refuses this value; it takes a number of seconds above 0"),
        (["-s", "Flush", "soon"], "-s Flush 'soon': Fluent Bit refuses this value"),
        (
            ["-i", "storage.pause_on_chunks_overlimit", "Off # note"],
            "-i storage.pause_on_chunks_overlimit 'Off # note': classic values have no end-of-line comments,"
            " so ' #...' is part of the value; put comments on own lines",
        ),
        (["-s", "Grace", "30 # seconds"], "-s Grace '30 # seconds': classic values have no end-of-line comments"),
        (["-o", "Retry_Limit", "False # forever"], "-o Retry_Limit 'False # forever': classic values have no end"),
    ],
)
def test_override_values_fluent_bit_would_refuse_are_refused(run: Run, override: list[str], message: str) -> None:
    run.out.parent.mkdir()
    run.out.write_bytes(b"previous\n")
    done = run(*base(run), *override)
    assert_refused(done, 2, f"fluent-launch: {message}")
    assert run.out.read_bytes() == b"previous\n" and not run.record.exists()


@pytest.mark.parametrize(
    "override",
    [
        ["-i", "Mem_Buf_Limit", "${MEM_LIMIT}"],
        ["-i", "mem_buf_limit", "1.5MB"],
        ["-o", "storage.total_limit_size", "off"],
        ["-i", "Port", "1 MB"],  # not a core property whose value is checked: the plugin's business
        ["-s", "Scheduler.Cap", "sixty"],  # atoi(): Fluent Bit refuses nothing
        ["-s", "Flush", "0.5"],
        ["-f", "Log_Level", "WARNING"],
        ["-o", "Match", "a #b"],  # comments matter only for the core properties
    ],
)
def test_override_values_fluent_bit_takes_are_taken(run: Run, override: list[str]) -> None:
    done = run(*base(run), *override)
    assert done.returncode == 0, done.stderr
    assert f"{override[1]} {override[2]}\n" in run.out.read_text()


def test_a_retry_limit_fluent_bit_would_not_use_is_warned_about_not_refused(run: Run) -> None:
    done = run(*base(run), "-o", "Retry_Limit", "unlimited")
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        "fluent-launch: warning: -o Retry_Limit 'unlimited': Fluent Bit does not use this Retry_Limit and retries"
        " once instead; give a number of retries of at least 1, False, no_limits or no_retries"
    ]


# 4. CloudWatch names.


def test_characters_cloudwatch_rejects_are_warned_about(run: Run) -> None:
    path = config(
        run,
        "[OUTPUT]\n    Name cloudwatch_logs\n    log_group_name /ecs/my app\n    log_stream_prefix from-fluent-bit:\n"
        "[OUTPUT]\n    Name cloudwatch\n    log_group_name /ecs/$(ecs_task_id)/${GROUP}#1\n"
        "    log_stream_name $(tag[1]):*\n"
        "[OUTPUT]\n    Name http\n    log_group_name not:cloudwatch\n",
    )
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out), "--", *AWS_PLUGINS)
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {path}:3: [OUTPUT] cloudwatch_logs: log_group_name '/ecs/my app':"
        " CloudWatch rejects ' ' in log group names (group names take only letters, digits and _-/.#)",
        f"fluent-launch: warning: {path}:4: [OUTPUT] cloudwatch_logs: log_stream_prefix 'from-fluent-bit:':"
        " CloudWatch rejects ':' in log stream names (stream names take neither ':' nor '*')",
        f"fluent-launch: warning: {path}:8: [OUTPUT] cloudwatch: log_stream_name '$(tag[1]):*':"
        " CloudWatch rejects ':' in log stream names (stream names take neither ':' nor '*')",
    ]


def test_cloudwatch_names_in_overrides_and_fluent_bits_arguments(run: Run) -> None:
    path = config(run, "[OUTPUT]\n    Name cloudwatch_logs\n    Match *\n")
    done = run(
        "-r", FAKE, "-c", str(path), "-m", str(run.out),
        "-o", "log_stream_name", "a*b", "--", "-o", "cloudwatch_logs", "-p", "log_group_name=app:1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        "fluent-launch: warning: argument 3 after '--': [OUTPUT] cloudwatch_logs: log_group_name 'app:1':"
        " CloudWatch rejects ':' in log group names (group names take only letters, digits and _-/.#)",
        "fluent-launch: warning: -o log_stream_name 'a*b': CloudWatch rejects '*' in log stream names"
        " (stream names take neither ':' nor '*')",
    ]


# 5. End-of-line comments in the config.


def test_end_of_line_comments_in_core_values_are_warned_about(run: Run) -> None:
    path = config(
        run,
        "[SERVICE]\n    Flush 5 # seconds\n[INPUT]\n    Name tail\n    Path /var/log/x.log # ours\n"
        "    storage.pause_on_chunks_overlimit Off # published examples do this\n",
    )
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out))
    assert done.returncode == 0, done.stderr
    tail = "classic values have no end-of-line comments, so ' #...' is part of the value; put comments on own lines"
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {path}:2: [SERVICE]: Flush '5 # seconds': {tail}",
        f"fluent-launch: warning: {path}:6: [INPUT] tail: storage.pause_on_chunks_overlimit"
        f" 'Off # published examples do this': {tail}",
    ]


def test_config_values_fluent_bit_would_refuse_or_not_use_are_warned_about(run: Run) -> None:
    path = config(
        run,
        "[INPUT]\n    Name tail\n    Mem_Buf_Limit 5 MB\n    Log_Level ${LEVEL}\n"
        "[OUTPUT]\n    Name syslog\n    Retry_Limit forever\n",
    )
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out))
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {path}:3: [INPUT] tail: Mem_Buf_Limit '5 MB': Fluent Bit refuses this value;"
        f" {FORMS_SIZE}",
        f"fluent-launch: warning: {path}:7: [OUTPUT] syslog: Retry_Limit 'forever': Fluent Bit does not use this"
        " Retry_Limit and retries once instead; give a number of retries of at least 1, False, no_limits or no_retries",
    ]


def test_an_overridden_value_is_not_warned_about(run: Run) -> None:
    path = config(run, "[INPUT]\n    Name tail\n    Mem_Buf_Limit 5 MB\n    storage.type filesystem # x\n")
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out), "-i", "mem_buf_limit", "5MB")
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {path}:4: [INPUT] tail: storage.type 'filesystem # x': classic values have no"
        " end-of-line comments, so ' #...' is part of the value; put comments on own lines"
    ]


# 6. A forgotten `--`.


def test_the_guides_command_line_without_the_double_dash_names_fluent_bits_first_option(run: Run) -> None:
    done = run(*base(run), *GUIDE_OVERRIDES, *GUIDE_FLUENT_BIT_ARGS)
    assert_refused(
        done,
        2,
        "fluent-launch: unknown argument '-F': it is Fluent Bit's; Fluent Bit's options go after '--',"
        " as in: fluent-launch [OPTION]... -- -F ...",
    )


def test_a_fluent_bit_option_taken_as_a_value_is_named(run: Run) -> None:
    # `-i tail -p` reads as the launcher's `-i KEY VALUE`, so `path=/x` is the unknown one;
    # Fluent Bit's arguments start at `-i tail`, which names one of its inputs.
    done = run(*base(run), "-i", "tail", "-p", "path=/x")
    assert_refused(
        done,
        2,
        "fluent-launch: unknown argument 'path=/x': '-i tail' before it is Fluent Bit's; Fluent Bit's options go"
        " after '--', as in: fluent-launch [OPTION]... -- -i tail ...",
    )
    done = run(*base(run), "-i", "Tag", "-p", "path=/x")
    assert_refused(
        done,
        2,
        "fluent-launch: unknown argument 'path=/x': '-p' before it is Fluent Bit's; Fluent Bit's options go"
        " after '--', as in: fluent-launch [OPTION]... -- -p ...",
    )


# --dry-run, --diff, -q


def test_dry_run_prints_the_config_and_the_command_and_writes_nothing(run: Run) -> None:
    run.out.parent.mkdir()
    run.out.write_bytes(b"previous\n")
    args = [*GUIDE_OVERRIDES, "-o", "tls.key_passwd", "hunter2", "--", "-o", "http", "-p", "Passwd=hunter2"]
    done = run(*base(run), "--dry-run", *args)
    assert done.returncode == 0, done.stderr
    assert run.out.read_bytes() == b"previous\n" and not run.record.exists()
    assert sorted(path.name for path in run.out.parent.iterdir()) == ["fluent-bit.conf"]
    assert done.stderr == (
        f"fluent-launch: would write {run.out} from {FIRELENS}: [SERVICE] created with Scheduler.Cap=60;"
        f" 3 [INPUT] set Mem_Buf_Limit=50M (raised from 25MB); 2 [OUTPUT] set tls.key_passwd=***;"
        f" exec {FAKE} -c {run.out}"
        " -o http -p 'Passwd=***'\n"
    )
    real = run(*base(run), *args)
    assert real.returncode == 0, real.stderr
    assert done.stdout == run.out.read_text()  # the bytes a launch writes
    assert "    tls.key_passwd hunter2\n" in done.stdout


def test_dry_run_quiet_prints_only_the_command(run: Run) -> None:
    done = run(*base(run), "--dry-run", "-q", "--", "-p", "x=1")
    assert (done.returncode, done.stderr) == (0, f"fluent-launch: would exec {FAKE} -c {run.out} -p x=1\n")
    assert done.stdout == FIRELENS.read_text() and not run.out.exists()


def test_dry_run_keeps_the_exit_codes_of_errors(run: Run) -> None:
    done = run("-c", str(run.tmp / "missing.conf"), "-m", str(run.out), "--dry-run")
    assert_refused(done, 1, "missing.conf: no such file")


def test_quiet_launch_prints_nothing(run: Run) -> None:
    done = run(*base(run), "--quiet", *GUIDE_OVERRIDES)
    assert (done.returncode, done.stderr) == (0, "")
    assert run.recorded()["argv"] == [FAKE, "-c", str(run.out)]


def test_diff_shows_the_change_with_secrets_masked(run: Run) -> None:
    path = config(run, "[OUTPUT]\n    Name http\n    http_Passwd old\n    Match *\n")
    args = [
        "-r",
        FAKE,
        "-c",
        str(path),
        "-m",
        str(run.out),
        "-q",
        "--diff",
        "-o",
        "Http_Passwd",
        "new",
        "-o",
        "Port",
        "1",
    ]
    done = run(*args)
    assert done.returncode == 0
    assert done.stderr == (
        f"--- {path}\n+++ {run.out}\n@@ -1,4 +1,5 @@\n [OUTPUT]\n     Name http\n-    http_Passwd ***\n"
        "+    http_Passwd ***\n     Match *\n+    Port 1\n"
    )
    shown = run(*args, "--show-secrets", "--dry-run")
    assert "-    http_Passwd old\n+    http_Passwd new\n" in shown.stderr


def test_diff_of_a_file_without_a_final_newline(run: Run) -> None:
    path = config(run, "[INPUT]\n    Name dummy")
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out), "-q", "--diff", "--dry-run", "-i", "Tag", "t")
    assert done.returncode == 0
    assert done.stderr.split("@@\n", 1)[1] == (
        " [INPUT]\n-    Name dummy\n\\ No newline at end of file\n+    Name dummy\n+    Tag t\n"
        "\\ No newline at end of file\n"
        f"fluent-launch: would exec {FAKE} -c {run.out}\n"
    )


# --check, with stand-ins for Fluent Bit


def stand_in(run: Run, body: str) -> str:
    """A Fluent Bit stand-in: logs its arguments, then runs `body` when given --dry-run."""
    path = run.tmp / "fluent-bit"
    log = run.tmp / "calls"
    path.write_text(
        f'#!/bin/sh\necho "$*" >> {shlex.quote(str(log))}\n'
        f'for arg in "$@"; do [ "$arg" = --dry-run ] && {{\n{body}\n}}; done\nexit 0\n'
    )
    path.chmod(0o755)
    return str(path)


def calls(run: Run) -> list[str]:
    return (run.tmp / "calls").read_text().splitlines()


def test_check_that_passes_goes_on_to_start_fluent_bit(run: Run) -> None:
    fluent_bit = stand_in(run, f"cat <<'EOF'\n{BANNER}configuration test is successful\nEOF\nexit 0")
    done = run("-r", fluent_bit, "-c", str(FIRELENS), "-m", str(run.out), "--check", "--", "-e", "/x.so", "-p", "a=b")
    assert done.returncode == 0, done.stderr
    assert calls(run) == [f"-c {run.out} --dry-run -e /x.so -p a=b", f"-c {run.out} -e /x.so -p a=b"]
    assert done.stderr.startswith(f"fluent-launch: wrote {run.out}") and done.stderr.count("\n") == 1


def test_errors_logged_by_a_check_that_passes_are_warnings(run: Run) -> None:
    # Fluent Bit 1.9.10 logs a property it could not set, then passes the dry run.
    body = "echo '[2026/11/27 07:03:03] [error] [config] could not configure property' >&2\nexit 0"
    done = run("-r", stand_in(run, body), "-c", str(FIRELENS), "-m", str(run.out), "--check", "-q")
    assert done.returncode == 0
    assert done.stderr == "fluent-launch: warning: fluent-bit: [error] [config] could not configure property\n"
    assert len(calls(run)) == 2


def test_check_that_fails_prints_fluent_bits_errors_and_does_not_start_it(run: Run) -> None:
    errors = (
        "[2026/11/27 06:54:55.317401247] [error] [config] section 'cloudwatch' tried to instance a plugin name"
        " that doesn't exist\n[2026/11/27 06:54:55.317418984] [error] configuration file contains errors, aborting."
    )
    body = f"cat <<'EOF'\n{BANNER}[2026/11/27 06:54:55.3] [ info] [fluent bit] version=4.2.8\nEOF\n"
    fluent_bit = stand_in(run, body + f"cat >&2 <<'EOF'\n{errors}\nEOF\nexit 1")
    done = run("-r", fluent_bit, "-c", str(FIRELENS), "-m", str(run.out), "--check", "--", "-o", "cloudwatch")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines()[1:] == [
        "fluent-launch: --check: Fluent Bit's --dry-run exited with 1: it would not start with this config",
        "fluent-launch: fluent-bit: [error] [config] section 'cloudwatch' tried to instance a plugin name that"
        " doesn't exist",
        "fluent-launch: fluent-bit: [error] configuration file contains errors, aborting.",
    ]
    assert calls(run) == [f"-c {run.out} --dry-run -o cloudwatch"]  # checked, never started
    assert run.out.exists()  # written before the check, as it checks that file


def test_check_without_error_lines_shows_fluent_bits_last_line(run: Run) -> None:
    fluent_bit = stand_in(run, f"cat <<'EOF'\n{BANNER}Error: something odd\nEOF\nkill -SEGV $$")
    done = run("-r", fluent_bit, "-c", str(FIRELENS), "-m", str(run.out), "--check", "-q")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "fluent-launch: --check: Fluent Bit's --dry-run was killed by signal 11: it would not start with this config",
        "fluent-launch: fluent-bit: Error: something odd",
    ]


def test_check_that_hangs_is_stopped_at_the_timeout(run: Run) -> None:
    fluent_bit = stand_in(run, "sleep 60 &\nsleep 60")
    start = time.monotonic()
    done = run("-r", fluent_bit, "-c", str(FIRELENS), "-m", str(run.out), "--check", "--check-timeout", "0.5")
    assert time.monotonic() - start < 20
    assert_refused(
        done, 1, "fluent-launch: --check: Fluent Bit's --dry-run did not finish within 0.5 s (see --check-timeout)"
    )
    assert calls(run) == [f"-c {run.out} --dry-run"]


def test_check_of_a_missing_fluent_bit_is_127(run: Run) -> None:
    done = run("-r", str(run.tmp / "nowhere"), "-c", str(FIRELENS), "-m", str(run.out), "--check")
    assert_refused(done, 127, "nowhere: Fluent Bit not found (give its path with -r/--run-path)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check-timeout", "0"], "--check-timeout '0': give a number of seconds above 0"),
        (["--check-timeout=soon"], "--check-timeout 'soon': give a number of seconds above 0"),
        (["--check-timeout", "inf"], "--check-timeout 'inf': give a number of seconds above 0"),
        (["--check-timeout"], "--check-timeout needs a number of seconds"),
        (["--check", "--dry-run"], "--check runs Fluent Bit on the written config, and --dry-run writes none"),
    ],
)
def test_bad_check_options_are_usage_errors(run: Run, args: list[str], message: str) -> None:
    assert_refused(run(*base(run), *args), 2, f"fluent-launch: {message}")


def test_help_documents_the_diagnostics(run: Run) -> None:
    helped = run("--help").stdout
    for option in ("--dry-run", "--diff", "--check ", "--check-timeout SECONDS", "-q, --quiet", "warning"):
        assert option in helped
