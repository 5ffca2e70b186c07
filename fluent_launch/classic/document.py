"""The parsed form of a classic config: where each section and entry sits in the bytes.

The document never copies the file into another shape: it keeps the original bytes and the
byte spans of what Fluent Bit saw, so rendering an unedited document is the input itself and
an edit touches exactly the spans it names. The spans live in packed integer tables, a few
bytes per entry, because a launcher must not need more memory than the config it edits;
`Section` and `Entry` values are made from them only when asked for.
"""

from __future__ import annotations

from os import fsdecode
from struct import Struct

from fluent_launch.errors import ConfigError
from fluent_launch.records import TYPE_CHECKING, Record
from fluent_launch.sections import BUFFER_KEYS, EMITTERS, FILTER, INPUT, Buffer, raw_may_matter

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from fluent_launch.sections import Setting

# C's isspace() in the C locale, which Fluent Bit trims values with.
_SPACE = b" \t\n\v\f\r"

# Fluent Bit 1.9 (what aws-for-fluent-bit:stable still runs) reads a classic config with
# fgets() into a 4096-byte buffer and refuses a line that does not fit there with its newline
# ("length of content has exceeded limit"); later versions grow the buffer. So this many bytes
# before the '\n' (a '\r' counts; fgets() keeps the last byte for its NUL) is the longest
# line the launcher may write, whichever version it launches.
LONGEST_LINE = 4094

# The indent of new lines in a file that has no entry yet to copy it from.
_DEFAULT_INDENT = b"    "


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

    yaml = False  # what formats.py asks, so as not to import the other format to tell

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
        wide = len(data) >= 1 << 32
        self._sections = _Table(6, wide)  # start, header end, name begin, name end, first entry, first group
        self.kinds: list[str] = []  # each section's, in file order
        self._groups = _Table(5, wide)  # start, end, name begin, name end, first entry
        self._own = _Table(6, wide)  # start, end, key begin, key end, value begin, value end
        self._grouped = _Table(6, wide)  # entries of groups, as in _own
        # A line cut and joined at NUL bytes is no slice of `data`: what Fluent Bit read of
        # each such line that a row points into, by its start.
        self._joined: dict[int, bytes] = {}

    @property
    def sections(self) -> Sections:
        return Sections(self)

    @property
    def entry_indent(self) -> bytes:
        """The indent a new entry line takes: the file's, or four spaces where it has none yet."""
        return self.indent if self.indent is not None else _DEFAULT_INDENT

    def add_section(self, start: int, end: int, name: tuple[int, int], kind: str) -> None:
        self._sections.add(start, end, *name, len(self._own), len(self._groups))
        self.kinds.append(kind)

    def add_group(self, start: int, end: int, name: tuple[int, int]) -> None:
        self._groups.add(start, end, *name, len(self._grouped))

    def add_entry(self, grouped: bool, start: int, end: int, key: tuple[int, int], value: tuple[int, int]) -> None:
        table = self._grouped if grouped else self._own
        table.packed += table.row.pack(start, end, *key, *value)  # _Table.add(), without a call per entry

    def keep_line(self, start: int, content: bytes) -> None:
        """Record what Fluent Bit read of the line at `start` when that is not `data`'s bytes."""
        self._joined[start] = content

    def section(self, index: int, keys: frozenset[bytes] | None = None) -> Section:
        """The section at `index`, with only the own entries whose key is in `keys` if given."""
        start, header_end, name_begin, name_end, first_entry, first_group = self._sections.get(index)
        if index + 1 < len(self.kinds):
            stop_entry, stop_group = self._sections.get(index + 1)[4:]
        else:
            stop_entry, stop_group = len(self._own), len(self._groups)
        own = self._own
        body_end = own.get(stop_entry - 1)[1] if stop_entry > first_entry else header_end
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
        start, end, name_begin, name_end, first = self._groups.get(index)
        stop = self._groups.get(index + 1)[4] if index + 1 < len(self._groups) else len(self._grouped)
        return Group(self._line(start, end)[name_begin:name_end], self._entries(self._grouped, first, stop))

    def _entries(self, table: _Table, first: int, stop: int, keys: frozenset[bytes] | None = None) -> list[Entry]:
        # The hot loop of editing a large config, hence _line() and _Table.get() written out.
        data, joined = self.data, self._joined
        unpack, packed, size = table.row.unpack_from, table.packed, table.row.size
        entries = []
        for at in range(first * size, stop * size, size):
            start, end, key_begin, key_end, value_begin, value_end = unpack(packed, at)
            line = joined[start] if joined and start in joined else data[start:end]
            key = line[key_begin:key_end].lower()
            if keys is None or key in keys:
                entries.append(Entry(start, end, key, line[value_begin:value_end], line[:value_begin]))
        return entries

    def own_keys(self) -> set[bytes]:
        """The distinct keys of the sections' own entries, as written: read off the span table
        in one pass, without an Entry (or a line) per entry."""
        data, joined, table = self.data, self._joined, self._own
        rows = table.row.iter_unpack(table.packed)
        if joined:
            return {self._line(start, end)[begin:stop] for start, end, begin, stop, _, _ in rows}
        return {data[start + begin : start + stop] for start, _, begin, stop, _, _ in rows}

    def _line(self, start: int, end: int) -> bytes:
        joined = self._joined.get(start) if self._joined else None
        return joined if joined is not None else self.data[start:end]


class _Table:
    """Rows of unsigned integers packed into one bytearray: a few bytes a row, where a tuple of
    ints takes a hundred (and `array`, which would do too, imports `collections` at start-up)."""

    __slots__ = ("packed", "row")

    def __init__(self, width: int, wide: bool) -> None:
        self.row = Struct(f"={width}{'Q' if wide else 'I'}")
        self.packed = bytearray()

    def __len__(self) -> int:
        return len(self.packed) // self.row.size

    def add(self, *values: int) -> None:
        self.packed += self.row.pack(*values)

    def get(self, index: int) -> tuple[int, ...]:
        row: tuple[int, ...] = self.row.unpack_from(self.packed, index * self.row.size)
        return row


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


def within_line_limit(
    path: str, data: bytes, edits: Iterable[tuple[int, int, bytes]]
) -> Iterator[tuple[int, int, bytes]]:
    """`edits` of `data` as they are, refusing the first that writes a line past LONGEST_LINE,
    unless a line it replaces was already longer: Fluent Bit 1.9 never accepted that config."""
    for start, end, replacement in edits:
        if len(replacement) > LONGEST_LINE:
            longest = _longest_line(replacement)
            if longest > LONGEST_LINE and _longest_line(data[start:end]) <= LONGEST_LINE:
                raise ConfigError(
                    path,
                    data.count(b"\n", 0, start) + 1,
                    f"the edit here makes a line of {longest} bytes; Fluent Bit 1.9 (aws-for-fluent-bit:stable)"
                    f" refuses lines over {LONGEST_LINE} bytes",
                )
        yield start, end, replacement


def _longest_line(text: bytes) -> int:
    return max(len(line) for line in text.split(b"\n"))


def line_end(data: bytes, end: int) -> bytes:
    """The terminator of the line that ends at `end`: CRLF, LF, or none at the end of file."""
    if data[end - 1 : end] != b"\n":
        return b""
    return b"\r\n" if data[end - 2 : end] == b"\r\n" else b"\n"


def settings(doc: Document, kinds: Iterable[str], keys: frozenset[bytes] | None) -> Iterator[Setting]:
    """(path, line, kind, plugin, key, value) of each own entry whose key is in `keys` (lower
    case; every entry if None), in the sections of these kinds, in file order; `plugin` is the
    section's `name`.

    The diagnostics take this shape from every config format. Line numbers are counted as
    the entries come, so that the file is scanned once however many there are.
    """
    data = doc.data
    pos, line = 0, 1
    for section in doc.sections.of_kinds(kinds, None if keys is None else keys | {b"name"}):
        plugin = next((entry.value for entry in section.entries if entry.key == b"name"), b"")
        for entry in section.entries:
            if keys is None or entry.key in keys:
                line += data.count(b"\n", pos, entry.start)
                pos = entry.start
                key = fsdecode(entry.head.strip())
                yield (doc.path, line, section.kind, fsdecode(plugin), key, fsdecode(entry.value))


def buffers(doc: Document, reached: bool) -> Iterator[Buffer]:
    """The document's inputs and emitters, in file order (see Buffer)."""
    keys = frozenset((b"name", *BUFFER_KEYS[INPUT], *BUFFER_KEYS[FILTER]))
    pos, line = 0, 1
    for index, kind in enumerate(doc.kinds):
        if kind not in BUFFER_KEYS:
            continue
        section = doc.section(index, keys)
        found = {entry.key: entry.value for entry in section.entries}  # the last of a repeated key wins
        plugin = fsdecode(found.get(b"name", b""))
        if kind == FILTER and plugin.lower() not in EMITTERS:
            continue
        line += doc.data.count(b"\n", pos, section.start)
        pos = section.start
        limit_key, storage_key = BUFFER_KEYS[kind]
        filesystem = found.get(storage_key, b"").lower() == b"filesystem"
        yield Buffer(doc.path, line, kind, plugin, index, found.get(limit_key), filesystem, reached)


def may_matter(
    doc: Document, words: Iterable[bytes], keys: Iterable[bytes], odd: Callable[[bytes, bytes], bool]
) -> bool:
    """Whether settings() could give a check anything to report, judged from the raw bytes (see
    raw_may_matter; a line's value is the rest of its line after the key)."""
    if doc._joined:
        return True  # lines cut and joined at NUL bytes are not the raw lines
    return raw_may_matter(doc.data, words, {key: key for key in keys}, odd, lambda rest: rest.strip(_SPACE))
