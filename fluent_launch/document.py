"""The parsed form of a classic config: where each section and entry sits in the bytes.

The document never copies the file into another shape: it keeps the original bytes and the
byte spans of what Fluent Bit saw, so rendering an unedited document is the input itself and
an edit touches exactly the spans it names. The spans live in flat integer arrays, a few
bytes per entry, because a launcher must not need more memory than the config it edits;
`Section` and `Entry` values are made from them only when asked for.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

from fluent_launch.records import Record

# Section kinds, as Fluent Bit names them (flb_config_format.c, get_section_type).
SERVICE = "service"
INPUT = "input"
FILTER = "filter"
OUTPUT = "output"

# Row widths of the span tables (see Document.__init__).
_SECTION_ROW = 6
_GROUP_ROW = 5
_ENTRY_ROW = 6


class Entry(Record):
    """One `key value` line (or NUL-joined run of physical lines) as Fluent Bit read it."""

    start: int  # offset of its first physical line
    end: int  # offset just past its last physical line, terminator included
    key: bytes  # trimmed and lower-cased, as Fluent Bit stores it
    value: bytes  # trimmed
    head: bytes  # what precedes the value: indent, key as spelled, separator


class Include(Record):
    """An `@INCLUDE path` line; Fluent Bit takes the path verbatim from after the space."""

    start: int
    end: int
    head: bytes  # `@INCLUDE ` as spelled
    path: bytes
    line: int


class Group(Record):
    name: bytes
    entries: list[Entry]


class Section(Record):
    name: bytes
    kind: str
    start: int
    header_end: int  # offset just past the header line
    body_end: int  # offset just past its last own entry (header_end if none)
    entries: list[Entry]  # the section's own entries (not its groups'), maybe only some keys'
    groups: list[Group]


class Document:
    __slots__ = (
        "_grouped",
        "_groups",
        "_joined",
        "_own",
        "_sections",
        "data",
        "end",
        "includes",
        "indent",
        "indent_line",
        "kinds",
        "metas",
        "newline",
        "path",
    )

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.metas: list[tuple[bytes, bytes]] = []  # `@SET a=1` is (b"SET", b"a=1")
        self.includes: list[Include] = []
        # Just past the last line Fluent Bit reads: short of the file's end when a NUL byte in
        # the last line makes Fluent Bit drop it, and anything appended would join that line.
        self.end = 0
        # The indent string Fluent Bit fixed for this file (its first entry line's), if any.
        self.indent: bytes | None = None
        self.indent_line = 0  # the line that fixed it
        # The terminator new lines get: the file's first one, so CRLF files stay CRLF.
        first_lf = data.find(b"\n")
        self.newline = b"\r\n" if first_lf > 0 and data[first_lf - 1] == 0x0D else b"\n"
        # Span tables, one row after another. Offsets inside a line (name, key, value) count
        # from the line's start; a section's or group's entries run up to the next one's first.
        code = "I" if len(data) < 1 << 32 else "Q"
        self._sections = array(code)  # start, header end, name begin, name end, first entry, first group
        self.kinds: list[str] = []  # each section's, in file order
        self._groups = array(code)  # start, end, name begin, name end, first entry
        self._own = array(code)  # start, end, key begin, key end, value begin, value end
        self._grouped = array(code)  # entries of groups, as in _own
        # A line cut and joined at NUL bytes is no slice of `data`: what Fluent Bit read of
        # each such line that a row points into, by its start.
        self._joined: dict[int, bytes] = {}

    @property
    def sections(self) -> Sections:
        return Sections(self)

    def add_section(self, start: int, end: int, name: tuple[int, int], kind: str) -> None:
        self._sections.extend((start, end, *name, len(self._own) // _ENTRY_ROW, len(self._groups) // _GROUP_ROW))
        self.kinds.append(kind)

    def add_group(self, start: int, end: int, name: tuple[int, int]) -> None:
        self._groups.extend((start, end, *name, len(self._grouped) // _ENTRY_ROW))

    def add_entry(self, grouped: bool, start: int, end: int, key: tuple[int, int], value: tuple[int, int]) -> None:
        (self._grouped if grouped else self._own).extend((start, end, *key, *value))

    def keep_line(self, start: int, content: bytes) -> None:
        """Record what Fluent Bit read of the line at `start` when that is not `data`'s bytes."""
        self._joined[start] = content

    def section(self, index: int, keys: frozenset[bytes] | None = None) -> Section:
        """The section at `index`, with only the own entries whose key is in `keys` if given."""
        rows = self._sections
        at = index * _SECTION_ROW
        start, header_end, name_begin, name_end, first_entry, first_group = rows[at : at + _SECTION_ROW]
        at += _SECTION_ROW
        last = at == len(rows)
        stop_entry = len(self._own) // _ENTRY_ROW if last else rows[at + 4]
        stop_group = len(self._groups) // _GROUP_ROW if last else rows[at + 5]
        own = self._own
        body_end = own[stop_entry * _ENTRY_ROW - _ENTRY_ROW + 1] if stop_entry > first_entry else header_end
        return Section(
            self._line(start, header_end)[name_begin:name_end],
            self.kinds[index],
            start,
            header_end,
            body_end,
            self._entries(own, first_entry, stop_entry, keys),
            [self._group(group) for group in range(first_group, stop_group)] if first_group < stop_group else [],
        )

    def _group(self, index: int) -> Group:
        rows = self._groups
        at = index * _GROUP_ROW
        start, end, name_begin, name_end, first = rows[at : at + _GROUP_ROW]
        at += _GROUP_ROW
        stop = len(self._grouped) // _ENTRY_ROW if at == len(rows) else rows[at + 4]
        return Group(self._line(start, end)[name_begin:name_end], self._entries(self._grouped, first, stop))

    def _entries(self, table: array[int], first: int, stop: int, keys: frozenset[bytes] | None = None) -> list[Entry]:
        # The hot loop of editing a large config, hence _line() written out.
        data, joined = self.data, self._joined
        entries = []
        for at in range(first * _ENTRY_ROW, stop * _ENTRY_ROW, _ENTRY_ROW):
            start, end, key_begin, key_end, value_begin, value_end = table[at : at + _ENTRY_ROW]
            line = joined[start] if joined and start in joined else data[start:end]
            key = line[key_begin:key_end].lower()
            if keys is None or key in keys:
                entries.append(Entry(start, end, key, line[value_begin:value_end], line[:value_begin]))
        return entries

    def _line(self, start: int, end: int) -> bytes:
        joined = self._joined.get(start) if self._joined else None
        return joined if joined is not None else self.data[start:end]


class Sections:
    """The document's sections in file order, each made from the span tables when reached."""

    __slots__ = ("_doc",)

    def __init__(self, doc: Document) -> None:
        self._doc = doc

    def __len__(self) -> int:
        return len(self._doc.kinds)

    def __getitem__(self, index: int) -> Section:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._doc.section(index)

    def __iter__(self) -> Iterator[Section]:
        return map(self._doc.section, range(len(self)))

    def of_kinds(self, kinds: Iterable[str], keys: frozenset[bytes] | None = None) -> Iterator[Section]:
        """Only the sections of these kinds, in file order (the others are never made), with
        only the own entries whose key is in `keys` if given."""
        wanted = frozenset(kinds)
        doc = self._doc
        return (doc.section(index, keys) for index, kind in enumerate(doc.kinds) if kind in wanted)


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


def line_end(data: bytes, end: int) -> bytes:
    """The terminator of the line that ends at `end`: CRLF, LF, or none at the end of file."""
    if data[end - 1 : end] != b"\n":
        return b""
    return b"\r\n" if data[end - 2 : end] == b"\r\n" else b"\n"
