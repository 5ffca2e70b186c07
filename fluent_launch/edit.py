"""Apply `-i/-f/-o/-s KEY VALUE` overrides to a parsed classic config.

Only the lines an override touches change: an existing key keeps its line, spelling and
alignment and gets the new value; later repeats of it in the same section go (a repeated
single-value key can stop Fluent Bit from starting); an absent key becomes a new line after
the section's last own entry, in the file's indent and line ending.
"""

from __future__ import annotations

from typing import NamedTuple

from fluent_launch.document import SERVICE, Document, Entry, Section, line_end, render

# New lines in a file that has no entry yet to copy the indent from.
_DEFAULT_INDENT = b"    "


class Override(NamedTuple):
    key: bytes  # as the user spelled it; matched without regard to case
    value: bytes


# Per section kind, the overrides keyed by lower-cased key, in the order first given.
Overrides = dict[str, dict[bytes, Override]]


class KindResult(NamedTuple):
    sections: int  # how many sections of the kind were edited (created ones included)
    created: bool  # a [SERVICE] had to be created


class Result(NamedTuple):
    data: bytes
    kinds: dict[str, KindResult]


def apply(doc: Document, overrides: Overrides) -> Result:
    """The document's bytes with every override applied, and what was touched."""
    edits: list[tuple[int, int, bytes]] = []
    indent = doc.indent if doc.indent is not None else _DEFAULT_INDENT
    kinds: dict[str, KindResult] = {}
    for kind, wanted in overrides.items():
        if not wanted:
            continue
        units = _units(doc.sections, kind)
        for entries, anchor in units:
            edits.extend(_edit_unit(doc, entries, anchor, wanted, indent))
        kinds[kind] = KindResult(len(units), False)
    if kinds.get(SERVICE) == KindResult(0, False):
        # Last in the list, so that at the end of the file it follows any key added there.
        edits.append(_new_service(doc, overrides[SERVICE], indent))
        kinds[SERVICE] = KindResult(1, True)
    return Result(render(doc.data, edits), kinds)


def _units(sections: list[Section], kind: str) -> list[tuple[list[Entry], int]]:
    """The groups of entries that each get one copy of every key, with where new keys go.

    Fluent Bit merges all [SERVICE] sections into one, so they are one unit, and a key new
    to all of them goes into the last one, after everything it could conflict with.
    """
    chosen = [section for section in sections if section.kind == kind]
    units = [(section.entries, _anchor(section)) for section in chosen]
    if kind == SERVICE and len(units) > 1:
        merged = [entry for section in chosen for entry in section.entries]
        return [(merged, units[-1][1])]
    return units


def _anchor(section: Section) -> int:
    return section.entries[-1].end if section.entries else section.header_end


def _edit_unit(
    doc: Document, entries: list[Entry], anchor: int, wanted: dict[bytes, Override], indent: bytes
) -> list[tuple[int, int, bytes]]:
    edits = []
    added = []
    for lowered, override in wanted.items():
        matches = [entry for entry in entries if entry.key == lowered]
        if not matches:
            added.append(indent + override.key + b" " + override.value)
            continue
        first = matches[0]
        if first.value != override.value:
            edits.append((first.start, first.end, first.head + override.value + line_end(doc.data, first.end)))
        edits.extend((repeat.start, repeat.end, b"") for repeat in matches[1:])
    if added:
        edits.append((anchor, anchor, _lines_after(doc, anchor, added)))
    return edits


def _new_service(doc: Document, wanted: dict[bytes, Override], indent: bytes) -> tuple[int, int, bytes]:
    # At the very end, after every @INCLUDE, so its values win over an included [SERVICE].
    lines = [b"[SERVICE]"] + [indent + override.key + b" " + override.value for override in wanted.values()]
    if doc.end:
        lines.insert(0, b"")
    return (doc.end, doc.end, _lines_after(doc, doc.end, lines))


def _lines_after(doc: Document, offset: int, lines: list[bytes]) -> bytes:
    """`lines` to insert at `offset`, which ends a line; an unterminated last line stays so."""
    newline = doc.newline
    if offset == 0 or doc.data[offset - 1] == 0x0A:
        return b"".join(line + newline for line in lines)
    return newline + newline.join(lines)
