"""Parse Fluent Bit's classic config format exactly as Fluent Bit 4.2.8 reads it.

A port of `read_config()` in Fluent Bit's src/config_format/flb_cf_fluentbit.c: what it
refuses we refuse at the same line, what it accepts we accept, and every quirk it has
(header prefixes, the per-file indent, NUL bytes that join lines) is kept, because the
launcher must never refuse a config that Fluent Bit would run, nor edit a key Fluent Bit
does not see. `@INCLUDE` lines are left for Fluent Bit to follow.
"""

from __future__ import annotations

from fluent_launch.classic.document import Document, Include, line_end, within_line_limit
from fluent_launch.edits import render
from fluent_launch.errors import ConfigError
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE

if TYPE_CHECKING:
    from collections.abc import Iterator

# Fluent Bit's line buffer starts at this size, doubles whenever a read does not end a
# line, and gives up once it would pass the hard limit.
_FIRST_BUFFER = 4096
BUFFER_LIMIT = 32 * 1024 * 1024
# How much of a file is split into lines at once on the fast path.
_BLOCK = 64 * 1024

# C's isblank() and isspace() in the C locale, which Fluent Bit uses for indents and trims.
_BLANK = b" \t"
_SPACE = b" \t\n\v\f\r"

_UTF8_BOM = b"\xef\xbb\xbf"

# What a line is, before its indent is looked at (see `_statement`).
_SKIP = "skip"
_META = "meta"
_HEADER = "header"
_INDENTED = "indented"

# Tried in this order with strncasecmp(name, keyword, len(name)): a header name that is a
# prefix of a keyword gets its kind, so `[IN]` is an input and `[SERV]` the service.
_KINDS = (
    (b"service", SERVICE),
    (b"parser", "parser"),
    (b"multiline_parser", "multiline_parser"),
    (b"stream_processor", "stream_processor"),
    (b"plugins", "plugins"),
    (b"upstream_servers", "upstream_servers"),
    (b"custom", "custom"),
    (b"customs", "custom"),
    (b"input", INPUT),
    (b"inputs", INPUT),
    (b"filter", FILTER),
    (b"filters", FILTER),
    (b"output", OUTPUT),
    (b"outputs", OUTPUT),
)


# The names nearly every header has, found without trying each prefix.
_EXACT_KINDS = dict(_KINDS)


def section_kind(name: bytes) -> str:
    """The kind Fluent Bit gives a section called `name` ("other" when none fits)."""
    lowered = name.lower()
    exact = _EXACT_KINDS.get(lowered)
    if exact is not None:
        return exact
    for keyword, kind in _KINDS:
        if keyword.startswith(lowered):
            return kind
    return "other"


def parse(data: bytes, path: str) -> Document:
    """Read a classic config; raise ConfigError where Fluent Bit would refuse it."""
    try:
        return _parse(data, path)
    except ConfigError as error:
        if error.line == 1 and data.startswith(_UTF8_BOM):
            # Fluent Bit reads the mark as text too; its message does not say so, ours can.
            raise ConfigError(path, 1, f"{error.message} (the file starts with a UTF-8 byte order mark)") from None
        raise


def _parse(data: bytes, path: str) -> Document:
    doc = Document(path, data)
    # Lines cut at NUL bytes are not slices of `data`, so the document keeps their text.
    keep_lines = b"\0" in data
    in_section = False
    in_group = False
    keys_since_open = 0  # entries since the last section or group opened

    for number, content, start, end in _logical_lines(data, path):
        doc.end = end
        statement = _statement(content)
        # 1. Blank lines and comments. Only an empty line is blank: whitespace is an indent.
        if statement is _SKIP:
            continue

        # 2. `@INCLUDE path` is Fluent Bit's to follow; other `@` lines are meta commands.
        if statement is _META:
            if len(content) > 9 and content[:9].lower() == b"@include ":
                doc.includes.append(Include(start, end, content[:9], content[9:], number))
                continue
            space = content.find(b" ")
            if space < 0:
                raise ConfigError(path, number, "meta command has no value")
            # `@ x` has an empty name, and Fluent Bit then takes strlen() of the rest.
            name = content[1:space] if space > 1 else content[1:]
            doc.metas.append((name.strip(_SPACE), content[space + 1 :].strip(_SPACE)))
            continue

        if keep_lines:
            doc.keep_line(start, content)
        # 3. A section header: the name runs to the first ']'; what follows it is ignored.
        if statement is _HEADER:
            close = content.find(b"]")
            if close < 0:
                raise ConfigError(path, number, "bad header definition: no ']'")
            # `[]` makes Fluent Bit fall back to strlen(), so the name is the rest of the line.
            name_end = close if close > 1 else len(content)
            doc.add_section(start, end, (1, name_end), section_kind(content[1:name_end]))
            in_section = True
            in_group = False
            keys_since_open = 0
            continue

        # 4. Indentation. The first other line fixes the file's indent: its first byte, even
        #    when that is not a blank, plus the blanks after it.
        if doc.indent is None:
            width = 1
            while width < len(content) and content[width] in _BLANK:
                width += 1
            doc.indent = content[:width]
            doc.indent_line = number
            if width == len(content):
                continue
        size = len(doc.indent)
        if content.startswith(doc.indent) and len(content) > size and content[size] not in _BLANK:
            level, grouped = size, False  # the common case, without the checks for every other
        else:
            level, grouped = _indent_level(content, doc.indent, path, number)
        in_group = in_group and grouped
        if level == len(content) or content[level] == 0x23:  # an indent-only line, or an indented comment
            continue

        # 5. `key value`, split at the first space (a tab does not separate), or a group.
        space = content.find(b" ", level)
        if space < 0:
            raise ConfigError(path, number, "undefined value: an entry needs 'key value'")
        if content[level] == 0x5B:  # '['
            close = content.find(b"]", level)
            if close < 0:
                raise ConfigError(path, number, "expected a valid group name: [..]")
            if not in_section:
                raise ConfigError(path, number, "group outside of any section")
            if in_group and keys_since_open == 0:
                raise ConfigError(path, number, "previous group did not have keys")
            # Fluent Bit makes no group of `[]` and keeps filling the one before it.
            if close > level + 1:
                doc.add_group(start, end, (level + 1, close))
                in_group = True
                keys_since_open = 0
            continue
        if space == len(content) - 1:
            raise ConfigError(path, number, "key has an empty value")
        key = (level, space)
        value = (space + 1, len(content))
        # Trimming is rarely needed: the indent check left no blank before the key.
        if (
            content[level] in _SPACE
            or content[space - 1] in _SPACE
            or content[space + 1] in _SPACE
            or content[-1] in _SPACE
        ):
            key = _trimmed(content, level, space)
            value = _trimmed(content, space + 1, len(content))
            if key[0] == key[1] or value[0] == value[1]:
                raise ConfigError(path, number, "key or value is only whitespace")
        if not in_section:
            raise ConfigError(path, number, "entry outside of any section")
        doc.add_entry(in_group, start, end, key, value)
        keys_since_open += 1
    return doc


def _trimmed(content: bytes, begin: int, end: int) -> tuple[int, int]:
    """Where `content[begin:end]` starts and ends once trimmed like Fluent Bit's trim()."""
    part = content[begin:end]
    stripped = part.lstrip(_SPACE)
    first = begin + len(part) - len(stripped)
    return first, first + len(stripped.rstrip(_SPACE))


def _indent_level(content: bytes, indent: bytes, path: str, number: int) -> tuple[int, bool]:
    """Where an entry line's text starts, and whether it is indented twice (group content)."""
    size = len(indent)
    if not content.startswith(indent):
        matched = 0
        while matched < len(content) and content[matched] == indent[matched]:
            matched += 1
        # check_indent(): a blank where the indent differs means tabs and spaces were mixed.
        mixed = content[matched : matched + 1] in (b" ", b"\t")
        why = "inconsistent use of tab and space" if mixed else "indentation level is too low"
        raise ConfigError(path, number, f"invalid indentation level: {why} (this file's indent is {describe(indent)})")
    extra = size
    while extra < len(content) and content[extra] in _BLANK:
        extra += 1
    extra -= size
    if extra == 0:
        return size, False
    if extra == size:
        return 2 * size, True
    raise ConfigError(
        path,
        number,
        f"invalid indentation level: extra indentation level found (this file's indent is {describe(indent)})",
    )


def describe(indent: bytes) -> str:
    """An indent as a person reads it: `4 spaces`, `1 tab and 2 spaces`, `'N' and 1 space`
    (the first line of a file fixes its indent, whatever its first byte is)."""
    runs: list[list[int]] = []  # [byte, count]
    for byte in indent:
        if runs and runs[-1][0] == byte:
            runs[-1][1] += 1
        else:
            runs.append([byte, 1])
    names = {32: "space", 9: "tab"}
    parts = [
        f"{count} {names[byte]}{'s' if count > 1 else ''}"
        if byte in names
        else repr(chr(byte) * count)
        if 32 < byte < 127
        else f"{count} byte{'s' if count > 1 else ''} 0x{byte:02X}"
        for byte, count in runs
    ]
    return " and ".join(parts)


def _logical_lines(data: bytes, path: str) -> Iterator[tuple[int, bytes, int, int]]:
    """Yield (line number, content, start, end) for each line as Fluent Bit's fgets() loop sees it.

    Usually a line is one physical line without its `\\n` (and one `\\r` before that). Fluent
    Bit measures what it read with strlen(), so a NUL byte cuts the line there and the next
    physical line is appended to what came before it; each such short read, like each read
    of a line longer than the buffer, doubles the buffer, and past 32 MiB the file is refused.
    `start` and `end` are the byte span of all the physical lines one logical line took.
    """
    buffer = _FIRST_BUFFER
    number = 0
    pos = 0
    size = len(data)
    has_nul = b"\0" in data
    while pos < size:
        if not has_nul:
            # Most lines: whole blocks split at once, up to a line that does not fit the buffer.
            block_end = data.rfind(b"\n", pos, pos + _BLOCK)
            for line in data[pos:block_end].split(b"\n") if block_end >= 0 else ():
                if len(line) >= buffer - 1:
                    break
                number += 1
                start = pos
                pos += len(line) + 1
                yield number, line[:-1] if line.endswith(b"\r") else line, start, pos
            else:
                if block_end >= 0:
                    continue
        # One line the slow way, as fgets() reads it into the growing buffer.
        start = pos
        pending: list[bytes] = []  # what strlen() still sees of the line so far
        filled = 0
        complete = False
        while pos < size:
            newline = data.find(b"\n", pos)
            stop = size if newline < 0 else newline + 1
            room = buffer - filled - 1  # fgets() reads at most this many bytes
            chunk_end = min(stop, pos + room)
            chunk = data[pos:chunk_end]
            # feof() is set only when fgets() ran out of file before filling its room.
            at_eof = newline < 0 and chunk_end == size and chunk_end - pos < room
            pos = chunk_end
            nul = chunk.find(b"\0")
            if nul >= 0:
                chunk = chunk[:nul]
            pending.append(chunk)
            filled += len(chunk)
            if at_eof or (nul < 0 and chunk.endswith(b"\n")):
                complete = True
                break
            buffer *= 2
            if buffer > BUFFER_LIMIT:
                raise ConfigError(path, number + 1, "line longer than Fluent Bit's 32 MiB limit")
        if not complete:
            return  # fgets() hit the end with a partial line: Fluent Bit drops it too
        number += 1
        line = b"".join(pending) if len(pending) > 1 else pending[0]
        if line.endswith(b"\n"):
            line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
        yield number, line, start, pos


def reindent(data: bytes, path: str, old: bytes, new: bytes) -> bytes:
    """`data` (a config Fluent Bit accepts, indented with `old`) indented with `new` instead.

    Fluent Bit fixes the indent per file, so a file pasted into another must take the other's
    indent to be read the same; every line `parse` checks the indent of is rewritten, each
    keeping its level (once, or twice for group content).
    """
    edits = []
    for _, content, start, end in _logical_lines(data, path):
        if _statement(content) is _INDENTED:
            twice = content[len(old) : len(old) + 1] in (b" ", b"\t")
            text = new * 2 + content[2 * len(old) :] if twice else new + content[len(old) :]
            edits.append((start, end, text + line_end(data, end)))
    return render(data, within_line_limit(path, data, edits))


def _statement(content: bytes) -> str:
    """Which of `parse`'s steps reads a line; `_INDENTED` ones have their indent checked."""
    if not content or content[0] == 0x23:  # '#'
        return _SKIP
    if content[0] == 0x40 and len(content) > 3:  # '@'; shorter ones are indented text
        return _META
    return _HEADER if content[0] == 0x5B else _INDENTED  # '['
