"""The command line: read -> parse -> edit -> write -> exec, and the one place errors end.

The options are the contract of the launcher this project reimplements (see README.md);
they are parsed by hand because two-value options (`-i KEY VALUE`) whose values may start
with '-' and a verbatim tail after `--` are exactly what argparse makes awkward.
"""

from __future__ import annotations

import gc
import os
import sys

from fluent_launch import __version__, diagnose, edits, formats, mask, read, values
from fluent_launch.errors import EXIT_CONFIG, LaunchError, UsageError
from fluent_launch.launch import exec_fluent_bit
from fluent_launch.records import TYPE_CHECKING, Record
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE
from fluent_launch.write import write_atomically

if TYPE_CHECKING:
    from collections.abc import Iterable

    from fluent_launch.buffer import Buffer
    from fluent_launch.sections import Buffer as InputBuffer

DEFAULT_RUN_PATH = "/fluent-bit/bin/fluent-bit"
DEFAULT_IN_CONFIG = "/fluent-bit/etc/fluent-bit.conf"
DEFAULT_OUT_CONFIG = "/var/alertlogic/lib/fluent-bit/fluent-bit.conf"
DEFAULT_OUT_YAML = "/var/alertlogic/lib/fluent-bit/fluent-bit.yaml"  # for a YAML input
DEFAULT_CHECK_TIMEOUT = 10.0

USAGE = f"""\
usage: fluent-launch [OPTION]... [-- FLUENT_BIT_ARG...]

Add or override key/value pairs in every [INPUT], [FILTER], [OUTPUT] and [SERVICE]
section of a Fluent Bit config (classic, or YAML when its name ends in .yaml/.yml:
service and pipeline plugins), write the result, then exec Fluent Bit as
RUN_PATH -c OUT_CONFIG FLUENT_BIT_ARG...

  -r, --run-path PATH       Fluent Bit executable (default {DEFAULT_RUN_PATH})
  -c, --in-config PATH      config to read (default {DEFAULT_IN_CONFIG})
  -m, --out-config PATH     config to write (default {DEFAULT_OUT_CONFIG},
                            or fluent-bit.yaml there for a YAML config)
  -i, --input KEY VALUE     set KEY to VALUE in every [INPUT] section
  -f, --filter KEY VALUE    set KEY to VALUE in every [FILTER] section
  -o, --output KEY VALUE    set KEY to VALUE in every [OUTPUT] section
  -s, --service KEY VALUE   set KEY to VALUE in [SERVICE], creating it if missing; a
                            YAML config whose only service: is in an included file
                            (FireLens YAML: the user's custom.yaml) needs --inline-includes
      --inline-includes     replace each @INCLUDE by the file's content, so that
                            the overrides reach included sections too
      --show-secrets        print values of secret-looking keys (passwd, password,
                            secret, token, api_key, credentials) instead of ***
      --dry-run             write nothing and exec nothing: print the edited config
                            on stdout and the command that would run on stderr
      --diff                print the change to the config as a unified diff on stderr
      --check               after writing, run RUN_PATH -c OUT_CONFIG --dry-run
                            FLUENT_BIT_ARG...; if Fluent Bit refuses, print its errors
                            and exit 1 instead of starting it
      --check-timeout SECONDS
                            give up --check after SECONDS (default 10), exit 1
      --buffer-dir DIR      buffer on disk under DIR (created; checked writable):
                            storage.path, storage.type filesystem on every input,
                            a memory ceiling and the disk budget (docs/disk-buffer.md);
                            an explicit -s/-i/-o for any of those keys wins
      --disk-budget SIZE    disk the buffer may use, split over the outputs as
                            storage.total_limit_size (default 1G; with --buffer-dir)
      --memory-budget SIZE  set every input's Mem_Buf_Limit (and emitter's limit,
                            storage.max_chunks_up) so that Fluent Bit's memory stays
                            within SIZE through an output outage (50M, 1G);
                            auto: the container's memory limit
  -q, --quiet               no summary line
  --                        pass every following argument to Fluent Bit
  -h, --help                show this help and exit
      --version             show the version and exit

Example, the deployment guide's command line (Fluent Bit's arguments after '--'):
  fluent-launch -s Scheduler.Cap 60 -i Mem_Buf_Limit 50M -- \\
    -F record_modifier -m '*' -p 'Record=pid 1' -o syslog -m '*' -p Mode=tcp ...

Warnings (one line each, "fluent-launch: warning: ...") never change the exit status.
Exit status: Fluent Bit's own once it runs; 0 --dry-run done; 1 bad config, I/O error,
--check failed, --buffer-dir not writable or no limit found for --memory-budget auto;
2 bad launcher arguments (a value Fluent Bit would refuse, a budget too small for
Fluent Bit included); 126 Fluent Bit not executable; 127 Fluent Bit not found.
"""

_PATH_OPTIONS = {
    "-r": "run_path",
    "--run-path": "run_path",
    "-c": "in_config",
    "--in-config": "in_config",
    "-m": "out_config",
    "--out-config": "out_config",
}
_FLAGS = {
    "--inline-includes": "inline_includes",
    "--show-secrets": "show_secrets",
    "--dry-run": "dry_run",
    "--diff": "diff",
    "--check": "check",
    "-q": "quiet",
    "--quiet": "quiet",
}
# Options with one value, and what they need.
_VALUE_NEEDED = {
    "--check-timeout": "a number of seconds",
    "--buffer-dir": "a path",
    "--disk-budget": "a size",
    "--memory-budget": "a size or auto",
}
# Where a container's memory limit is, for the warnings: cgroup v2's file, else v1's.
CGROUP_LIMIT_FILES = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
MIB = 1 << 20
_PAIR_OPTIONS = {
    "-i": INPUT,
    "--input": INPUT,
    "-f": FILTER,
    "--filter": FILTER,
    "-o": OUTPUT,
    "--output": OUTPUT,
    "-s": SERVICE,
    "--service": SERVICE,
}
_OTHERS = ("-h", "--help", "--version", "--check-timeout")
# Every argument that is one of the launcher's own options.
_OPTIONS = frozenset((*_PATH_OPTIONS, *_FLAGS, *_PAIR_OPTIONS, *_OTHERS, "--"))
_LONG_OPTIONS = sorted(option for option in _OPTIONS if option.startswith("--") and option != "--")
# Fluent Bit's own `-i NAME` and `-o NAME`, which the launcher's -i/-o options also are.
_FLUENT_BIT_PLUGIN_OPTIONS = {"-i": INPUT, "--input": INPUT, "-o": OUTPUT, "--output": OUTPUT}
# Bytes that would end the line or, leading a key, turn the line into another statement.
_KEY_FORBIDDEN = frozenset(b" \t\r\n\v\f\0")
_KEY_FORBIDDEN_FIRST = frozenset(b"[#@")
_VALUE_FORBIDDEN = frozenset(b"\r\n\0")
_SHELL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_")


class Options(Record):
    run_path: str
    in_config: str
    out_config: str
    overrides: edits.Overrides
    fluent_bit_args: list[str]
    inline_includes: bool
    show_secrets: bool
    dry_run: bool
    diff: bool
    check: bool
    quiet: bool
    check_timeout: float
    buffer: Buffer | None  # --buffer-dir and --disk-budget
    memory_budget: str | None  # as given: a size, or "auto"


def main(argv: list[str] | None = None) -> int:
    # Nothing the launcher builds needs the cycle collector: a YAML document is a tree with
    # an object per key and value, whose collection while it is built would cost more than
    # the work (quadratic on 100k plugins), and a collection once it is built, half a
    # millisecond of a small config's start. The process ends in an exec.
    gc.disable()
    try:
        return _launch(argv)
    finally:
        gc.enable()


def _launch(argv: list[str] | None) -> int:
    try:
        options = parse_args(sys.argv[1:] if argv is None else argv)
        if isinstance(options, str):
            sys.stdout.write(options)
            return 0
        original = read.read_config(options.in_config)
        document, result = _edit(options, original.data)
        budget = _budget(options, result) if options.memory_budget is not None else None
        _warn(document, options, budget)
        if budget is not None:
            result = edits.Result(budget.data, result.kinds, result.replaced)
        command = [options.run_path, "-c", options.out_config, *options.fluent_bit_args]
        shown = _quote(command if options.show_secrets else mask.masked(command))
        if options.diff:
            _show_diff(original.data, result.data, options)
        if options.dry_run:
            sys.stdout.buffer.write(result.data)
            sys.stdout.buffer.flush()
            done = "would exec" if options.quiet else f"{summary(options, result, 'would write', budget)}; exec"
            print(f"fluent-launch: {done} {shown}", file=sys.stderr)
            return 0
        if options.buffer is not None:
            from fluent_launch import buffer

            buffer.check_writable(options.buffer.directory)
        write_atomically(options.out_config, result.data, original.mode)
        if options.check:
            from fluent_launch import check  # only here: subprocess is no start-up cost of a launch

            for error in check.dry_run(command, options.check_timeout):
                print(f"fluent-launch: warning: fluent-bit: {error}", file=sys.stderr)
        if not options.quiet:
            print(f"fluent-launch: {summary(options, result, 'wrote', budget)}; exec {shown}", file=sys.stderr)
        exec_fluent_bit(command)
    except LaunchError as error:
        print(f"fluent-launch: {error}", file=sys.stderr)
        return error.exit_code
    except Exception as error:  # a bug: still one line, a documented code, and nothing written
        where = f"with {read.last_path}" if read.last_path else "on the command line"
        print(
            f"fluent-launch: internal error {where}: {type(error).__name__}: {error}"
            " (a bug in fluent-launch: please report it with that file)",
            file=sys.stderr,
        )
        return EXIT_CONFIG


def _edit(options: Options, data: bytes) -> tuple[formats.Config, edits.Result]:
    """The config edited with the overrides, and with --buffer-dir, the buffer's settings:
    those go into the options' overrides and Fluent Bit's arguments, for the summary and the
    command, and the disk budget is split over the outputs the edit counted."""
    if options.buffer is None:
        return formats.edit_config(options.in_config, data, options.overrides, options.inline_includes)
    from fluent_launch import buffer  # only here: nothing of it is needed without the option

    explicit = dict(options.overrides)
    on_command_line = buffer.command_line_outputs(options.fluent_bit_args)
    outputs = on_command_line + 1  # a guess, right for the guide's task; else edited again
    while True:
        options.overrides.clear()
        options.overrides.update(buffer.overrides(explicit, options.buffer, outputs, options.memory_budget is None))
        config, result = formats.edit_config(options.in_config, data, options.overrides, options.inline_includes)
        counted = result.kinds[OUTPUT].sections + on_command_line
        if counted in (outputs, 0):
            break
        outputs = counted
    options.fluent_bit_args[:] = buffer.fluent_bit_args(options.fluent_bit_args, options.buffer, outputs)
    return config, result


def _budget(options: Options, result: edits.Result) -> formats.Budgeted:
    """The edited config within --memory-budget; `auto` is the container's limit."""
    given = options.memory_budget or ""
    if given == "auto":
        from fluent_launch import container_memory  # only here: nothing of it is read without the option

        found = container_memory.discover()
        if found is None:
            raise LaunchError(
                "--memory-budget auto: no memory limit found (no cgroup memory.max or memory.limit_in_bytes limit,"
                f" no ${container_memory.METADATA_VARIABLE}): give --memory-budget SIZE"
            )
        size, given = found.size, f"auto ({found.size / MIB:.0f} MiB, {found.source})"
    else:
        size = values.size(os.fsencode(given)) or 0
    return formats.with_budget(options.in_config, result.data, options.overrides, size, given)


def _warn(config: formats.Config, options: Options, budget: formats.Budgeted | None) -> None:
    """Print the warnings about the config, the overrides and Fluent Bit's arguments; refuse
    an override key a plugin would not start with."""
    yaml = formats.is_yaml(options.in_config)
    found = list(diagnose.check_overrides(options.overrides, lambda: formats.plugins(config), yaml))
    found += formats.include_warnings(config)
    fluent_bit = diagnose.options(options.fluent_bit_args)
    found += diagnose.warnings(formats.settings(config), options.overrides, fluent_bit)
    words = formats.key_words(config)
    found += diagnose.config_warnings(words, lambda: formats.all_settings(config), options.overrides)
    # The guide's command line bounds every input it reaches: then, and if it reaches every
    # file, no input needs a look unless the container's limit is to be checked.
    bounded = budget is not None or diagnose.bounds_every_input(options.overrides)
    buffers = None if bounded and formats.reaches_every_file(config) else formats.buffers(config)
    unbounded = list(diagnose.unbounded(buffers, options.overrides, budget is not None)) if buffers else []
    found += unbounded
    found += budget.warnings if budget is not None else ()
    if not unbounded:
        found += _over_container(config, buffers, options, budget)
    for warning in found:
        print(f"fluent-launch: warning: {warning}", file=sys.stderr)


def _over_container(
    config: formats.Config, found: list[InputBuffer] | None, options: Options, budget: formats.Budgeted | None
) -> list[str]:
    """A warning when the limits allow Fluent Bit more memory than the container has (read
    from one cgroup file, where it is cheap: v2's, else v1's)."""
    for path in CGROUP_LIMIT_FILES:
        container = diagnose.read_limit(path)
        if container is not None:
            break
    else:
        return []
    from fluent_launch import budget as rule  # only here: a container limit is set

    if budget is not None:
        worst, how = budget.worst, f"--memory-budget {options.memory_budget} allows"
    else:
        if found is None:
            found = formats.buffers(config)
        if not found:
            return []
        need, _ = rule.needs(found, options.overrides, False)
        worst = rule.worst_case(need.fixed, need.filesystem, need.chunks_up or rule.DEFAULT_CHUNKS_UP)
        how = "the inputs' limits allow"
    if worst <= container:
        return []
    return [
        f"{how} Fluent Bit {worst / MIB:.0f} MiB in the worst case, over this container's memory limit of"
        f" {container / MIB:.0f} MiB ({path}): it would be killed before its buffers fill; use --memory-budget auto"
    ]


def _show_diff(before: bytes, after: bytes, options: Options) -> None:
    from fluent_launch import diff  # only here: difflib is no start-up cost of a launch

    changes = diff.unified(before, after, options.in_config, options.out_config, options.show_secrets)
    sys.stderr.flush()
    sys.stderr.buffer.write(changes)
    sys.stderr.buffer.flush()


def parse_args(args: list[str]) -> Options | str:
    """The options, or the text to print for --help/--version."""
    paths = {"run_path": DEFAULT_RUN_PATH, "in_config": DEFAULT_IN_CONFIG, "out_config": DEFAULT_OUT_CONFIG}
    overrides: edits.Overrides = {}
    after: list[str] = []
    flags = dict.fromkeys(_FLAGS.values(), False)
    check_timeout = DEFAULT_CHECK_TIMEOUT
    buffer_dir: str | None = None
    disk_budget: str | None = None
    memory_budget = None
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            after = args[index:]
            break
        if arg in ("-h", "--help"):
            return USAGE
        if arg == "--version":
            return f"fluent-launch {__version__}\n"
        if arg in _FLAGS:
            flags[_FLAGS[arg]] = True
            continue
        option, inline = arg.split("=", 1) if arg.startswith("--") and "=" in arg else (arg, None)
        if option in _PATH_OPTIONS or option in _VALUE_NEEDED:
            if inline is None:
                if index >= len(args):
                    raise UsageError(f"{option} needs {_VALUE_NEEDED.get(option, 'a path')}")
                inline = args[index]
                index += 1
            if option == "--check-timeout":
                check_timeout = _seconds(inline)
            elif option == "--buffer-dir":
                buffer_dir = inline
            elif option == "--disk-budget":
                disk_budget = inline
            elif option == "--memory-budget":
                memory_budget = _budget_text(inline)
            else:
                paths[_PATH_OPTIONS[option]] = inline
        elif option in _PAIR_OPTIONS and inline is None:
            if index + 2 > len(args):
                raise UsageError(f"{option} needs a key and a value")
            _check_pair(args, index - 1)
            kind = _PAIR_OPTIONS[option]
            override = _override(option, kind, args[index], args[index + 1])
            overrides.setdefault(kind, {})[override.key.lower()] = override
            index += 2
        else:
            raise UsageError(_unknown(args, index - 1))
    if flags["dry_run"] and flags["check"]:
        raise UsageError("--check runs Fluent Bit on the written config, and --dry-run writes none: give one of them")
    for given in diagnose.options(after):
        if given.name == "c":
            raise UsageError(
                f"{after[given.at]!r} after '--' would make Fluent Bit read {given.value} instead of"
                f" {paths['out_config']}, the config with the overrides, so none would apply;"
                " give the config to edit with -c before '--'"
            )
    for option, path in (("-r", paths["run_path"]), ("-c", paths["in_config"]), ("-m", paths["out_config"])):
        if not path:
            raise UsageError(f"{option} needs a non-empty path")
    if formats.is_yaml(paths["in_config"]) != formats.is_yaml(paths["out_config"]):
        if paths["out_config"] != DEFAULT_OUT_CONFIG:
            # Fluent Bit picks the format from the name alone, so the output must keep it.
            raise UsageError(
                f"{paths['in_config']} and {paths['out_config']}: both must be YAML (.yaml/.yml) or both not"
            )
        paths["out_config"] = DEFAULT_OUT_YAML
    buffer = None
    if buffer_dir is not None:
        from fluent_launch import buffer as disk  # only here: nothing of it is needed without the option

        buffer = disk.parse(buffer_dir, disk_budget, overrides)
    elif disk_budget is not None:
        raise UsageError("--disk-budget is the disk of the buffer --buffer-dir makes: give --buffer-dir DIR too")
    return Options(
        paths["run_path"],
        paths["in_config"],
        paths["out_config"],
        overrides,
        after,
        flags["inline_includes"],
        flags["show_secrets"],
        flags["dry_run"],
        flags["diff"],
        flags["check"],
        flags["quiet"],
        check_timeout,
        buffer,
        memory_budget,
    )


def _is_option(arg: str) -> bool:
    """Whether `arg` is one of the launcher's options (`--in-config=PATH` too)."""
    return arg in _OPTIONS or (arg.startswith("--") and "=" in arg and arg.partition("=")[0] in _OPTIONS)


def _check_pair(args: list[str], at: int) -> None:
    """Refuse `-i KEY VALUE` at `at` whose key or value is one of the launcher's options: it
    was forgotten, and the option after it would be taken as the value."""
    option, key = args[at], args[at + 1]
    taken = key if _is_option(key) else args[at + 2] if _is_option(args[at + 2]) else None
    if taken is None:
        return
    meant = _fluent_bits_start(args, at + 3)
    if meant is not None:
        raise UsageError(_forgotten_double_dash(None, meant))
    what = f"{option} has no key and value" if taken == key else f"{option} {key} has no value"
    why = "starts Fluent Bit's arguments" if taken == "--" else "is the launcher's own option"
    raise UsageError(f"{what}: {taken!r} {why}; give it as {option} KEY VALUE")


def _unknown(args: list[str], at: int) -> str:
    """The message for the unknown argument at `at`, naming the first one meant for Fluent Bit
    (an earlier one may have been taken as a launcher option's value, as `-p` in `-i tail -p`),
    or the launcher's option it is close to."""
    arg = args[at]
    meant = _fluent_bits_start(args, at + 1)
    if meant is not None:
        return _forgotten_double_dash(arg, meant)
    if arg.startswith("--") and not diagnose.is_fluent_bit_option(arg):
        import difflib  # only here: it imports heapq, which no launch needs otherwise

        close = difflib.get_close_matches(arg.partition("=")[0], _LONG_OPTIONS, n=1)
        if close:
            return f"unknown option {arg!r}: did you mean {close[0]}? (see --help)"
    return f"unknown argument {arg!r}: Fluent Bit's options go after '--' (see --help)"


def _fluent_bits_start(args: list[str], stop: int) -> str | None:
    """Where Fluent Bit's arguments start among args[:stop], if they seem to: the first option
    only Fluent Bit has, or a `-i NAME`/`-o NAME` naming one of its plugins (`-o syslog`)."""
    for at, arg in enumerate(args[:stop]):
        if diagnose.is_fluent_bits(arg):
            return arg
        kind = _FLUENT_BIT_PLUGIN_OPTIONS.get(arg)
        if kind and at + 1 < stop and _is_plugin(kind, args[at + 1]):
            return f"{arg} {args[at + 1]}"
    return None


def _is_plugin(kind: str, name: str) -> bool:
    from fluent_launch import known  # only here: an error's message, which loads the table

    return known.is_plugin(kind, name)


def _forgotten_double_dash(arg: str | None, meant: str) -> str:
    """The message for `arg`, unknown (or None: a launcher option taken as a value), where
    Fluent Bit's arguments start at `meant`."""
    if arg is None:
        told = f"{meant!r} is Fluent Bit's"
    elif meant == arg:
        told = f"unknown argument {arg!r}: it is Fluent Bit's"
    else:
        told = f"unknown argument {arg!r}: {meant!r} before it is Fluent Bit's"
    return f"{told}; Fluent Bit's options go after '--', as in: fluent-launch [OPTION]... -- {meant} ..."


def _budget_text(text: str) -> str:
    if text != "auto" and not values.size(os.fsencode(text.strip())):
        raise UsageError(
            f"--memory-budget {text!r}: give auto or a size above 0 as Fluent Bit reads sizes"
            " (a number with an optional K, M or G suffix: 64M, 1G)"
        )
    return text.strip()


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise UsageError(f"--check-timeout {text!r}: give a number of seconds above 0")
    return seconds


def _override(option: str, kind: str, key_text: str, value_text: str) -> edits.Override:
    key = os.fsencode(key_text)
    # Fluent Bit trims what it reads; trimmed here, the written line reads back as given.
    value = os.fsencode(value_text).strip()
    if not key:
        raise UsageError(f"{option}: empty key")
    if any(byte in _KEY_FORBIDDEN for byte in key):
        raise UsageError(f"{option} {key_text!r}: a key cannot contain whitespace, CR, LF or NUL")
    if key[0] in _KEY_FORBIDDEN_FIRST:
        raise UsageError(f"{option} {key_text!r}: a key cannot start with '[', '#' or '@'")
    if not value:
        raise UsageError(f"{option} {key_text}: empty value")
    if any(byte in _VALUE_FORBIDDEN for byte in value):
        raise UsageError(f"{option} {key_text}: a value cannot contain CR, LF or NUL")
    refused = values.refusal(kind, key, value)
    if refused:
        raise UsageError(f"{option} {key_text} {os.fsdecode(value)!r}: {refused}")
    return edits.Override(key, value)


def summary(options: Options, result: edits.Result, verb: str, budget: formats.Budgeted | None = None) -> str:
    """What changed, in one line a CloudWatch log shows whole; secret-looking values masked; a
    limit raised named with the config's values it raises."""
    parts = []
    for kind, done in result.kinds.items():
        pairs = ",".join(
            mask.pair(os.fsdecode(override.key), os.fsdecode(override.value), options.show_secrets)
            + _raised(kind, override, result.replaced.get((kind, key), ()))
            for key, override in options.overrides[kind].items()
        )
        label = f"[{kind.upper()}]"
        parts.append(f"{label} created with {pairs}" if done.created else f"{done.sections} {label} set {pairs}")
    if options.buffer is not None:
        from fluent_launch import buffer  # imported already: the option was given

        parts.insert(0, buffer.summary(options.buffer))
    if budget is not None:
        parts.append(budget.summary)
    changes = "; ".join(parts) if parts else "no overrides"
    return f"{verb} {options.out_config} from {options.in_config}: {changes}"


def _raised(kind: str, override: edits.Override, replaced: Iterable[bytes]) -> str:
    """` (raised from 25MB)` for an override that raises limits of the config (a FireLens
    `Mem_Buf_Limit 25MB` raised to 50M), naming each value it raises; else ``."""
    olds = [os.fsdecode(old) for old in replaced if values.raises(kind, override.key, old, override.value)]
    return f" (raised from {', '.join(olds)})" if olds else ""


def _quote(command: list[str]) -> str:
    return " ".join(
        arg if arg and set(arg) <= _SHELL_SAFE else "'" + arg.replace("'", "'\\''") + "'" for arg in command
    )
