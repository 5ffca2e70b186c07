"""Before Fluent Bit starts: what the deployment guide lists as crash causes, as warnings.

Each warning is one line naming where the setting is and what to do; none changes the exit
code, because Fluent Bit may still cope (an image may load a plugin another way). The checks
read settings as (path, line, kind, plugin, key, value) tuples, whatever format they come
from: the config (see each format's document.settings), the overrides, and Fluent Bit's own arguments,
which are read here as its getopt_long() reads them (also for the launcher's own refusals).
Keys no Fluent Bit version knows are judged here as far as the common ones go, and by the
table of known.py beyond them (an override's refused). One module, as the exec path pays for
every module it imports.
"""

from __future__ import annotations

import itertools
import os

from fluent_launch import values
from fluent_launch.records import TYPE_CHECKING, Record
from fluent_launch.sections import COMMON_KEYS, FILTER, INPUT, OPTION_NAMES, OUTPUT, key_id

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from fluent_launch.edits import Overrides
    from fluent_launch.sections import Buffer, Setting

# Fluent Bit's own command line, as far as the checks need it. The option tables are the
# union of main() in src/fluent-bit.c of 1.9.10, 4.2.8 and 5.1.1.

# Short options taking a value ("b:c:dDf:C:i:m:M:o:R:r:F:p:e:t:T:l:vw:qVhJL:HP:s:SWYZ").
_SHORT_WITH_VALUE = frozenset("bcfCimMoRrFpetTlwLPs")
# Long options, mapped to the short letter they stand for (or their own name), and whether
# they take a value.
_LONG = {
    "storage_path": ("b", True),
    "config": ("c", True),
    "daemon": ("d", False),
    "dry-run": ("D", False),
    "flush": ("f", True),
    "http": ("H", False),
    "supervisor": ("supervisor", False),
    "log_file": ("l", True),
    "port": ("P", True),
    "custom": ("C", True),
    "input": ("i", True),
    "processor": ("r", True),
    "filter": ("F", True),
    "output": ("o", True),
    "match": ("m", True),
    "parser": ("R", True),
    "prop": ("p", True),
    "plugin": ("e", True),
    "tag": ("t", True),
    "sp-task": ("T", True),
    "version": ("V", False),
    "verbose": ("v", False),
    "workdir": ("w", True),
    "quiet": ("q", False),
    "help": ("h", False),
    "help-json": ("J", False),
    "coro_stack_size": ("s", True),
    "sosreport": ("S", False),
    "http_server": ("H", False),
    "http_listen": ("L", True),
    "http_port": ("P", True),
    "enable-hot-reload": ("Y", False),
    "enable-fips": ("enable-fips", False),
    "windows_maxstdio": ("M", True),
    "enable-chunk-trace": ("Z", False),
    "trace": ("trace", True),
    "trace-input": ("trace-input", True),
    "trace-output": ("trace-output", True),
    "trace-output-property": ("trace-output-property", True),
    "disable-thread-safety-on-hot-reload": ("W", False),
}
# Options that are Fluent Bit's and not the launcher's: one of these before `--` was meant
# for Fluent Bit.
_FLUENT_BIT_ONLY = frozenset(
    (
        *("-F", "-p", "-e", "-t", "-R", "-b", "-C", "-T", "-l", "-w", "-L", "-P", "-M", "-D", "-H", "-v"),
        *("--prop", "--plugin", "--tag", "--match", "--config", "--parser", "--custom", "--processor", "--flush"),
    )
)


def is_fluent_bits(arg: str) -> bool:
    """Whether `arg` is an option only Fluent Bit has (`-pKEY=VALUE` and `--prop=...` too)."""
    return arg.partition("=")[0] in _FLUENT_BIT_ONLY or (not arg.startswith("--") and arg[:2] in _FLUENT_BIT_ONLY)


def is_fluent_bit_option(arg: str) -> bool:
    """Whether `arg` is one of Fluent Bit's long options, spelled in full."""
    return arg.startswith("--") and arg[2:].partition("=")[0] in _LONG


class Option(Record):
    """One option as getopt_long() returns it: the short letter (or long name) and its value."""

    name: str
    value: str | None
    at: int  # the index of the argument it started at, counting from the first after `--`


def options(args: list[str]) -> list[Option]:
    """The options in `args`, as Fluent Bit would see them; arguments it would not read as
    options (or could not: unknown, ambiguous) are skipped, as the diagnostics need no more."""
    found = []
    index = 0
    while index < len(args):
        arg = args[index]
        start = index
        index += 1
        if arg == "--":
            break
        if arg.startswith("--"):
            name, has_value, value = arg[2:].partition("=")
            long = _long(name)
            if long is None:
                continue
            letter, takes_value = long
            if takes_value and not has_value:
                if index >= len(args):
                    break
                value = args[index]
                index += 1
            found.append(Option(letter, value if takes_value else None, start))
        elif arg.startswith("-") and len(arg) > 1:
            # Clustered short options (`-vq`); the first taking a value takes the rest or the
            # next argument.
            for at in range(1, len(arg)):
                letter = arg[at]
                if letter not in _SHORT_WITH_VALUE:
                    found.append(Option(letter, None, start))
                    continue
                if at + 1 < len(arg):
                    found.append(Option(letter, arg[at + 1 :], start))
                elif index < len(args):
                    found.append(Option(letter, args[index], start))
                    index += 1
                break
    return found


def _long(name: str) -> tuple[str, bool] | None:
    """getopt_long()'s match: the exact name, else the one long option it abbreviates."""
    if name in _LONG:
        return _LONG[name]
    matches = {_LONG[full] for full in _LONG if full.startswith(name)} if name else set()
    return matches.pop() if len(matches) == 1 else None


# The Go output plugins of the AWS for Fluent Bit image, loaded only with `-e`, and the C
# plugins built into Fluent Bit that do the same job.
GO_PLUGINS = {"cloudwatch": "cloudwatch_logs", "kinesis": "kinesis_streams", "firehose": "kinesis_firehose"}
GO_PLUGIN_DIR = "/fluent-bit"
_CLOUDWATCH = frozenset(("cloudwatch", "cloudwatch_logs"))
# What CloudWatch Logs takes: group names [\w\-/.#]+ (ASCII), stream names anything but : and *.
_GROUP_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/.#")
_STREAM_FORBIDDEN = frozenset(":*")
_CLOUDWATCH_KEYS = {"log_group_name": "group", "log_stream_prefix": "stream", "log_stream_name": "stream"}
# Every key any check reads, as the config scan asks for them (lower case).
KEYS = frozenset(
    (b"name", *(key.encode() for key in _CLOUDWATCH_KEYS), *(key for keys in values.CORE_KEYS.values() for key in keys))
)
_ARG_KINDS = {"i": INPUT, "F": FILTER, "o": OUTPUT}
# The launcher's option for overrides of each kind.
# Words without which no config setting can be about a Go plugin or a CloudWatch name.
WORDS = frozenset((*(name.encode() for name in GO_PLUGINS), *(key.encode() for key in _CLOUDWATCH_KEYS)))
# The core properties' keys, each with the kinds of section that have it.
CORE = {
    key: [kind for kind, keys in values.CORE_KEYS.items() if key in keys]
    for key in frozenset().union(*values.CORE_KEYS.values())
}


def odd(key: bytes, value: bytes) -> bool:
    """Whether `key value` (key in lower case) would get a warning in some kind of section."""
    if any(values.refusal(kind, key, value) or values.reading(kind, key, value) for kind in CORE.get(key, ())):
        return True
    return key == b"retry_limit" and not values.retry_limit_applies(value)


def warnings(config: Iterable[Setting], overrides: Overrides, fluent_bit: list[Option]) -> Iterator[str]:
    """The warning lines (without `fluent-launch: warning: `) for a launch."""
    overridden = {(kind, os.fsdecode(key)) for kind, keys in overrides.items() for key in keys}
    # The config's values of overridden keys are replaced; the overrides were checked already.
    kept = (setting for setting in config if (setting[2], setting[4].lower()) not in overridden)
    used: dict[str, str] = {}  # Go plugin -> where first used
    for path, line, kind, plugin, key, value in itertools.chain(kept, _argument_settings(fluent_bit)):
        place = f"{path}:{line}" if line else path
        section = f"[{kind.upper()}] {plugin}" if plugin else f"[{kind.upper()}]"
        if kind == OUTPUT and key.lower() == "name" and value.lower() in GO_PLUGINS:
            used.setdefault(value.lower(), f"{place}: {section}")
        raw_key, raw_value = os.fsencode(key), os.fsencode(value)
        refused = values.refusal(kind, raw_key, raw_value) or values.reading(kind, raw_key, raw_value)
        problems = [refused] if refused else []
        problems += [*_retry_limit(kind, key, value), *_cloudwatch_name(plugin, key, value)]
        yield from (f"{place}: {section}: {key} {value!r}: {problem}" for problem in problems)
    for kind, given in overrides.items():
        for override in given.values():
            key, value = os.fsdecode(override.key), os.fsdecode(override.value)
            read = values.reading(kind, override.key, override.value)
            problems = [read] if read else []
            if kind == OUTPUT:
                # An output override reaches every output, CloudWatch ones included.
                problems += [*_retry_limit(OUTPUT, key, value), *_cloudwatch_name("cloudwatch_logs", key, value)]
            yield from (f"{OPTION_NAMES[kind]} {key} {value!r}: {problem}" for problem in problems)
    loaded = {os.path.basename(option.value or "") for option in fluent_bit if option.name == "e"}
    for plugin, place in used.items():
        if f"{plugin}.so" not in loaded:
            yield (
                f"{place}: {plugin!r} is a Go plugin that Fluent Bit has only when loaded: "
                f"add '-e {GO_PLUGIN_DIR}/{plugin}.so' after '--' (or use the built-in {GO_PLUGINS[plugin]!r})"
            )


def effective(buffer: Buffer, overrides: Overrides) -> tuple[bytes | None, bool]:
    """A buffer's limit as written and whether it is a filesystem one, once the overrides
    that reach it are applied."""
    if not buffer.reached or buffer.kind != INPUT:
        return buffer.limit, buffer.filesystem
    given = overrides.get(INPUT, {})
    limit = given[b"mem_buf_limit"].value if b"mem_buf_limit" in given else buffer.limit
    storage = given.get(b"storage.type")
    return limit, buffer.filesystem if storage is None else storage.value.lower() == b"filesystem"


def limit_bytes(limit: bytes | None) -> int | None:
    """The bytes a limit as written allows at most; None for no limit (absent, 0 or false:
    Fluent Bit's "no limit"). One Fluent Bit expands or refuses counts as none too."""
    size = values.size(limit) if limit is not None and b"${" not in limit else None
    return size or None


def unbounded(buffers: Iterable[Buffer], overrides: Overrides, budget: bool) -> Iterator[str]:
    """A warning for each input that holds whatever comes while the output is down: a memory
    one without a limit, which the overrides (or the budget, if given) do not reach."""
    sizes: dict[bytes, int | None] = {}  # each limit as written is read once
    for buffer in buffers:
        limit, filesystem = effective(buffer, overrides)
        if buffer.kind != INPUT or filesystem or (buffer.reached and budget):
            continue  # an emitter has 10M by default; a filesystem input, storage.max_chunks_up
        if limit is not None:
            if limit not in sizes:
                sizes[limit] = values.size(limit) if b"${" not in limit else None
            if sizes[limit] != 0:
                continue  # bounded, or for Fluent Bit to expand, or refused (and warned about) already
        what = "no Mem_Buf_Limit," if limit is None else f"Mem_Buf_Limit {os.fsdecode(limit)}, which is no limit,"
        reach = (
            "give -i Mem_Buf_Limit SIZE or --memory-budget SIZE"
            if buffer.reached
            else "it is in an included file the options do not reach: add --inline-includes"
            + ("" if budget else " with -i Mem_Buf_Limit SIZE or --memory-budget SIZE")
        )
        yield (
            f"{buffer.path}:{buffer.line}: [INPUT] {buffer.plugin}: {what} so it holds everything that comes while"
            f" the output is down; {reach}"
        )


def bounds_every_input(overrides: Overrides) -> bool:
    """Whether the overrides give every input they reach a bound."""
    given = overrides.get(INPUT, {})
    storage = given.get(b"storage.type")
    if storage is not None and storage.value.lower() == b"filesystem":
        return True
    limit = given.get(b"mem_buf_limit")
    return limit is not None and bool(limit_bytes(limit.value))


def read_limit(path: str) -> int | None:
    """The memory limit in a cgroup file (v2 `max`, or v1's largest value, mean none)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)  # not open(): no buffered file for 20 bytes
    except OSError:
        return None
    try:
        text = os.read(descriptor, 64).strip()
    except OSError:
        return None
    finally:
        os.close(descriptor)
    # cgroup v1 writes its largest page count (9223372036854771712 bytes with 4 KiB pages)
    # for "no limit": no machine has a quarter of that.
    return int(text) if text.isdigit() and 0 < int(text) < 1 << 62 else None


def _argument_settings(fluent_bit: list[Option]) -> Iterator[Setting]:
    """Fluent Bit's `-i/-F/-o NAME` and their `-p KEY=VALUE` as settings."""
    kind = plugin = ""
    for option in fluent_bit:
        place = f"argument {option.at + 1} after '--'"
        if option.name in _ARG_KINDS:
            kind = _ARG_KINDS[option.name]
            # `-o name://host:port` names the plugin before "://".
            plugin = (option.value or "").partition("://")[0]
            yield (place, 0, kind, plugin, "name", plugin)
        elif option.name == "p" and kind and option.value and "=" in option.value:
            key, _, value = option.value.partition("=")
            yield (place, 0, kind, plugin, key.strip(), value.strip())


def _retry_limit(kind: str, key: str, value: str) -> Iterator[str]:
    if kind != OUTPUT or key.lower() != "retry_limit":
        return
    if not values.retry_limit_applies(os.fsencode(value)):
        yield f"Fluent Bit does not use this Retry_Limit and retries once instead; give {values.RETRY_FORMS}"


def _cloudwatch_name(plugin: str, key: str, value: str) -> Iterator[str]:
    what = _CLOUDWATCH_KEYS.get(key.lower())
    if what is None or plugin.lower() not in _CLOUDWATCH:
        return
    text = _without_templates(value)
    if what == "group":
        bad = next((char for char in text if char not in _GROUP_CHARS), None)
        rule = "group names take only letters, digits and _-/.#"
    else:
        bad = next((char for char in text if char in _STREAM_FORBIDDEN), None)
        rule = "stream names take neither ':' nor '*'"
    if bad is not None:
        yield f"CloudWatch rejects {bad!r} in log {what} names ({rule})"


def _without_templates(value: str) -> str:
    """`value` without Fluent Bit's `$(...)` record templates and `${...}` variables, which
    are filled in at run time."""
    kept = []
    at = 0
    while True:
        start = min((found for found in (value.find("$(", at), value.find("${", at)) if found >= 0), default=-1)
        if start < 0:
            kept.append(value[at:])
            return "".join(kept)
        kept.append(value[at:start])
        close = value.find(")" if value[start + 1] == "(" else "}", start + 2)
        if close < 0:
            return "".join(kept)
        at = close + 1


# Keys Fluent Bit does not know (see known.py, imported only when a key is not a common one).

# Words of a config known without the table (see config_warnings): keys some plugin or
# [SERVICE] takes that FireLens configs and the deployment guide use, and YAML's own keys.
# tests/test_known.py holds them to the table.
KNOWN_WORDS = frozenset(
    (
        *(word for words in COMMON_KEYS.values() for word in words),
        *("unix_path", "listen", "host", "port", "record", "regex", "exclude", "format", "path"),
        *("log_group_name", "log_stream_prefix", "log_stream_name", "log_key", "region", "auto_create_group"),
        *("json_date_key", "json_date_format", "refresh_interval", "parser", "key_name", "mode", "tls"),
        *("delivery_stream", "stream", "time_key", "time_key_format", "role_arn", "endpoint", "log_format"),
        *("log_retention_days", "bucket", "total_file_size", "upload_timeout", "compression", "tls.verify"),
        *("service", "pipeline", "inputs", "filters", "outputs", "includes", "env", "processors", "logs"),
    )
)


def check_overrides(
    overrides: Overrides, plugins: Callable[[], Iterable[tuple[str, str]]], yaml: bool
) -> Iterator[str]:
    """The warnings about override keys Fluent Bit ignores ([SERVICE]); raise UsageError for
    one a plugin it would be set on refuses to start with (see known.check_overrides, asked
    only for keys outside the common ones)."""
    uncommon = []
    for kind, given in overrides.items():
        for override in given.values():
            key = key_id(os.fsdecode(override.key)) if yaml else os.fsdecode(override.key).lower()
            if key not in COMMON_KEYS[kind]:
                uncommon.append((kind, key, override))
    if not uncommon:
        return iter(())
    from fluent_launch import known

    return known.check_overrides(uncommon, plugins)


def config_warnings(words: set[str], settings: Callable[[], Iterable[Setting]], overrides: Overrides) -> Iterator[str]:
    """The warnings about keys of the config that no plugin of any version knows (a typo), for
    each plugin it is set in. `words` are the config's key-like words (see formats.key_words):
    walking its settings costs more than editing a large config, so known.config_warnings and
    `settings()` are asked for only when one of them is not a common key."""
    words = words - KNOWN_WORDS
    if not words:
        return iter(())
    from fluent_launch import known

    return known.config_warnings(words, settings, overrides)


def key_words(data: bytes) -> set[str]:
    """The key of each YAML `key: value` or `key:` line of `data`, list dashes and quotes taken
    off, camelCase as snake_case; other words may come too (YAML's own keys), which only costs
    a walk of the settings. A method call a line, a block of lines at a time: on a large
    config this is the most the check costs, and a list of all its lines would be most of
    what the launcher holds."""
    heads: set[bytes] = set()
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + _BLOCK)
        end = len(data) if end < 0 else end
        heads.update(line.partition(b": ")[0] for line in data[start:end].split(b"\n"))
        start = end + 1
    words = set()
    for head in heads:
        text = head.rstrip(b" \t\r")
        if text.endswith(b":"):
            text = text[:-1]
        elif head + b": " not in data:
            continue  # a line without a key: a list item, a scalar's next line
        words.add(text.lstrip(b" \t-").strip(b"'\""))
    words.discard(b"")
    return {key_id(os.fsdecode(word)) for word in words}


_BLOCK = 64 * 1024
