"""Whether Fluent Bit knows a key: a plugin given a key it does not know refuses to start.

Judged by the table of fluent_launch/properties.py (drawn from the binaries of each Fluent Bit
version; a key any of them takes is known). Plugins outside it (the Go plugins, `-e` shared
objects, plugins of a build with more than ours) are left alone, as are keys Fluent Bit takes
for some plugins only (properties.LEFT_ALONE). The table is loaded only for a key outside
COMMON, so that the usual overrides cost nothing at start-up.
"""

from __future__ import annotations

import os

from fluent_launch import diagnose
from fluent_launch.document import FILTER, INPUT, OUTPUT, SERVICE
from fluent_launch.errors import UsageError
from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from fluent_launch.document import Setting
    from fluent_launch.edit import Overrides

# Keys every plugin of the kind takes in every version, known without the table: those the
# deployment guide and FireLens set everywhere (tests/test_known.py holds them to the table).
_PLUGIN = ("name", "alias", "log_level")
COMMON = {
    SERVICE: frozenset(("flush", "grace", "log_level", "parsers_file", "scheduler.cap", "scheduler.base")),
    INPUT: frozenset((*_PLUGIN, "tag", "mem_buf_limit", "storage.type", "storage.pause_on_chunks_overlimit")),
    FILTER: frozenset((*_PLUGIN, "match", "match_regex")),
    OUTPUT: frozenset((*_PLUGIN, "match", "match_regex", "retry_limit", "storage.total_limit_size", "workers")),
}
# Words of a config known without the table (see config_warnings): keys some plugin or
# [SERVICE] takes that FireLens configs and the deployment guide use, the other sections' and
# YAML's own keys, and what else starts a classic line. tests/test_known.py holds them to the table.
_KNOWN_WORDS = frozenset(
    (
        *(word for words in COMMON.values() for word in words),
        *("unix_path", "listen", "host", "port", "record", "regex", "exclude", "format", "path"),
        *("log_group_name", "log_stream_prefix", "log_stream_name", "log_key", "region", "auto_create_group"),
        *("json_date_key", "json_date_format", "refresh_interval", "parser", "key_name", "mode", "tls"),
        *("delivery_stream", "stream", "time_key", "time_key_format", "role_arn", "endpoint", "log_format"),
        *("log_retention_days", "bucket", "total_file_size", "upload_timeout", "compression", "tls.verify"),
        *("[input]", "[filter]", "[output]", "[service]", "@include", "@set"),
        *("service", "pipeline", "inputs", "filters", "outputs", "includes", "env", "processors", "logs"),
    )
)
_LABELS = {INPUT: "input", FILTER: "filter", OUTPUT: "output"}


def unknown(kind: str, plugin: str, key: str) -> str | None:
    """Why Fluent Bit would not know `key` (as Fluent Bit reads it: snake_case) in a section of
    `kind` whose plugin is `plugin` ("" for the service), and what comes of it: a sentence
    naming a close known key if there is one; None when known or not ours to judge."""
    key = key.lower()
    if key in COMMON[kind]:
        return None
    from fluent_launch import properties

    if key.startswith(properties.LEFT_ALONE):
        return None
    keys = _keys(properties.TABLE, kind, plugin.lower())
    if keys is None or key in keys or any(known[-1] == "*" and key.startswith(known[:-1]) for known in keys):
        return None
    if kind == SERVICE:
        told = f"no Fluent Bit version ({properties.VERSIONS}) knows {key!r} in [SERVICE], so Fluent Bit ignores it"
    else:
        told = f"no Fluent Bit version ({properties.VERSIONS}) knows {key!r} in the {plugin} {_LABELS[kind]}"
        told += ", which then refuses to start"
    import difflib  # only here: it imports heapq, which no launch needs otherwise

    close = difflib.get_close_matches(key, [known for known in keys if known[-1] != "*"], n=1)
    return f"{told}; did you mean {close[0]!r}?" if close else told


def is_plugin(kind: str, name: str) -> bool:
    """Whether `name` is a plugin of `kind` in the table."""
    from fluent_launch import properties

    return _line(properties.TABLE, kind, name.lower()) is not None


def _keys(table: str, kind: str, plugin: str) -> list[str] | None:
    """The keys of `plugin` of `kind` in the table, its kind's shared ones included; None if
    the table does not have it."""
    shared = _line(table, kind, "*")
    if kind == SERVICE:
        return shared
    own = _line(table, kind, plugin)
    return None if own is None or shared is None else shared + own


def _line(table: str, kind: str, plugin: str) -> list[str] | None:
    head = f"\n{kind} {plugin} "
    start = table.find(head)
    if start < 0:
        bare = table.find(f"\n{kind} {plugin}\n")  # a plugin without keys of its own
        return None if bare < 0 else []
    start += len(head)
    return table[start : table.index("\n", start)].split()


def check_overrides(
    overrides: Overrides, plugins: Callable[[], Iterable[tuple[str, str]]], yaml: bool
) -> Iterator[str]:
    """The warnings about override keys Fluent Bit ignores ([SERVICE]); raise UsageError for
    one a plugin it would be set on refuses to start with. `plugins()` gives the config's
    (kind, plugin name) pairs, asked for only when a key is not a common one."""
    found: set[tuple[str, str]] | None = None
    for kind, given in overrides.items():
        for override in given.values():
            spelled = os.fsdecode(override.key)
            key = _key_id(spelled) if yaml else spelled.lower()
            if key in COMMON[kind]:
                continue
            if kind == SERVICE:
                reason = unknown(SERVICE, "", key)
                if reason:
                    yield f"-s {spelled} {os.fsdecode(override.value)!r}: {reason}"
                continue
            if found is None:
                found = {(of_kind, name.lower()) for of_kind, name in plugins()}
            for plugin in sorted(name for of_kind, name in found if of_kind == kind):
                reason = unknown(kind, plugin, key)
                if reason:
                    raise UsageError(f"{diagnose.OPTION_NAMES[kind]} {spelled}: {reason}")


def config_warnings(words: set[str], settings: Callable[[], Iterable[Setting]], overrides: Overrides) -> Iterator[str]:
    """The warnings about keys of the config that no plugin of any version knows (a typo), for
    each plugin it is set in. `words` are the config's key-like words (see key_words): walking
    its settings costs more than editing a large config, so `settings()` is asked for only
    when one of them is unknown."""
    words -= _KNOWN_WORDS
    if not words:
        return
    from fluent_launch import properties

    unknown_words = {word for word in words if not word.startswith(properties.LEFT_ALONE)} - _every_key()
    if not unknown_words:
        return
    overridden = {(kind, os.fsdecode(key)) for kind, keys in overrides.items() for key in keys}
    for path, line, kind, plugin, key, _ in settings():
        lowered = key.lower()
        if lowered not in unknown_words or (kind, lowered) in overridden:
            continue  # an overridden key's line gets the override's key, checked already
        reason = unknown(kind, plugin, key)
        if reason:
            section = f"[{kind.upper()}] {plugin}" if plugin else f"[{kind.upper()}]"
            yield f"{path}:{line}: {section}: {key}: {reason}"


def key_words(data: bytes, yaml: bool) -> set[str]:
    """Each word of `data` that may be a key, in lower case: a classic line's first word; the
    key of each YAML `key: value` or `key:` line, list dashes and quotes taken off, camelCase as
    snake_case. Other words may come too (section headers, comments, YAML's own keys), which
    only costs a walk of the settings. One pass over the lines, kept to a method call each: on
    a large config this is the most the check costs."""
    lines = data.split(b"\n")
    if not yaml:
        return {os.fsdecode(word).lower() for word in {line.split(None, 1)[0] for line in lines if line.strip()}}
    words = set()
    for head in {line.partition(b": ")[0] for line in lines}:
        text = head.rstrip(b" \t\r")
        if text.endswith(b":"):
            text = text[:-1]
        elif head + b": " not in data:
            continue  # a line without a key: a list item, a scalar's next line
        word = text.lstrip(b" \t-").strip(b"'\"")
        if word:
            words.add(_key_id(os.fsdecode(word)))
    return words


def _every_key() -> frozenset[str]:
    """Every key some plugin or [SERVICE] of some version takes (and the kinds' and plugins'
    names, which the table holds beside them and which are no key of the config)."""
    from fluent_launch import properties

    return frozenset(properties.TABLE.split())


def _key_id(key: str) -> str:
    from fluent_launch import yaml_config  # a YAML config's, so already imported

    return yaml_config.key_id(key)
