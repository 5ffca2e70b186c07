"""Apply `-i/-f/-o/-s KEY VALUE` overrides to a parsed classic config.

Only the lines an override touches change: an existing key keeps its line, spelling and
alignment and gets the new value; later repeats of it in the same section go (a repeated
single-value key can stop Fluent Bit from starting); an absent key becomes a new line after
the section's last own entry, in the file's indent and line ending.
"""

from __future__ import annotations

import itertools
import os

from fluent_launch.classic import parse
from fluent_launch.classic.document import Document, Entry, Section, line_end, within_line_limit
from fluent_launch.edits import KindResult, Override, Overrides, Replaced, Result, render
from fluent_launch.errors import ConfigError
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import SERVICE

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator


def apply(doc: Document, overrides: Overrides, each: dict[int, dict[bytes, Override]] | None = None) -> Result:
    """The document's bytes with every override applied, and what was touched. With `each`,
    only the sections at those indexes are edited, each with its own overrides (and the
    [SERVICE] with `overrides`' own)."""
    wanted = {kind: keys for kind, keys in overrides.items() if keys}
    kinds = {kind: KindResult(doc.kinds.count(kind), False) for kind in wanted}
    # Fluent Bit merges all [SERVICE] sections into one, so they are one unit, and a key new
    # to all of them goes into the last one, after everything it could conflict with.
    replaced: Replaced = {}
    service_edits = []
    if SERVICE in wanted:
        services = list(doc.sections.of_kinds((SERVICE,), frozenset(wanted[SERVICE])))
        if services:
            merged = [entry for section in services for entry in section.entries]
            unit = _edit_unit(doc, merged, services[-1].body_end, SERVICE, wanted[SERVICE], replaced)
            service_edits = sorted(unit)
            kinds[SERVICE] = KindResult(1, False)
        else:
            kinds[SERVICE] = KindResult(1, True)
    if each is None:
        keys = frozenset(key for kind, wanted_keys in wanted.items() if kind != SERVICE for key in wanted_keys)
        units = ((section, wanted[section.kind]) for section in doc.sections.of_kinds(wanted.keys() - {SERVICE}, keys))
    else:
        units = ((doc.section(index, frozenset(each[index])), each[index]) for index in sorted(each))
    edits: Iterable[tuple[int, int, bytes]] = _in_file_order(doc, units, service_edits, replaced)
    if kinds.get(SERVICE, KindResult(0, False)).created:
        # At the very end, after every @INCLUDE, so its values win over an included [SERVICE].
        edits = itertools.chain(edits, (_new_service(doc, wanted[SERVICE]),))
    nul = b"\0" in doc.data
    if nul:
        edits = list(edits)  # looked at again below: a config with NUL bytes is a small one
    data = render(doc.data, within_line_limit(doc.path, doc.data, edits))
    if nul or len(data) > parse.BUFFER_LIMIT:
        edited = _check_still_accepted(doc.path, data)
        if nul:
            _check_read_alike(doc, edited, edits)
    return Result(data, kinds, replaced)


def _in_file_order(
    doc: Document,
    units: Iterator[tuple[Section, dict[bytes, Override]]],
    service_edits: list[tuple[int, int, bytes]],
    replaced: Replaced,
) -> Iterator[tuple[int, int, bytes]]:
    """Every edit in file order: the other kinds' made one section at a time, so that memory
    stays at one section's edits however large the config, and the [SERVICE] unit's, made
    beforehand, each before the first section that starts after it (or where it inserts: at
    the end of the last [SERVICE], which may be where the next section starts)."""
    pending = 0
    for section, wanted in units:
        while pending < len(service_edits) and service_edits[pending][0] <= section.start:
            yield service_edits[pending]
            pending += 1
        yield from sorted(_edit_unit(doc, section.entries, section.body_end, section.kind, wanted, replaced))
    yield from service_edits[pending:]


def _check_still_accepted(path: str, data: bytes) -> Document:
    """The edited config as Fluent Bit reads it; refuse an edit that would make Fluent Bit refuse it.

    Only NUL bytes (each short read doubles Fluent Bit's line buffer, and terminating the last
    line makes it one) and lines near the 32 MiB limit can do that, so only configs with them
    are read again.
    """
    try:
        return parse.parse(data, path)
    except ConfigError as error:
        raise ConfigError(path, error.line, f"Fluent Bit would refuse the edited config: {error.message}") from None


def _check_read_alike(doc: Document, edited: Document, edits: Iterable[tuple[int, int, bytes]]) -> None:
    """Refuse an edit after which Fluent Bit would read the lines it did not touch otherwise.

    Fluent Bit's line buffer grows with every read a NUL byte cuts short, and its size decides
    where a long line is cut and joined to the next: an edit that removes or adds NUL bytes
    (replacing a value that held some) can make a later line read as an entry of its own, or
    an entry's line as part of another's. So every entry the edit did not touch must be read
    again with the same key and value, where the edit moved it, in a section of the same
    kind, and no other entry may appear outside the lines the edit wrote.
    """
    made = sorted(edits)
    untouched: dict[int, tuple[str, bytes, bytes]] = {}
    at = shift = 0
    for start, end, kind, key, value in _readings(doc):
        while at < len(made) and made[at][1] <= start:
            shift += len(made[at][2]) - (made[at][1] - made[at][0])
            at += 1
        if at == len(made) or end <= made[at][0]:
            untouched[start + shift] = (kind, key, value)
    written = []
    shift = 0
    for start, end, replacement in made:
        written.append((start + shift, start + shift + len(replacement)))
        shift += len(replacement) - (end - start)
    alike = 0
    for start, _, kind, key, value in _readings(edited):
        if untouched.get(start) == (kind, key, value):
            alike += 1
        elif start in untouched or not any(begin <= start < end for begin, end in written):
            break
    else:
        if alike == len(untouched):
            return
    raise ConfigError(
        doc.path,
        doc.data.count(b"\n", 0, made[0][0]) + 1 if made else 1,
        "cannot edit here: the NUL bytes in this config would make Fluent Bit read the lines after the edit"
        " otherwise than before it",
    )


def _readings(doc: Document) -> list[tuple[int, int, str, bytes, bytes]]:
    """(start, end, section kind, key, value) of every entry, groups' too, in file order."""
    found = []
    for index, kind in enumerate(doc.kinds):
        section = doc.section(index)
        for entry in [*section.entries, *(entry for group in section.groups for entry in group.entries)]:
            found.append((entry.start, entry.end, kind, entry.key, entry.value))
    return sorted(found)


def _edit_unit(
    doc: Document, entries: list[Entry], anchor: int, kind: str, wanted: dict[bytes, Override], replaced: Replaced
) -> list[tuple[int, int, bytes]]:
    edits = []
    added = []
    for lowered, override in wanted.items():
        matches = [entry for entry in entries if entry.key == lowered]
        if not matches:
            added.append(_entry_line(doc, override))
            continue
        first = matches[0]
        if first.value != override.value:
            replaced.setdefault((kind, lowered), {})[first.value] = None
            edits.append((first.start, first.end, first.head + override.value + line_end(doc.data, first.end)))
        edits.extend((repeat.start, repeat.end, b"") for repeat in matches[1:])
    if added:
        edits.append((anchor, anchor, _lines_after(doc, anchor, added)))
    return edits


def _entry_line(doc: Document, override: Override) -> bytes:
    indent = doc.entry_indent
    if indent.startswith(b"@"):
        # Every entry line of the file must start with its indent, and one starting with '@'
        # is a command to Fluent Bit: this file can hold no entry at all.
        raise ConfigError(
            doc.path,
            doc.indent_line,
            f"cannot add {os.fsdecode(override.key)}: Fluent Bit fixed this file's indent here as {indent!r},"
            " and a line starting with '@' is a command, not an entry",
        )
    return indent + override.key + b" " + override.value


def _new_service(doc: Document, wanted: dict[bytes, Override]) -> tuple[int, int, bytes]:
    lines = [b"[SERVICE]"] + [_entry_line(doc, override) for override in wanted.values()]
    if doc.end:
        lines.insert(0, b"")
    return (doc.end, doc.end, _lines_after(doc, doc.end, lines))


def _lines_after(doc: Document, offset: int, lines: list[bytes]) -> bytes:
    """`lines` to insert at `offset`, which ends a line; an unterminated last line stays so."""
    newline = doc.newline
    if offset == 0 or doc.data[offset - 1] == 0x0A:
        return b"".join(line + newline for line in lines)
    # The file ends in the middle of that line. Once terminated, Fluent Bit drops one CR
    # before its LF, so a line ending in CR keeps it only behind another; and a NUL in it
    # would make Fluent Bit join the next line to it, so an empty line goes first to be what
    # it joins.
    last = doc.data[doc.data.rfind(b"\n", 0, offset) + 1 : offset]
    terminator = b"\r\n" if last.endswith(b"\r") else newline
    return terminator + (newline if b"\0" in last else b"") + newline.join(lines)
