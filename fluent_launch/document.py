"""The parsed form of a classic config: where each section and entry sits in the bytes.

The document never copies the file into another shape: it keeps the original bytes and the
byte spans of what Fluent Bit saw, so rendering an unedited document is the input itself and
an edit touches exactly the spans it names.
"""

from __future__ import annotations

from typing import NamedTuple

# Section kinds, as Fluent Bit names them (flb_config_format.c, get_section_type).
SERVICE = "service"
INPUT = "input"
FILTER = "filter"
OUTPUT = "output"


class Entry(NamedTuple):
    """One `key value` line (or NUL-joined run of physical lines) as Fluent Bit read it."""

    start: int  # offset of its first physical line
    end: int  # offset just past its last physical line, terminator included
    key: bytes  # trimmed and lower-cased, as Fluent Bit stores it
    value: bytes  # trimmed
    head: bytes  # what precedes the value: indent, key as spelled, separator


class Include(NamedTuple):
    """An `@INCLUDE path` line; Fluent Bit takes the path verbatim from after the space."""

    start: int
    end: int
    head: bytes  # `@INCLUDE ` as spelled
    path: bytes
    line: int


class Group(NamedTuple):
    name: bytes
    entries: list[Entry]


class Section:
    __slots__ = ("entries", "groups", "header_end", "kind", "name", "start")

    def __init__(self, name: bytes, kind: str, start: int, header_end: int) -> None:
        self.name = name
        self.kind = kind
        self.start = start
        self.header_end = header_end  # offset just past the header line
        self.entries: list[Entry] = []  # the section's own entries, not its groups'
        self.groups: list[Group] = []


class Document:
    __slots__ = ("data", "end", "includes", "indent", "metas", "newline", "path", "sections")

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.sections: list[Section] = []
        self.metas: list[tuple[bytes, bytes]] = []  # `@SET a=1` is (b"SET", b"a=1")
        self.includes: list[Include] = []
        # Just past the last line Fluent Bit reads: short of the file's end when a NUL byte in
        # the last line makes Fluent Bit drop it, and anything appended would join that line.
        self.end = 0
        # The indent string Fluent Bit fixed for this file (its first entry line's), if any.
        self.indent: bytes | None = None
        # The terminator new lines get: the file's first one, so CRLF files stay CRLF.
        first_lf = data.find(b"\n")
        self.newline = b"\r\n" if first_lf > 0 and data[first_lf - 1] == 0x0D else b"\n"


def render(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """`data` with each (start, end, replacement) applied; spans must not overlap."""
    out = []
    pos = 0
    for start, end, replacement in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        out.append(data[pos:start])
        out.append(replacement)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def line_end(data: bytes, end: int) -> bytes:
    """The terminator of the line that ends at `end`: CRLF, LF, or none at the end of file."""
    if data[end - 1 : end] != b"\n":
        return b""
    return b"\r\n" if data[end - 2 : end] == b"\r\n" else b"\n"
