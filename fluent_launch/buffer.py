"""`--buffer-dir DIR` and `--disk-budget SIZE`: Fluent Bit buffers on disk, bounded.

What Fluent Bit needs for it, in keys that 1.9.10, 4.2.8 and 5.1.1 all know (the launcher
cannot tell which one it starts; docs/disk-buffer.md says what each key does in each):
`storage.path` in the service, `storage.type filesystem` on every input, a memory ceiling
(`storage.max_chunks_up`, `storage.backlog.mem_limit`) and the disk budget split over the
outputs as `storage.total_limit_size`. They are defaults: an explicit `-s/-i/-o` (or a
`-p` for a plugin on Fluent Bit's command line) for any of them wins. Imported only when
the option is given.
"""

from __future__ import annotations

import os

from fluent_launch import diagnose, edits, values
from fluent_launch.errors import LaunchError, UsageError
from fluent_launch.records import Record
from fluent_launch.sections import INPUT, OUTPUT, SERVICE

# Fargate gives a task 20 GiB of ephemeral storage, shared by every container's writable
# layer and volumes; 1 GB of it leaves the app 19, and its half for the guide's syslog
# output holds over an hour of 100 1-KB lines a second (docs/disk-buffer.md).
DEFAULT_DISK_BUDGET = b"1G"
# The memory ceiling: at most this many chunks (up to 2,048,000 bytes each) mapped at once,
# Fluent Bit's default being 128; and at most this much of the chunks a previous run left is
# loaded at start (default 100M). Measured in bench/outage.py (bench/results/disk-buffer.md).
# --memory-budget (issue #20) sets storage.max_chunks_up from its budget: with it, that
# one is left to it.
CHUNKS_UP = (b"storage.max_chunks_up", b"8")
BACKLOG = (b"storage.backlog.mem_limit", b"8M")
# Fluent Bit's command-line options that make a plugin, to whose last one `-p` applies.
_PLUGIN_OPTIONS = frozenset("ioF")
_PLUGIN_OPTION_ARGS = frozenset(("-i", "-o", "-F", "--input", "--output", "--filter"))


class Buffer(Record):
    directory: str
    budget: int  # bytes of disk for the whole buffer
    budget_text: str  # as given, or the default


def parse(directory: str, budget: str | None, given: edits.Overrides) -> Buffer:
    """The options as given, or why Fluent Bit or the launcher cannot take them (exit 2)."""
    if not directory:
        raise UsageError("--buffer-dir needs a non-empty path")
    if any(char in directory for char in "\r\n\0"):
        raise UsageError("--buffer-dir: a path cannot contain CR, LF or NUL")
    if b"storage.path" in given.get(SERVICE, {}):
        raise UsageError("-s storage.path and --buffer-dir both set Fluent Bit's storage path: give one")
    text = os.fsencode(budget) if budget is not None else DEFAULT_DISK_BUDGET
    size = values.size(text)
    if not size:
        raise UsageError(
            f"--disk-budget {os.fsdecode(text)!r}: give a size above 0, a number with an optional K, M or G suffix"
            " (1G, 500M)"
        )
    return Buffer(directory, size, os.fsdecode(text))


def check_writable(directory: str) -> None:
    """Create `directory` and a file in it, as Fluent Bit will: else it would start and then
    fail (or buffer nothing) there, where the task's logs say less."""
    probe = os.path.join(directory, f".fluent-launch-probe-{os.getpid()}")
    try:
        os.makedirs(directory, exist_ok=True)
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(descriptor, b"probe")
        finally:
            os.close(descriptor)
            os.unlink(probe)
    except OSError as error:
        raise LaunchError(f"--buffer-dir {directory}: cannot create and write a file there: {error.strerror}") from None


def overrides(given: edits.Overrides, buffer: Buffer, outputs: int, chunks_up: bool = True) -> edits.Overrides:
    """`given` with the buffer's keys added where no explicit one is, the disk budget split
    over `outputs` outputs; without `chunks_up`, no storage.max_chunks_up (--memory-budget
    sets it, and would take one set here for the user's own)."""
    share = str(buffer.budget // max(outputs, 1)).encode()
    service = [(b"storage.path", os.fsencode(buffer.directory)), *([CHUNKS_UP] if chunks_up else []), BACKLOG]
    defaults = {
        SERVICE: service,
        INPUT: [(b"storage.type", b"filesystem")],
        OUTPUT: [(b"storage.total_limit_size", share)],
    }
    merged = {kind: dict(keys) for kind, keys in given.items()}
    for kind, pairs in defaults.items():
        keys = merged.setdefault(kind, {})
        for key, value in pairs:
            keys.setdefault(key, edits.Override(key, value))
    return merged


def command_line_outputs(args: list[str]) -> int:
    """How many outputs Fluent Bit's own arguments add (`-o NAME`)."""
    return sum(option.name == "o" for option in diagnose.options(args))


def fluent_bit_args(args: list[str], buffer: Buffer, outputs: int) -> list[str]:
    """Fluent Bit's arguments with `-p storage.type=filesystem` for each input and `-p
    storage.total_limit_size=SHARE` for each output they make, unless given for it; a
    storage path of their own (`-b`) is refused: it would contradict --buffer-dir."""
    found = diagnose.options(args)
    added = {"i": "storage.type=filesystem", "o": f"storage.total_limit_size={buffer.budget // max(outputs, 1)}"}
    inserts = []
    for index, option in enumerate(found):
        if option.name == "b":
            raise UsageError(
                f"{args[option.at]!r} after '--' sets Fluent Bit's storage path, and --buffer-dir sets it too: give one"
            )
        if option.name not in added:
            continue
        group = found[index + 1 :]
        end = next((at for at, other in enumerate(group) if other.name in _PLUGIN_OPTIONS), len(group))
        key = added[option.name].partition("=")[0]
        if any(other.name == "p" and _key(other.value) == key for other in group[:end]):
            continue
        # Right after `-o NAME`: the plugin's own -p options come later and win anyway.
        inserts.append((option.at + (2 if args[option.at] in _PLUGIN_OPTION_ARGS else 1), added[option.name]))
    result = list(args)
    for at, prop in reversed(inserts):
        result[at:at] = ["-p", prop]
    return result


def _key(prop: str | None) -> str:
    return (prop or "").partition("=")[0].strip().lower()


def summary(buffer: Buffer) -> str:
    """The summary line's part for the buffer (each output's share is in its [OUTPUT] part)."""
    return f"disk buffer in {buffer.directory} within {buffer.budget_text}"
