"""What an edit is in both formats: the overrides asked for, what applying them did, and the
bytes with the replaced spans."""

from __future__ import annotations

from fluent_launch.records import TYPE_CHECKING, Record

if TYPE_CHECKING:
    from collections.abc import Iterable


class Override(Record):
    key: bytes  # as the user spelled it; matched without regard to case
    value: bytes


# Per section kind, the overrides keyed by lower-cased key, in the order first given.
Overrides = dict[str, dict[bytes, Override]]


class KindResult(Record):
    sections: int  # how many sections of the kind were edited (created ones included)
    created: bool  # a [SERVICE] had to be created


# Per section kind and lower-cased override key, the distinct values of the config an
# override replaced, in file order (a dict for its order).
Replaced = dict[tuple[str, bytes], dict[bytes, None]]


class Result(Record):
    data: bytes
    kinds: dict[str, KindResult]
    replaced: Replaced


def render(data: bytes, edits: Iterable[tuple[int, int, bytes]]) -> bytes:
    """`data` with each (start, end, replacement) applied; spans in order and not overlapping."""
    out = bytearray()
    view = memoryview(data)
    pos = 0
    for start, end, replacement in edits:
        out += view[pos:start]
        out += replacement
        pos = end
    out += view[pos:]
    return bytes(out)
