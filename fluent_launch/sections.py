"""What both config formats say of a config: its section kinds, its settings and their keys, its buffers."""

from __future__ import annotations

from fluent_launch.records import TYPE_CHECKING, Record

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

# Section kinds, as Fluent Bit names them (flb_config_format.c, get_section_type).
SERVICE = "service"
INPUT = "input"
FILTER = "filter"
OUTPUT = "output"

# The launcher's option that sets a key in every section of the kind.
OPTION_NAMES = {SERVICE: "-s", INPUT: "-i", FILTER: "-f", OUTPUT: "-o"}

# Keys every plugin of the kind takes in every version, known without the table: those the
# deployment guide and FireLens set everywhere (tests/test_known.py holds them to the table).
_PLUGIN = ("name", "alias", "log_level")
COMMON_KEYS = {
    SERVICE: frozenset(("flush", "grace", "log_level", "parsers_file", "scheduler.cap", "scheduler.base")),
    INPUT: frozenset((*_PLUGIN, "tag", "mem_buf_limit", "storage.type", "storage.pause_on_chunks_overlimit")),
    FILTER: frozenset((*_PLUGIN, "match", "match_regex")),
    OUTPUT: frozenset((*_PLUGIN, "match", "match_regex", "retry_limit", "storage.total_limit_size", "workers")),
}

# What every config format gives the diagnostics of an entry: (path, line, kind, plugin, key
# as spelled, value); see each format's document.settings().
Setting = tuple[str, int, str, str, str, str]

# The filters whose emitter buffers records as an input does (Emitter_Mem_Buf_Limit, 10M by default).
EMITTERS = frozenset(("rewrite_tag", "multiline"))
# Per kind, the keys of a buffer's limit and of its storage type (lower case).
BUFFER_KEYS = {INPUT: (b"mem_buf_limit", b"storage.type"), FILTER: (b"emitter_mem_buf_limit", b"emitter_storage.type")}


class Buffer(Record):
    """An input, or a filter's emitter, that holds records while the output cannot take them."""

    path: str
    line: int
    kind: str  # INPUT, or FILTER for an emitter
    plugin: str
    position: int  # the section's (classic) or plugin's (YAML) index in its file, for the edit
    limit: bytes | None  # its Mem_Buf_Limit (Emitter_Mem_Buf_Limit) as written, if any
    filesystem: bool  # storage.type (emitter_storage.type) filesystem: bounded by storage.max_chunks_up
    reached: bool  # in a file the launcher edits


def key_id(key: str) -> str:
    """The property a key names: Fluent Bit turns camelCase into snake_case
    (flb_cf_key_translate) and then matches without regard to case."""
    known = _KEY_IDS.get(key)
    if known is None:
        known = _KEY_IDS[key] = _key_id(key)
    return known


_KEY_IDS: dict[str, str] = {}  # the few keys a config spells, each translated once


def _key_id(key: str) -> str:
    # Most keys have no capital at all: the same key, without a walk over its letters.
    if key.islower() or not key[:1].islower() or not key[:1].isascii() or "_" in key:
        return key.lower()
    return "".join(
        "_" + char.lower() if char.isupper() and char.isascii() and index else char.lower()
        for index, char in enumerate(key)
    )


def raw_may_matter(
    data: bytes,
    words: Iterable[bytes],
    spellings: dict[bytes, bytes],
    odd: Callable[[bytes, bytes], bool],
    value_of: Callable[[bytes], bytes | None],
) -> bool:
    """Whether a config's settings could give a check anything to report, judged from its raw
    bytes so that a large config is not walked entry by entry when nothing in it matters: true
    if one of `words` is anywhere, or if, wherever a spelling of a key occurs, `value_of` the
    rest of its line is a value that `odd(key, value)` calls odd, or None (what the line alone
    cannot tell). All in lower case: the checks ignore case. Never false where a walk would
    find an entry that matters; often true where it would not.
    """
    # One lower-case copy and slices of single lines: a large config is not copied again.
    lowered = data.lower()
    if any(word in lowered for word in words):
        return True
    for spelled, key in spellings.items():
        rests = set()  # values repeat: each distinct one is judged once
        at = lowered.find(spelled)
        while at >= 0:
            start = at + len(spelled)
            end = lowered.find(b"\n", start)
            rest = lowered[start : end if end >= 0 else len(lowered)]
            if spelled in rest:
                return True  # the key twice in a line: the walk judges what is whose
            rests.add(rest)
            at = lowered.find(spelled, start + len(rest))
        for rest in rests:
            value = value_of(rest)
            if value is None or odd(key, value):
                return True
    return False
