"""Warnings, before Fluent Bit starts, about what the deployment guide lists as crash causes.

Each warning is one line naming where the setting is and what to do; none changes the exit
code, because Fluent Bit may still cope (an image may load a plugin another way). The checks
read settings as (path, line, kind, plugin, key, value) tuples, whatever format they come
from: the config (see document.settings), the overrides, and Fluent Bit's own arguments.
"""

from __future__ import annotations

import itertools
import os

from fluent_launch import values
from fluent_launch.document import FILTER, INPUT, OUTPUT
from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from fluent_launch.document import Setting
    from fluent_launch.edit import Overrides
    from fluent_launch.fluent_bit_args import Option

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
# Words without which no config setting can be about a Go plugin or a CloudWatch name.
WORDS = frozenset((*(name.encode() for name in GO_PLUGINS), *(key.encode() for key in _CLOUDWATCH_KEYS)))
# The core properties' keys, each with the kinds of section that have it.
CORE = {
    key: [kind for kind, keys in values.CORE_KEYS.items() if key in keys]
    for key in frozenset().union(*values.CORE_KEYS.values())
}


def odd(key: bytes, value: bytes) -> bool:
    """Whether `key value` (key in lower case) would get a warning in some kind of section."""
    if any(values.refusal(kind, key, value) for kind in CORE.get(key, ())):
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
        refused = values.refusal(kind, os.fsencode(key), os.fsencode(value))
        problems = [refused] if refused else []
        problems += [*_retry_limit(kind, key, value), *_cloudwatch_name(plugin, key, value)]
        yield from (f"{place}: {section}: {key} {value!r}: {problem}" for problem in problems)
    for override in overrides.get(OUTPUT, {}).values():
        key, value = os.fsdecode(override.key), os.fsdecode(override.value)
        # An output override reaches every output, CloudWatch ones included.
        problems = [*_retry_limit(OUTPUT, key, value), *_cloudwatch_name("cloudwatch_logs", key, value)]
        yield from (f"-o {key} {value!r}: {problem}" for problem in problems)
    loaded = {os.path.basename(option.value or "") for option in fluent_bit if option.name == "e"}
    for plugin, place in used.items():
        if f"{plugin}.so" not in loaded:
            yield (
                f"{place}: {plugin!r} is a Go plugin that Fluent Bit has only when loaded: "
                f"add '-e {GO_PLUGIN_DIR}/{plugin}.so' after '--' (or use the built-in {GO_PLUGINS[plugin]!r})"
            )


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
