"""Issue 19's overrides, run as a program: unknown keys, limits that are no limit, a forgotten
value, launcher options close to a typo, and the smaller messages; classic and YAML alike."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fluent_launch.properties import VERSIONS
from tests.paths import EXAMPLES
from tests.running import FAKE, FIRELENS, Run, assert_refused

FIRELENS_YAML = EXAMPLES / "firelens-yaml" / "fluent-bit.yaml"
# The same plugins in both formats, each key misspelled once.
CLASSIC = (
    "[SERVICE]\n    Flushh 1\n"
    "[INPUT]\n    Name dummy\n    Mem_Buff_Limit 5M\n    Rate 1\n"
    "[INPUT]\n    Name ${PLUGIN}\n    Anything 1\n"
    "[OUTPUT]\n    Name cloudwatch\n    Match *\n    Anything 1\n"
    "[OUTPUT]\n    Name null\n    Match *\n    net.anything 1\n    Formatt json\n"
)
YAML = (
    "service:\n  flushh: 1\n"
    "pipeline:\n  inputs:\n    - name: dummy\n      memBuffLimit: 5M\n      rate: 1\n"
    "    - name: ${PLUGIN}\n      anything: 1\n"
    "  outputs:\n    - name: cloudwatch\n      match: '*'\n      anything: 1\n"
    "    - name: 'null'\n      match: '*'\n      net.anything: 1\n      Formatt: json\n"
)


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("fluent-launch: warning: ")]


def written(run: Run, text: str, yaml: bool) -> list[str]:
    """The arguments that edit `text`, written as a classic or YAML config, into run.out."""
    path = run.tmp / ("in.yaml" if yaml else "in.conf")
    path.write_text(text)
    out = run.out.with_suffix(".yaml" if yaml else ".conf")
    return ["-r", FAKE, "-c", str(path), "-m", str(out)]


def firelens(run: Run, yaml: bool) -> list[str]:
    if yaml:
        return ["-r", FAKE, "-c", str(FIRELENS_YAML), "-m", str(run.out.with_suffix(".yaml")), "--inline-includes"]
    return ["-r", FAKE, "-c", str(FIRELENS), "-m", str(run.out)]


# 1. Keys no Fluent Bit version knows.


@pytest.mark.parametrize(
    ("yaml", "override", "message"),
    [
        (
            yaml,
            ["-i", "Mem_Buff_Limit", "50M"],
            f"-i Mem_Buff_Limit: no Fluent Bit version ({VERSIONS}) knows 'mem_buff_limit' in the forward input,"
            " which then refuses to start; did you mean 'mem_buf_limit'?",
        )
        for yaml in (False, True)
    ]
    + [
        (
            yaml,
            ["-o", "Retry_Limt", "5"],
            f"-o Retry_Limt: no Fluent Bit version ({VERSIONS}) knows 'retry_limt' in the {output} output,"
            " which then refuses to start; did you mean 'retry_limit'?",
        )
        for yaml, output in ((False, "cloudwatch_logs"), (True, "null"))
    ]
    + [
        (
            # Known to the record_modifier filter of the FireLens YAML, but not to its grep filters.
            True,
            ["-f", "Record", "a b"],
            f"-f Record: no Fluent Bit version ({VERSIONS}) knows 'record' in the grep filter, which then refuses"
            " to start",
        ),
    ],
)
def test_an_override_key_a_plugin_does_not_know_is_refused(
    run: Run, yaml: bool, override: list[str], message: str
) -> None:
    done = run(*firelens(run, yaml), *override)
    assert_refused(done, 2, f"fluent-launch: {message}")
    assert not run.out.exists() and not run.out.with_suffix(".yaml").exists() and not run.record.exists()


@pytest.mark.parametrize("yaml", [False, True], ids=["classic", "yaml"])
def test_override_keys_every_plugin_or_no_plugin_of_the_table_knows_are_taken(run: Run, yaml: bool) -> None:
    text = (YAML if yaml else CLASSIC).replace("Mem_Buff_Limit", "Tag").replace("memBuffLimit", "tag")
    done = run(*written(run, text, yaml), "-i", "Rate", "5", "-o", "net.keepalive", "off", "-o", "Workers", "2")
    # `rate` is the dummy input's; the other input's plugin is ${PLUGIN}, unknown until Fluent
    # Bit expands it, and `cloudwatch` a Go plugin: neither is judged.
    assert done.returncode == 0, done.stderr


def test_a_service_key_fluent_bit_does_not_know_is_a_warning(run: Run) -> None:
    done = run(*firelens(run, False), "-s", "Schedular.Cap", "60")
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: -s Schedular.Cap '60': no Fluent Bit version ({VERSIONS}) knows 'schedular.cap'"
        " in [SERVICE], so Fluent Bit ignores it; did you mean 'scheduler.cap'?"
    ]


@pytest.mark.parametrize("yaml", [False, True], ids=["classic", "yaml"])
def test_config_keys_no_plugin_knows_are_warned_about_with_file_and_line(run: Run, yaml: bool) -> None:
    args = written(run, YAML if yaml else CLASSIC, yaml)
    done = run(*args, "-i", "Rate", "5")
    assert done.returncode == 0, done.stderr
    path = args[3]
    # A YAML key is named as Fluent Bit reads it (memBuffLimit is mem_buff_limit).
    lines, keys = (
        ((2, 6, 17), ("flushh", "mem_buff_limit", "formatt"))
        if yaml
        else ((2, 5, 18), ("Flushh", "Mem_Buff_Limit", "Formatt"))
    )
    assert warnings(done.stderr)[-3:] == [
        f"fluent-launch: warning: {path}:{lines[0]}: [SERVICE]: {keys[0]}: no Fluent Bit version ({VERSIONS})"
        " knows 'flushh' in [SERVICE], so Fluent Bit ignores it; did you mean 'flush'?",
        f"fluent-launch: warning: {path}:{lines[1]}: [INPUT] dummy: {keys[1]}: no Fluent Bit version ({VERSIONS})"
        " knows 'mem_buff_limit' in the dummy input, which then refuses to start; did you mean 'mem_buf_limit'?",
        f"fluent-launch: warning: {path}:{lines[2]}: [OUTPUT] null: {keys[2]}: no Fluent Bit version ({VERSIONS})"
        " knows 'formatt' in the null output, which then refuses to start; did you mean 'format'?",
    ]


def test_a_config_key_that_is_overridden_is_judged_as_the_override(run: Run) -> None:
    done = run(*written(run, CLASSIC, False), "-i", "Mem_Buff_Limit", "5M")
    assert_refused(done, 2, "fluent-launch: -i Mem_Buff_Limit: no Fluent Bit version")


# 2. Limits that are no limit, and limits raised.


@pytest.mark.parametrize(
    ("override", "warning"),
    [
        (["-i", "Mem_Buf_Limit", "0"], "-i Mem_Buf_Limit '0': Fluent Bit takes this as no limit at all"),
        (["-i", "Mem_Buf_Limit", "false"], "-i Mem_Buf_Limit 'false': Fluent Bit takes this as no limit at all"),
        (["-i", "Mem_Buf_Limit", "5 0M"], "-i Mem_Buf_Limit '5 0M': Fluent Bit reads this as 5000000 bytes"),
        (
            ["-i", "Mem_Buf_Limit", "1.5M"],
            "-i Mem_Buf_Limit '1.5M': Fluent Bit reads this as 1500000 bytes, but 1.9.10 as 1000000",
        ),
        (
            ["-o", "storage.total_limit_size", "off"],
            "-o storage.total_limit_size 'off': Fluent Bit takes this as no limit at all",
        ),
        (
            ["-s", "Scheduler.Cap", "sixty"],
            "-s Scheduler.Cap 'sixty': Fluent Bit reads only the number this starts with, so this is 0",
        ),
        (["-s", "Grace", "30s"], "-s Grace '30s': Fluent Bit reads only the number this starts with, so this is 30"),
        (
            ["-i", "Mem_Buf_Limit", "1e30K"],
            "-i Mem_Buf_Limit '1e30K': Fluent Bit 4.2.8 and 5.1.1 refuse this; 1.9.10 reads it as 1000 bytes",
        ),
    ],
)
@pytest.mark.parametrize("yaml", [False, True], ids=["classic", "yaml"])
def test_a_limit_fluent_bit_reads_otherwise_is_warned_about(
    run: Run, yaml: bool, override: list[str], warning: str
) -> None:
    done = run(*firelens(run, yaml), *override)
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [f"fluent-launch: warning: {warning}"]


@pytest.mark.parametrize("value", ["50M", "25MB", "1G", "100000", "2.0M"])
def test_a_plain_limit_is_not_warned_about(run: Run, value: str) -> None:
    done = run(*firelens(run, False), "-i", "Mem_Buf_Limit", value, "-s", "Scheduler.Cap", "60")
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == []


def test_a_config_limit_fluent_bit_reads_otherwise_is_warned_about(run: Run) -> None:
    args = written(run, "[INPUT]\n    Name dummy\n    Mem_Buf_Limit 0\n", False)
    done = run(*args)
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {args[3]}:3: [INPUT] dummy: Mem_Buf_Limit '0': Fluent Bit takes this as no limit"
        " at all"
    ]


@pytest.mark.parametrize(
    ("yaml", "value", "named"),
    [
        (False, "50M", " (raised from 25MB)"),
        (False, "10M", ""),
        (False, "false", " (raised from 25MB)"),
        (True, "60M", " (raised from 50MB)"),
        (True, "50M", ""),  # 50MB is 50M
    ],
)
def test_an_override_that_raises_a_limit_names_the_old_value(run: Run, yaml: bool, value: str, named: str) -> None:
    done = run(*firelens(run, yaml), "-i", "Mem_Buf_Limit", value)
    assert done.returncode == 0, done.stderr
    assert f" [INPUT] set Mem_Buf_Limit={value}{named}; exec" in done.stderr


def test_each_raised_value_is_named_once(run: Run) -> None:
    text = "".join(f"[INPUT]\n    Name dummy\n    Mem_Buf_Limit {limit}\n" for limit in ("5M", "5M", "80M", "1M"))
    done = run(*written(run, text, False), "-i", "Mem_Buf_Limit", "50M")
    assert "4 [INPUT] set Mem_Buf_Limit=50M (raised from 5M, 1M); exec" in done.stderr


# 3. A forgotten value.


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-i", "Tag", "--dry-run"], "-i Tag has no value: '--dry-run' is the launcher's own option"),
        (["-o", "Match", "-q"], "-o Match has no value: '-q' is the launcher's own option"),
        (["-s", "Flush", "--in-config=/x"], "-s Flush has no value: '--in-config=/x' is the launcher's own option"),
        (["-i", "Tag", "--", "-v"], "-i Tag has no value: '--' starts Fluent Bit's arguments; give it as -i KEY VALUE"),
        (["-i", "--diff", "x"], "-i has no key and value: '--diff' is the launcher's own option"),
    ],
)
def test_a_launcher_option_taken_as_a_value_is_refused(run: Run, args: list[str], message: str) -> None:
    done = run(*firelens(run, False), *args)
    assert_refused(done, 2, f"fluent-launch: {message}")


def test_values_that_only_look_like_options_are_taken(run: Run) -> None:
    done = run(*firelens(run, False), "-i", "Tag", "-t", "-f", "Match", "--x")
    assert done.returncode == 0, done.stderr


# 4. Launcher options mistyped, and a forgotten `--`.


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("--inline-include", "--inline-includes"),
        ("--dryrun", "--dry-run"),
        ("--dry", "--dry-run"),
        ("--show-secret", "--show-secrets"),
        ("--check-timout=5", "--check-timeout"),
    ],
)
def test_a_mistyped_launcher_option_is_named(run: Run, typo: str, meant: str) -> None:
    done = run(*firelens(run, False), typo)
    assert_refused(done, 2, f"fluent-launch: unknown option {typo!r}: did you mean {meant}? (see --help)")


@pytest.mark.parametrize("option", ["--verbose", "--flush=5", "--bogus"])
def test_fluent_bits_own_options_and_others_keep_the_double_dash_message(run: Run, option: str) -> None:
    done = run(*firelens(run, False), option)
    assert_refused(done, 2, f"fluent-launch: unknown argument {option!r}:")
    assert "go after '--'" in done.stderr and "did you mean" not in done.stderr


def test_a_forgotten_double_dash_names_where_fluent_bits_arguments_start(run: Run) -> None:
    done = run(*firelens(run, False), "-s", "Scheduler.Cap", "60", "-o", "syslog", "-m", "*", "-p", "Mode=tcp")
    assert_refused(
        done,
        2,
        "fluent-launch: '-o syslog' is Fluent Bit's; Fluent Bit's options go after '--', as in:"
        " fluent-launch [OPTION]... -- -o syslog ...",
    )


# 5. The smaller ones.


@pytest.mark.parametrize(
    ("text", "indent"),
    [
        ("[INPUT]\n    Name cpu\n  Tag x\n", "4 spaces"),
        ("[INPUT]\n\tName cpu\n  Tag x\n", "1 tab"),
        ("[INPUT]\n\t  Name cpu\n  Tag x\n", "1 tab and 2 spaces"),
        ("[INPUT]\nName cpu\n  Tag x\n", "'N'"),  # the first entry line's first byte, whatever it is
    ],
)
def test_an_indentation_error_shows_the_indent_as_a_person_reads_it(run: Run, text: str, indent: str) -> None:
    done = run(*written(run, text, False))
    assert_refused(done, 1, f"(this file's indent is {indent})")


def test_help_has_an_example_and_the_service_note(run: Run) -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "fluent-launch -s Scheduler.Cap 60 -i Mem_Buf_Limit 50M -- \\\n" in done.stdout
    assert "needs --inline-includes" in done.stdout


def test_build_says_where_the_frozen_binary_runs() -> None:
    script = (Path(__file__).parent.parent / "build" / "build.sh").read_text()
    assert "runs only once installed as $INSTALL_DIR/fluent-launch" in script
    assert "INSTALL_DIR=$built bash build/build.sh" in script


@pytest.mark.parametrize("inline", [[], ["--inline-includes"]], ids=["as-is", "inlined"])
@pytest.mark.parametrize(
    ("name", "include", "message"),
    [
        (
            "in.conf",
            "@INCLUDE missing.conf\n",
            "in.conf:1: cannot include {dir}/missing.conf: No such file or directory",
        ),
        ("in.conf", "@INCLUDE nothing-*.conf\n", "in.conf:1: no file matches @INCLUDE {dir}/nothing-*.conf"),
        ("in.yaml", "includes:\n  - missing.yaml\n", "in.yaml:2: cannot include {dir}/missing.yaml: No such file"),
        # Deeper down too: Fluent Bit reads every included file before it starts.
        ("in.conf", "@INCLUDE a.conf\n", "a.conf:1: cannot include {dir}/missing.conf: No such file or directory"),
    ],
)
def test_a_missing_include_is_refused_in_both_formats(
    run: Run, inline: list[str], name: str, include: str, message: str
) -> None:
    # Fluent Bit 4.2.8 and 5.1.1 refuse each of these (--dry-run exits 1).
    (run.tmp / "a.conf").write_text("@INCLUDE missing.conf\n")
    path = run.tmp / name
    path.write_text(include)
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out.with_suffix(path.suffix)), *inline)
    assert_refused(done, 1, message.format(dir=run.tmp))
    assert not run.record.exists()


@pytest.mark.parametrize("inline", [[], ["--inline-includes"]], ids=["as-is", "inlined"])
def test_a_yaml_include_glob_matching_nothing_is_a_warning(run: Run, inline: list[str]) -> None:
    # Fluent Bit 4.2.8 and 5.1.1 warn ("[read_glob] glob: [...] no match") and read on.
    path = run.tmp / "in.yaml"
    path.write_text("includes:\n  - nothing-*.yaml\npipeline:\n  inputs:\n    - name: dummy\n")
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out.with_suffix(".yaml")), *inline)
    assert done.returncode == 0, done.stderr
    assert warnings(done.stderr) == [
        f"fluent-launch: warning: {path}:2: no file matches the include {run.tmp}/nothing-*.yaml:"
        " Fluent Bit includes nothing there"
    ]


FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN not set: Fluent Bit is in neither Debian nor PyPI")
@pytest.mark.parametrize(
    ("name", "include"),
    [
        ("in.conf", "@INCLUDE missing.conf\n"),
        ("in.conf", "@INCLUDE nothing-*.conf\n"),
        ("in.conf", "@INCLUDE a.conf\n"),
        ("in.conf", "@INCLUDE b.conf\n"),
        ("in.yaml", "includes:\n  - missing.yaml\n"),
        ("in.yaml", "includes:\n  - nothing-*.yaml\n"),
    ],
)
def test_includes_are_refused_where_fluent_bit_refuses_them(run: Run, name: str, include: str) -> None:
    if (
        name.endswith(".yaml")
        and " v1.9." in subprocess.run([FLUENT_BIT, "--version"], capture_output=True, text=True).stdout
    ):
        pytest.skip("Fluent Bit 1.9 reads an older YAML layout")
    (run.tmp / "a.conf").write_text("@INCLUDE missing.conf\n")
    (run.tmp / "b.conf").write_text("[FILTER]\n    Name grep\n    Match *\n    Regex log x\n")
    path = run.tmp / name
    pipeline = (
        "pipeline:\n  inputs:\n    - name: dummy\n  outputs:\n    - name: stdout\n      match: '*'\n"
        if name.endswith(".yaml")
        else "[INPUT]\n    Name dummy\n[OUTPUT]\n    Name stdout\n    Match *\n"
    )
    path.write_text(include + pipeline)
    fluent_bit = subprocess.run([FLUENT_BIT, "-c", str(path), "--dry-run"], capture_output=True, timeout=60)
    done = run("-r", FAKE, "-c", str(path), "-m", str(run.out.with_suffix(path.suffix)))
    assert done.returncode == (1 if fluent_bit.returncode else 0), done.stderr
