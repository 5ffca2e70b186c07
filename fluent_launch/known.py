"""Whether Fluent Bit knows a key: a plugin given a key it does not know refuses to start.

Judged by the table of fluent_launch/properties.py (drawn from the binaries of each Fluent Bit
version; a key any of them takes is known). Plugins outside it (the Go plugins, `-e` shared
objects, plugins of a build with more than ours) are left alone, as are keys Fluent Bit takes
for some plugins only (properties.LEFT_ALONE). Imported, and the table loaded, only for a key
outside the common ones (sections.COMMON_KEYS), so that the usual launch pays for neither.
"""

from __future__ import annotations

import os

from fluent_launch import properties
from fluent_launch.errors import UsageError
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import COMMON_KEYS, FILTER, INPUT, OPTION_NAMES, OUTPUT, SERVICE

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from fluent_launch.edits import Override, Overrides
    from fluent_launch.sections import Setting

_LABELS = {INPUT: "input", FILTER: "filter", OUTPUT: "output"}


def unknown(kind: str, plugin: str, key: str) -> str | None:
    """Why Fluent Bit would not know `key` (as Fluent Bit reads it: snake_case) in a section of
    `kind` whose plugin is `plugin` ("" for the service), and what comes of it: a sentence
    naming a close known key if there is one; None when known or not ours to judge."""
    key = key.lower()
    if key in COMMON_KEYS[kind]:
        return None
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
    return _line(properties.TABLE, kind, name.lower()) is not None


def _keys(table: str, kind: str, plugin: str) -> list[str] | None:
    """The keys of `plugin` of `kind` in the table, its kind's shared ones included; None if
    the table does not have it."""
    shared = _line(table, kind, "*")
    if kind == SERVICE:
        return shared
    own = _line(table, kind, plugin) if plugin != "*" else None  # `*` names the shared line
    return None if own is None or shared is None else shared + own


def _line(table: str, kind: str, plugin: str) -> list[str] | None:
    head = f"\n{kind} {plugin} "
    start = table.find(head)
    if start < 0:
        bare = table.find(f"\n{kind} {plugin}\n")  # a plugin without keys of its own
        return None if bare < 0 else []
    start += len(head)
    return table[start : table.index("\n", start)].split()


def every_key() -> frozenset[str]:
    """Every key some plugin or [SERVICE] of some version takes (and the kinds' and plugins'
    names, which the table holds beside them and which are no key of the config)."""
    return frozenset(properties.TABLE.split())


def check_overrides(
    uncommon: list[tuple[str, str, Override]], plugins: Callable[[], Iterable[tuple[str, str]]]
) -> Iterator[str]:
    """diagnose.check_overrides() for the overrides whose key (as Fluent Bit reads it) is not
    a common one; `plugins()` gives the config's (kind, plugin name) pairs."""
    found: set[tuple[str, str]] | None = None
    for kind, key, override in uncommon:
        spelled = os.fsdecode(override.key)
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
                raise UsageError(f"{OPTION_NAMES[kind]} {spelled}: {reason}")


def config_warnings(words: set[str], settings: Callable[[], Iterable[Setting]], overrides: Overrides) -> Iterator[str]:
    """diagnose.config_warnings() for the config's `words` that are not common keys."""
    unknown_words = {word for word in words if not word.startswith(properties.LEFT_ALONE)} - every_key()
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
