"""Hostile inputs and real faults: every failure is one line, a documented exit code, and no output touched."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fluent_launch import cli, edits, mask
from fluent_launch.classic import edit
from fluent_launch.classic import parse as classic
from fluent_launch.errors import UsageError
from fluent_launch.yaml import syntax as yaml_syntax
from tests import native, test_depth
from tests.paths import REPO
from tests.running import FIRELENS, assert_refused, launch, launcher

PREVIOUS = b"[INPUT]\n    Name previous\n"


def not_privileged() -> tuple[str, ...]:
    """A prefix that makes root subject to file permissions (CI runs as root)."""
    if os.geteuid() != 0:
        return ()
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv (util-linux): permissions cannot be made to apply")
    return ("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search")


def temporaries(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".tmp"))


# --- what is read ---------------------------------------------------------------------------


def _fifo(tmp: Path) -> str:
    os.mkfifo(tmp / "fifo")
    return str(tmp / "fifo")


def _socket(tmp: Path) -> str:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp / "socket"))  # left open: the test process keeps it until it ends
    _SOCKETS.append(server)
    return str(tmp / "socket")


_SOCKETS: list[socket.socket] = []


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_fifo, "not a regular file (a FIFO), not read"),
        (lambda _: "/dev/zero", "/dev/zero: not a regular file (a character device)"),
        (lambda _: "/dev/urandom", "not a regular file (a character device)"),
        (_socket, "cannot read: No such device or address"),
    ],
)
def test_inputs_that_never_end_or_block_are_refused_at_once(
    tmp_path: Path, make: Callable[[Path], str], words: str
) -> None:
    out = tmp_path / "out.conf"
    done = launch("-c", make(tmp_path), "-m", str(out), "-i", "Mem_Buf_Limit", "5M", timeout=30)
    assert_refused(done, 1, words)
    assert not out.exists()


def test_unreadable_input_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "locked.conf"
    config.write_bytes(FIRELENS.read_bytes())
    config.chmod(0)
    out = tmp_path / "out.conf"
    assert_refused(
        launch("-c", str(config), "-m", str(out), prefix=not_privileged()), 1, "cannot read: Permission denied"
    )
    assert not out.exists()


def test_empty_config_is_accepted_as_fluent_bit_accepts_it(tmp_path: Path) -> None:
    config = tmp_path / "empty.conf"
    config.write_bytes(b"")
    out = tmp_path / "out.conf"
    done = launch("-c", str(config), "-m", str(out), "-i", "Mem_Buf_Limit", "5M", "-s", "Flush", "1")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == b"[SERVICE]\n    Flush 1\n"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", ":1: undefined value"),
        (b"\xef\xbb\xbf[SERVICE]\n    Flush 1\n", ":1: undefined value: an entry needs 'key value' (the file starts with a UTF-8 byte order mark)"),  # noqa: E501
        (b"[INPUT]\n    Name " + b"x" * (32 * 1024 * 1024) + b"\n", ":2: line longer than Fluent Bit's 32 MiB limit"),
    ],
    ids=["binary", "bom", "line-over-32MiB"],
)  # fmt: skip
def test_refused_content_names_file_and_line_and_writes_nothing(tmp_path: Path, content: bytes, words: str) -> None:
    config = tmp_path / "bad.conf"
    config.write_bytes(content)
    out = tmp_path / "out.conf"
    out.write_bytes(PREVIOUS)
    assert_refused(launch("-c", str(config), "-m", str(out), "-i", "Mem_Buf_Limit", "5M"), 1, f"{config}{words}")
    assert out.read_bytes() == PREVIOUS and temporaries(tmp_path) == []


def test_input_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    config = tmp_path / "huge.conf"
    with config.open("wb") as stream:
        stream.truncate(65 * 1024 * 1024)  # sparse: nothing is written, the size is what counts
    assert_refused(launch("-c", str(config), "-m", str(tmp_path / "out.conf")), 1, "larger than 64 MiB, not read")


def test_random_bytes_are_accepted_or_refused_in_one_line(tmp_path: Path) -> None:
    generator = random.Random(6)
    for attempt in range(8):
        config = tmp_path / f"random-{attempt}.conf"
        config.write_bytes(generator.randbytes(256 * 1024))
        out = tmp_path / f"out-{attempt}.conf"
        done = launch("-c", str(config), "-m", str(out), "-i", "Mem_Buf_Limit", "5M")
        assert done.returncode in (0, 1) and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert out.exists() == (done.returncode == 0)


def _include_chain(directory: Path, files: int) -> Path:
    for index in range(files):
        include = f"@INCLUDE f{index + 1}.conf\n" if index + 1 < files else ""
        (directory / f"f{index}.conf").write_text(f"[INPUT]\n    Name dummy\n    Tag t{index}\n{include}")
    return directory / "f0.conf"


def test_include_chain_as_deep_as_fluent_bit_allows_is_inlined(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    done = launch("-c", str(_include_chain(tmp_path, 1000)), "-m", str(out), "--inline-includes", "-i", "rate", "v")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().count(b"    rate v\n") == 1000 and b"@INCLUDE" not in out.read_bytes()


def test_include_chain_one_file_too_deep_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    done = launch("-c", str(_include_chain(tmp_path, 1001)), "-m", str(out), "--inline-includes")
    assert_refused(done, 1, "f999.conf:4: more than 1000 config files")
    assert not out.exists()


def test_include_cycle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.conf").write_text("[INPUT]\n    Name dummy\n@INCLUDE b.conf\n")
    (tmp_path / "b.conf").write_text("[OUTPUT]\n    Name null\n@INCLUDE a.conf\n")
    done = launch("-c", str(tmp_path / "a.conf"), "-m", str(tmp_path / "out.conf"), "--inline-includes")
    assert_refused(done, 1, "b.conf:3: ")
    assert "a.conf is included twice (or includes itself)" in done.stderr


@pytest.mark.parametrize("kind", ["flow-sequence", "block-sequence"])
def test_yaml_nested_to_the_limit_is_edited_and_one_past_is_refused(tmp_path: Path, kind: str) -> None:
    # The reader's recursion, in whatever way the launcher runs (python -m, frozen, Python 3.9).
    out = tmp_path / "out.yaml"
    for depth, code in ((yaml_syntax.MAX_DEPTH, 0), (yaml_syntax.MAX_DEPTH + 1, 1)):
        config = tmp_path / f"deep-{depth}.yaml"
        config.write_bytes(test_depth.deep(kind, depth))
        done = launch("-c", str(config), "-m", str(out), "-i", "Mem_Buf_Limit", "5M")
        if code:
            assert_refused(done, 1, f"{config}:{test_depth.LINE + (kind == 'block-sequence')}: collections nested")
        else:
            assert done.returncode == 0, done.stderr
            assert out.read_bytes() == config.read_bytes() + b'      Mem_Buf_Limit: "5M"\n'


def test_an_error_the_launcher_did_not_expect_is_one_line_naming_the_file(tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    config = tmp_path / "in.yaml"
    config.write_bytes(b"service:\n  flush: 1\n")
    code = (
        "import sys\nfrom fluent_launch import cli\nfrom fluent_launch.yaml import parse as yaml_parse\n"
        "def broken(data, path): raise KeyError('lost')\n"
        "yaml_parse._parse = broken\n"
        f"sys.exit(cli.main(['-r', '/bin/true', '-c', {str(config)!r}, '-m', {str(out)!r}, '-s', 'Flush', '2']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True
    )
    assert_refused(done, 1, f"internal error with {config}: KeyError: 'lost' (a bug in fluent-launch")
    assert not out.exists() and temporaries(tmp_path) == []


# --- what is asked for -----------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [("k\0", "v"), ("k", "v\0w"), ("k", "\t "), (" k", "v")])
def test_overrides_that_cannot_be_one_config_line_are_refused(key: str, value: str) -> None:
    # NUL cannot come through argv (exec ends strings there); parse_args is where it would land.
    with pytest.raises(UsageError):
        cli.parse_args(["-i", key, value])


def test_a_one_megabyte_value_is_refused_for_fluent_bit_19s_line_limit(tmp_path: Path) -> None:
    # One argv string may be at most 128 KiB (MAX_ARG_STRLEN), so main() gets this one directly.
    out = tmp_path / "out.conf"
    code = (
        "import sys\nfrom fluent_launch.cli import main\n"
        f"sys.exit(main(['-r', '/bin/true', '-c', {str(FIRELENS)!r}, '-m', {str(out)!r}, '-o', 'Big', 'x' * 2**20]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True
    )
    assert_refused(done, 1, f"a line of {2**20 + len('    Big ')} bytes; Fluent Bit 1.9")
    assert not out.exists()


def test_largest_argv_value_goes_through_the_command_line_to_the_line_limit(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    value = "y" * (128 * 1024 - 1)
    done = launch("-c", str(FIRELENS), "-m", str(out), "-f", "Big", value)
    assert_refused(done, 1, f"a line of {len(value) + len('    Big ')} bytes")
    assert not out.exists()


# --- where it is written ---------------------------------------------------------------------


def test_dangling_symlink_at_the_target_is_replaced_and_its_target_not_created(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    out.symlink_to(tmp_path / "elsewhere" / "missing.conf")
    assert launch("-c", str(FIRELENS), "-m", str(out)).returncode == 0
    assert not out.is_symlink() and out.read_bytes() == FIRELENS.read_bytes()
    assert not (tmp_path / "elsewhere").exists()


def test_symlinked_temporary_name_is_not_written_through(tmp_path: Path) -> None:
    # A planted link at every name the launcher could pick is impossible; one at a stale-looking
    # name must be neither followed by the cleanup nor written through.
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0::/root:/bin/sh\n")
    (tmp_path / ".out.conf.1.deadbeef.tmp").symlink_to(victim)
    assert launch("-c", str(FIRELENS), "-m", str(tmp_path / "out.conf")).returncode == 0
    assert victim.read_text() == "root:x:0:0::/root:/bin/sh\n"


def test_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    done = launch("-c", str(FIRELENS), "-m", str(tmp_path / "file" / "out.conf"))
    assert_refused(done, 1, f"cannot create its directory: {tmp_path / 'file'} is not a directory")


def test_directory_without_write_permission_is_refused_and_the_old_file_kept(tmp_path: Path) -> None:
    directory = tmp_path / "locked"
    directory.mkdir()
    (directory / "out.conf").write_bytes(PREVIOUS)
    directory.chmod(0o555)
    done = launch("-c", str(FIRELENS), "-m", str(directory / "out.conf"), prefix=not_privileged())
    assert_refused(done, 1, f"cannot write in {directory}: Permission denied")
    assert (directory / "out.conf").read_bytes() == PREVIOUS and temporaries(directory) == []


def in_small_filesystem(script: str, tmp: Path, size: str = "256k") -> subprocess.CompletedProcess[str]:
    """`script` (sh) in a new mount namespace where $DIR is a fresh tmpfs of `size`."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a small tmpfs in a private mount namespace")
    directory = tmp / "mnt"
    directory.mkdir()
    mount = f'mount -t tmpfs -o size={size} tmpfs "$DIR" && '
    env = {**os.environ, "PYTHONPATH": str(REPO), "DIR": str(directory), "LAUNCH": " ".join(launcher())}
    return subprocess.run(["unshare", "-m", "sh", "-c", mount + script], env=env, capture_output=True, text=True)


def test_full_filesystem_leaves_the_previous_output_intact(tmp_path: Path) -> None:
    big = tmp_path / "big.conf"
    big.write_bytes(b"[INPUT]\n    Name dummy\n" + b"    Tag " + b"t" * 400_000 + b"\n")
    done = in_small_filesystem(
        f"""printf 'old\\n' > "$DIR/out.conf"
        $LAUNCH -r /bin/true -c {big} -m "$DIR/out.conf" -i Mem_Buf_Limit 5M; echo "exit $?"
        cat "$DIR/out.conf"; ls -A "$DIR" """,
        tmp_path,
    )
    assert done.stdout.splitlines() == ["exit 1", "old", "out.conf"], done.stderr
    assert done.stderr.strip() == f"fluent-launch: {tmp_path}/mnt/out.conf: cannot write: No space left on device"


def test_read_only_filesystem_is_refused_and_the_previous_output_kept(tmp_path: Path) -> None:
    done = in_small_filesystem(
        f"""printf 'old\\n' > "$DIR/out.conf" && mount -o remount,ro "$DIR"
        $LAUNCH -r /bin/true -c {FIRELENS} -m "$DIR/out.conf" -i Mem_Buf_Limit 5M; echo "exit $?"
        cat "$DIR/out.conf" """,
        tmp_path,
    )
    assert done.stdout.splitlines() == ["exit 1", "old"], done.stderr
    assert (
        done.stderr.strip()
        == f"fluent-launch: {tmp_path}/mnt/out.conf: cannot write in {tmp_path}/mnt: Read-only file system"
    )


@pytest.fixture(scope="session")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/faults/faults.c built as an LD_PRELOAD library for the launcher's architecture."""
    library = tmp_path_factory.mktemp("faults") / "faults.so"
    return native.build("faults/faults.c", library, "-shared", "-fPIC", "-O1", "-ldl", loaded_by=launcher()[0])


@pytest.mark.parametrize("call", ["write", "close"])
def test_io_error_while_writing_leaves_the_previous_output_intact(tmp_path: Path, faults: Path, call: str) -> None:
    out = tmp_path / "out.conf"
    out.write_bytes(PREVIOUS)
    done = launch("-c", str(FIRELENS), "-m", str(out), env={"LD_PRELOAD": str(faults), "FAULT_EIO": call})
    assert_refused(done, 1, f"{out}: cannot write: Input/output error")
    assert out.read_bytes() == PREVIOUS and temporaries(tmp_path) == []


# --- crashes and races -----------------------------------------------------------------------


def _expected(config: Path, value: str) -> bytes:
    overrides = {"input": {b"tag": edits.Override(b"Tag", value.encode())}}
    return edit.apply(classic.parse(config.read_bytes(), str(config)), overrides).data


def _big_config(tmp: Path) -> Path:
    config = tmp / "big.conf"
    config.write_bytes(b"".join(b"[INPUT]\n    Name dummy\n    Tag t%d\n\n" % index for index in range(20_000)))
    return config


def test_sigkill_at_every_step_of_the_write_leaves_old_or_new(tmp_path: Path, faults: Path) -> None:
    config = _big_config(tmp_path)
    out = tmp_path / "out" / "fluent-bit.conf"
    assert launch("-c", str(config), "-m", str(out), "-i", "Tag", "first").returncode == 0
    current = out.read_bytes()
    size = len(_expected(config, "v0"))
    chunk = 64 * 1024
    steps = -(-size // chunk) + 2  # each short write, then the close, then the rename
    for step in range(1, steps + 1):
        value = f"v{step}"
        env = {"LD_PRELOAD": str(faults), "FAULT_SHORT_WRITES": str(chunk), "FAULT_KILL_AT": str(step)}
        done = launch("-c", str(config), "-m", str(out), "-i", "Tag", value, env=env)
        assert done.returncode == -signal.SIGKILL, f"step {step} was not reached: {done.stderr}"
        after = out.read_bytes()
        assert after in (current, _expected(config, value)), f"torn output after a kill at step {step}"
        current = after
        # Its own leftover only: each run removed the one the run before it left.
        assert len(temporaries(out.parent)) == 1
    assert launch("-c", str(config), "-m", str(out), "-i", "Tag", "final").returncode == 0
    assert temporaries(out.parent) == [] and out.read_bytes() == _expected(config, "final")


def test_a_temporary_file_a_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out" / "fluent-bit.conf"
    out.parent.mkdir()
    held = out.parent / ".fluent-bit.conf.4242.0badcafe.tmp"
    held.write_bytes(b"[INPUT]\n    Name dum")  # a writer still writing
    fd = os.open(held, os.O_RDWR)
    try:
        # The lock a launcher holds while it writes (another process's, to the one started).
        os.lockf(fd, os.F_LOCK, 0)
        assert launch("-c", str(FIRELENS), "-m", str(out)).returncode == 0
        assert held.read_bytes() == b"[INPUT]\n    Name dum"
    finally:
        os.close(fd)
    # Released without a rename: its writer died, and the next launch removes it.
    assert launch("-c", str(FIRELENS), "-m", str(out)).returncode == 0
    assert not held.exists() and temporaries(out.parent) == []


def test_sigkill_at_random_moments_leaves_old_or_new(tmp_path: Path) -> None:
    config = _big_config(tmp_path)
    out = tmp_path / "out.conf"
    assert launch("-c", str(config), "-m", str(out), "-i", "Tag", "first").returncode == 0
    current = out.read_bytes()
    generator = random.Random(9)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for attempt in range(25):
        value = f"r{attempt}"
        command = [*launcher(), "-r", "/bin/true", "-c", str(config), "-m", str(out), "-i", "Tag", value]
        process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=generator.uniform(0.02, 0.4))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
        after = out.read_bytes()
        assert after in (current, _expected(config, value))
        current = after
    assert launch("-c", str(config), "-m", str(out), "-i", "Tag", "final").returncode == 0
    assert temporaries(tmp_path) == []


def test_launchers_writing_the_same_output_at_once_both_succeed(tmp_path: Path) -> None:
    config = _big_config(tmp_path)
    out = tmp_path / "out.conf"
    for attempt in range(6):
        values = [f"a{attempt}", f"b{attempt}"]
        base = [*launcher(), "-r", "/bin/true", "-c", str(config), "-m", str(out), "-i", "Tag"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        running = [subprocess.Popen([*base, value], env=env, stderr=subprocess.PIPE) for value in values]
        results = [process.communicate(timeout=60) for process in running]
        assert [process.returncode for process in running] == [0, 0], results
        assert out.read_bytes() in [_expected(config, value) for value in values]
        assert temporaries(tmp_path) == []


# --- secrets ---------------------------------------------------------------------------------


def test_environment_references_are_never_expanded(tmp_path: Path) -> None:
    config = tmp_path / "in.conf"
    config.write_text("[OUTPUT]\n    Name http\n    HTTP_Passwd ${HTTP_PASSWORD}\n")
    out = tmp_path / "out.conf"
    env = {"HTTP_PASSWORD": "s3cr3t-from-env"}
    done = launch("-c", str(config), "-m", str(out), "-o", "Header", "X-Token ${TOKEN}", env=env)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == "[OUTPUT]\n    Name http\n    HTTP_Passwd ${HTTP_PASSWORD}\n    Header X-Token ${TOKEN}\n"
    assert "s3cr3t-from-env" not in done.stderr


def test_secret_looking_values_are_masked_in_what_is_printed(tmp_path: Path) -> None:
    out = tmp_path / "out.conf"
    args = ["-c", str(FIRELENS), "-m", str(out), "-o", "TLS.Key_Passwd", "hunter2", "-i", "Mem_Buf_Limit", "50M"]
    tail = ["--", "-o", "http", "-p", "tls.key_passwd=pem-pass", "--prop=Token=tok", "-p", "Syslog_Message_Key=log"]
    done = launch(*args, *tail)
    assert done.returncode == 0, done.stderr
    assert "TLS.Key_Passwd=***" in done.stderr and "Mem_Buf_Limit=50M" in done.stderr
    assert "'tls.key_passwd=***' '--prop=Token=***'" in done.stderr and "Syslog_Message_Key=log" in done.stderr
    for secret in ("hunter2", "pem-pass", "tok"):
        assert secret not in done.stderr
    assert out.read_text().count("    TLS.Key_Passwd hunter2\n") == 2  # masked in the log only, not in the config
    shown = launch("--show-secrets", *args, *tail)
    assert "TLS.Key_Passwd=hunter2" in shown.stderr and "tls.key_passwd=pem-pass" in shown.stderr


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("HTTP_Passwd", True), ("aws_secret_access_key", True), ("Shared_Key", True), ("api_key", True),
        ("ApiKey", True), ("Token", True), ("credentials_file", True), ("Password", True),
        ("Syslog_Message_Key", False), ("Log_Key", False), ("Time_Key", False), ("Mem_Buf_Limit", False),
        ("Host", False), ("Match", False),
    ],
)  # fmt: skip
def test_which_keys_look_secret(key: str, secret: bool) -> None:
    assert mask.looks_secret(key) is secret
