"""Read YAML as Fluent Bit configs are written in it: a tree of nodes, each with its byte span.

Not a general YAML library: a reader of the YAML that Fluent Bit configs are written in
(block and flow collections, plain, quoted and block scalars on one line or spanning lines,
comments, anchors and tags, explicit `?` keys, several documents, `%YAML`/`%TAG` directives),
keeping where each node sits in the bytes so that an edit replaces exactly the spans it names
and an unedited document renders to the input. What it does not read exactly (NEL, U+2028
and U+2029 as line breaks, keys other than scalars on their line) is refused, as is what libyaml
refuses (aliases, syntax errors). What Fluent Bit makes of the tree is parse.py's.
"""

from __future__ import annotations

from _operator import add  # not `operator`: a Python module whose import is 0.3 ms of a start
from itertools import accumulate, count, islice
from struct import pack

from fluent_launch.errors import ConfigError
from fluent_launch.records import TYPE_CHECKING

# What may appear in a YAML stream besides printable Unicode: tab, LF, CR.
_CONTROL = bytes(range(0x20)).replace(b"\t", b"").replace(b"\n", b"").replace(b"\r", b"") + b"\x7f"
# Unicode line breaks YAML 1.1 knows (NEL, LS, PS): lines this reader does not count.
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")
_BLANK = b" \t"
# What a key or value read by the fast path may start with: nothing YAML gives a meaning.
_SIMPLE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./$")
# libyaml's anchor names, and the tags this reader takes (!, !name, !!name).
_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# A plain scalar cannot start with these (libyaml: reserved or meaning something else).
_NOT_PLAIN_START = frozenset(b",[]{}#&*!|>'\"%@`")
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")

# The top-level keys Fluent Bit knows (compared without regard to case), and what each becomes.
# How deep collections may nest. libyaml 0.2.5, which Fluent Bit links in Debian's and Amazon
# Linux's builds, reads any depth; later libyaml refuses past 1000 levels. This reader takes
# ten times that and refuses beyond, where its frames would take tens of MiB.
MAX_DEPTH = 10_000
_NOT_A_KEY = "a mapping key must be a scalar: Fluent Bit takes no list or mapping as a key"
# The tag handles every document knows without a %TAG directive.
_HANDLES = frozenset((b"!", b"!!"))

# Below this size a config's plugins keep their pairs once asked for (see Mapping.pairs).
_KEEP_PAIRS_BELOW = 64 * 1024


class Scalar:
    __slots__ = ("end", "line", "start", "style", "tagged", "value")

    def __init__(self, start: int, end: int, value: str, style: str, line: int, tagged: bool) -> None:
        self.start = start  # the scalar itself, after any anchor or tag
        self.end = end
        self.value = value
        self.style = style  # plain, single, double, literal, folded, or empty (no text at all)
        self.line = line
        self.tagged = tagged


class Mapping:
    __slots__ = ("_pairs", "close", "column", "end", "flow", "line", "start")

    def __init__(self, start: int, line: int, column: int, flow: bool) -> None:
        self.start = start
        self.line = line
        self.column = column  # of its keys (block style)
        self.flow = flow
        # Its pairs; or, when they are one run of lines the fast path reads, the file's bytes
        # to read them again from when asked for: held for every plugin of a large config,
        # their objects would take twenty times its size.
        self._pairs: list[tuple[Scalar, Node]] | bytes = []
        self.end = start  # just past its last value (flow style: past the '}')
        self.close = start  # flow style: the offset of its '}'

    @property
    def pairs(self) -> list[tuple[Scalar, Node]]:
        pairs = self._pairs
        if isinstance(pairs, list):
            return pairs
        found = _reread(self, pairs)
        if len(pairs) < _KEEP_PAIRS_BELOW:
            # A small file's pairs are kept once read: the edit, the paths and the checks each
            # ask for them, and reading them again costs more than holding them.
            self._pairs = found
        return found

    @property
    def simple(self) -> bool:
        """Whether its pairs are one run of lines the fast path reads (so all values are scalars)."""
        return isinstance(self._pairs, bytes)


class Sequence:
    __slots__ = ("end", "flow", "items", "line", "start")

    def __init__(self, start: int, line: int, flow: bool) -> None:
        self.start = start
        self.line = line
        self.flow = flow
        self.items: list[Node] = []
        self.end = start


if TYPE_CHECKING:
    from typing import Union

    Node = Union[Scalar, Mapping, Sequence]


class Reader:
    """One pass over a file's lines: `documents()` gives each document's top-level mapping."""

    def __init__(self, data: bytes, path: str) -> None:
        self.path = path
        self.data = data
        # Searched for byte by byte rather than deleted: freeing a copy of a large file would make
        # malloc keep what follows on its heap, which it never gives back.
        if any(map(data.__contains__, _CONTROL)):
            self._check_bytes()
        try:
            # ASCII is UTF-8: a large generated config is not copied to check it.
            text = data.decode("utf-8") if not data.isascii() else ""
        except UnicodeDecodeError as error:
            raise ConfigError(
                path, data.count(b"\n", 0, error.start) + 1, "invalid UTF-8: YAML must be UTF-8"
            ) from None
        if text:
            for at, char in enumerate(text):
                if char in _ODD_BREAKS:
                    raise ConfigError(path, text.count("\n", 0, at) + 1, f"unsupported line break U+{ord(char):04X}")
                if "\x80" <= char <= "\x9f" or char in "\ufffe\uffff" or (char == "\ufeff" and at):
                    raise ConfigError(
                        path, text.count("\n", 0, at) + 1, f"character U+{ord(char):04X} not allowed in YAML"
                    )
        self.open_block: int | None = None  # the line of a block scalar the file ends in, unterminated
        self.depth = 0  # of the collection being read: how many it is nested in, and itself
        self.handles = _HANDLES  # the tag handles the document being read knows
        self.tag_handles = False  # whether a %TAG directive declared one
        self.spanning = False  # whether a plain scalar spans lines
        # Most generated configs have neither: then no line needs looking for them.
        self.hashes_or_tabs = b"#" in data or b"\t" in data
        self.bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
            # A CR on its own is a line break to libyaml as LF and CRLF are: the reader reads a
            # copy with an LF for it, of the same length, so that every offset holds for both.
            data = data.replace(b"\r\n", b"\0\0").replace(b"\r", b"\n").replace(b"\0\0", b"\r\n")
            self.data = data  # (no NUL is left in a file read this far)
        raw = data.split(b"\n")
        if not raw[-1]:
            raw.pop()  # what follows the last line break is no line
        # Each line's offset: the lengths before it, plus a line break each (written with
        # C-level iterators: this is the one step taken for every line of a large config).
        starts = list(map(add, accumulate(map(len, raw), initial=0), range(len(raw))))
        self.lines = raw
        if b"\r" in data:
            self.lines = [line[:-1] if line.endswith(b"\r") else line for line in raw]  # CRLF
        if self.bom:
            # The mark is no text: the first line starts after it, which offset() then counts.
            starts[0] = 3
            self.lines[0] = self.lines[0][3:]
        # Packed, 8 bytes a line: a list's int objects would take 40.
        self.starts = memoryview(pack(f"{len(starts)}q", *starts)).cast("q")

    def _check_bytes(self) -> None:
        for index, byte in enumerate(self.data):
            if byte in _CONTROL:
                raise ConfigError(
                    self.path, self.data.count(b"\n", 0, index) + 1, "control character not allowed in YAML"
                )

    def error(self, row: int, message: str) -> ConfigError:
        return ConfigError(self.path, row + 1, message)

    def deeper(self, row: int) -> None:
        """A collection starts at `row`, one level deeper (the caller's `finally` goes back up)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(row, f"collections nested more than {MAX_DEPTH} deep (fluent-launch reads no deeper)")

    def offset(self, row: int, col: int) -> int:
        return self.starts[row] + col if row < len(self.lines) else len(self.data)

    # -- positions ------------------------------------------------------------------------

    def skip(self, row: int, col: int, flow: bool = False) -> tuple[int, int]:
        """The next content at or after (row, col): blanks, comments and empty lines skipped."""
        lines = self.lines
        while row < len(lines):
            line = lines[row]
            size = len(line)
            begin = col
            while col < size and line[col] in _BLANK:
                col += 1
            if not flow and begin == 0 and 0x09 in line[:col]:
                # libyaml takes a tab in a block line's leading blanks for the start of a token.
                raise self.error(row, "a tab in indentation (YAML allows only spaces)")
            if col < size and line[col] != 0x23:  # '#'
                return row, col
            row += 1
            col = 0
        return row, 0

    def after_node(self, row: int, col: int) -> None:
        """What follows a node on its line may only be blanks and a comment."""
        line = self.lines[row]
        if col >= len(line):
            return
        rest = line[col:]
        stripped = rest.lstrip(_BLANK)
        if stripped and not (stripped[0] == 0x23 and len(stripped) < len(rest)):
            raise self.error(row, f"unexpected text after a value: {stripped[:20].decode(errors='replace')!r}")

    # -- document -------------------------------------------------------------------------

    def documents(self) -> list[Mapping]:
        """Each document's top-level mapping, in order: Fluent Bit reads a stream's documents one
        after the other into one config. Each is a mapping (an empty document is a null node,
        for which Fluent Bit has no state); all but the first start with '---', and directives
        before one apply to it alone."""
        lines = self.lines
        roots: list[Mapping] = []
        row, col = self.skip(0, 0)
        while True:
            directives = row
            self.handles = _HANDLES
            declared: set[bytes] = set()
            while row < len(lines) and col == 0 and lines[row][:1] == b"%":
                self._directive(row, declared, directives)
                row, col = self.skip(row + 1, 0)
            if row >= len(lines) and row == directives:
                return roots
            marker_row = -1
            if row < len(lines) and col == 0 and self._marker(row, b"---"):
                marker_row = row
                row, col = self.skip(row, 3)
            elif roots or row != directives:
                raise self.error(
                    min(row, end_line(self.data) - 1), "expected '---', the start of a document (libyaml refuses it)"
                )
            if row >= len(lines) or (
                col == 0 and (self._marker(row, b"...") or self._marker(row, b"---") or lines[row][:1] == b"%")
            ):
                raise self.error(
                    row if row < len(lines) else end_line(self.data) - 1,
                    "the document is empty: Fluent Bit expects a mapping",
                )
            node, row, col = self.block_node(row, col, -1)
            if not isinstance(node, Mapping):
                raise self.error(node.line - 1, "the document must be a mapping (service:, pipeline:, ...)")
            if node.line - 1 == marker_row and not node.flow:
                raise self.error(marker_row, "a block mapping cannot start on the '---' line")
            roots.append(node)
            row, col = self.skip(row, col)
            ended = row
            while row < len(lines) and col == 0 and self._marker(row, b"..."):
                row, col = self.skip(row, 3)
            if (
                row == ended
                and row < len(lines)
                and not (col == 0 and (self._marker(row, b"---") or lines[row][:1] == b"%"))
            ):
                raise self.error(row, "unexpected content (check the indentation)")

    def _directive(self, row: int, declared: set[bytes], first: int) -> None:
        """A %YAML or %TAG directive line, checked as libyaml checks it (a %TAG prefix with a '%'
        escape is refused: this reader does not decode it). `declared` are the tag handles the
        document's directives before it declared (from row `first` on)."""
        import re  # only here: few configs have directives

        line = self.lines[row]
        name = re.match(rb"%([0-9A-Za-z_-]*)", line)
        assert name is not None
        if name[1] == b"YAML":
            version = re.fullmatch(rb"%YAML[ \t]+([0-9]{1,9})\.([0-9]{1,9})[ \t]*(?:#.*)?", line)
            if version is None:
                raise self.error(row, "a %YAML directive is '%YAML 1.1' or '%YAML 1.2'")
            if any(self.lines[other].startswith(b"%YAML") for other in range(first, row)):
                raise self.error(row, "a second %YAML directive for one document (libyaml refuses it)")
            if int(version[1]) != 1 or int(version[2]) not in (1, 2):
                raise self.error(row, "libyaml reads only YAML 1.1 and 1.2 (%YAML 1.1, %YAML 1.2)")
        elif name[1] == b"TAG":
            tag = re.fullmatch(
                rb"%TAG[ \t]+(!(?:[0-9A-Za-z_-]*!)?)[ \t]+[0-9A-Za-z_\-;/?:@&=+$,.!~*'()\[\]]+(?:[ \t]+(?:#.*)?)?", line
            )
            if tag is None:
                raise self.error(row, "a %TAG directive is '%TAG !handle! prefix' (no '%' escapes)")
            if tag[1] in declared:
                raise self.error(row, f"a second %TAG directive for {tag[1].decode()} (libyaml refuses it)")
            declared.add(tag[1])
            self.tag_handles = True
            self.handles = self.handles | {tag[1]}
        else:
            raise self.error(row, "unknown directive: libyaml knows only %YAML and %TAG")

    def _marker(self, row: int, marker: bytes) -> bool:
        line = self.lines[row]
        return line.startswith(marker) and (len(line) == 3 or line[3] in _BLANK)

    # -- block nodes ------------------------------------------------------------------------

    def block_node(
        self, row: int, col: int, parent: int, after_key: bool = False, tagged: bool = False
    ) -> tuple[Node, int, int]:
        """The node whose content starts at (row, col), in a block whose indent is `parent`
        (the value of a key with `after_key`; tagged on an earlier line with `tagged`). Returns it
        and the position just past it (on its last line)."""
        begin = row, col
        found, row, col = self.properties(row, col, parent)
        tagged = tagged or found
        had = (row, col) != begin  # an anchor or a tag
        if had:
            next_row, next_col = self.skip(row, col)
            if next_row != row:  # they end their line: the node is below them, or empty
                if not self._starts_below(next_row, next_col, parent, after_key):
                    return self._empty(row, col, tagged)
                had = False  # (they are the node's below, a collection's too)
            row, col = next_row, next_col
        line = self.lines[row]
        char = line[col] if col < len(line) else 0
        if char == 0x2D and (col + 1 == len(line) or line[col + 1] in _BLANK):  # '- '
            if had:
                raise self.error(row, "an anchor or tag before a block sequence is not supported")
            return self.block_sequence(row, col)
        if char in (0x7C, 0x3E):  # '|', '>'
            return self.block_scalar(row, col, parent, tagged)
        if char == 0x3F and (col + 1 == len(line) or line[col + 1] in _BLANK):
            if had:
                raise self.error(row, "an anchor or tag before a mapping is not supported")
            return self.block_mapping(row, col, None, -1)
        if char in (0x5B, 0x7B):  # '[', '{'
            node, end_row, end_col = self.flow_node(row, col, parent)
            if self._is_key_colon(end_row, end_col):
                raise self.error(row, _NOT_A_KEY)
            return node, end_row, end_col
        scalar, end_row, end_col = self.scalar(row, col, False, tagged, parent)
        if self._is_key_colon(end_row, end_col):
            if end_row != row:
                raise self.error(end_row, f"a mapping key cannot span lines (the one on line {row + 1})")
            if had:
                raise self.error(row, "an anchor or tag before a mapping is not supported")
            self._check_key_length(row, col, end_col)
            return self.block_mapping(row, col, scalar, end_col)
        return scalar, end_row, end_col

    def _check_key_length(self, row: int, start: int, end: int) -> None:
        """libyaml forgets a possible key once its ':' is more than 1024 characters on."""
        if end - start > 1024 and len(self.lines[row][start : self.lines[row].index(b":", end)].decode()) > 1024:
            raise self.error(row, "a mapping key longer than 1024 characters (libyaml refuses it)")

    def _is_key_colon(self, row: int, col: int) -> bool:
        line = self.lines[row]
        while col < len(line) and line[col] in _BLANK:
            col += 1
        return col < len(line) and line[col] == 0x3A and (col + 1 == len(line) or line[col + 1] in _BLANK)

    def properties(self, row: int, col: int, indent: int | None = None) -> tuple[bool, int, int]:
        """Skip the anchor and the tag (at most one each, on one line or more) before a node at
        (row, col) in a block of `indent` (None: in a flow collection): whether it has a tag, and
        the position just past them, or (row, col) when it has none. Aliases are refused as
        Fluent Bit refuses them."""
        if self.lines[row][col : col + 1] not in (b"&", b"!", b"*"):
            return False, row, col  # (most nodes have none)
        tagged = False
        seen = set()
        end_row, end_col = row, col
        while True:
            line = self.lines[row]
            char = line[col] if col < len(line) else 0
            if char == 0x2A:  # '*'
                raise self.error(row, "aliases (*name) are not allowed: Fluent Bit refuses them")
            if char not in (0x26, 0x21):  # '&', '!'
                return tagged, end_row, end_col
            if char in seen:
                raise self.error(row, "a node has at most one anchor and one tag")
            seen.add(char)
            if char == 0x21:
                tagged = True
            end = col + 1
            while end < len(line) and line[end] not in _BLANK:
                end += 1
            name = line[col + 1 : end]
            secondary = char == 0x21 and b"!" in name  # a !!type tag, or !handle!type
            if secondary:
                handle, _, name = name.partition(b"!")
                if b"!" + handle + b"!" not in self.handles:
                    raise self.error(row, f"tag handle !{handle.decode()}! is not declared by a %TAG directive")
            if not all(byte in _NAME_CHARS for byte in name) or (not name and (char == 0x26 or secondary)):
                raise self.error(row, "anchor and tag names must be letters, digits, '-' or '_'")
            end_row, end_col = row, end
            row, col = self.skip(row, end, indent is None)
            if row >= len(self.lines) or (indent is not None and row != end_row and col <= indent):
                # (on a later line, a block's anchor or tag no further in belongs to what follows)
                return tagged, end_row, end_col

    def block_mapping(self, row: int, col: int, first: Scalar | None, key_end: int) -> tuple[Mapping, int, int]:
        """The block mapping whose first key is `first` (ending at `key_end`), or, with `first`
        None, whose lines from `row` up to row `key_end` the fast path has read, or (`key_end`
        -1) whose first key is an explicit one ('? ')."""
        self.deeper(row)
        try:
            mapping = Mapping(first.start if first is not None else self.offset(row, col), row + 1, col, False)
            pairs = mapping.pairs
            if first is None and key_end >= 0:
                mapping._pairs = self.data
            key = first
            after = key_end
            while True:
                if after < 0:
                    key, value, end_row, end_col = self._explicit_pair(row, col)
                    pairs.append((key, value))
                    mapping.end = value.end
                    self.after_node(end_row, end_col)
                    key = None  # (the pair is read)
                elif key is not None:
                    line = self.lines[row]
                    colon = line.index(b":", after)
                    value, end_row, end_col = self.value_after(row, colon + 1, col, after_key=True)
                    pairs.append((key, value))
                    mapping.end = value.end if value.end > key.end else self.offset(row, colon + 1)
                    self.after_node(end_row, end_col)
                else:
                    end_row = after - 1
                    mapping.end = self.offset(end_row, len(self.lines[end_row]))
                row, next_col = self.skip(end_row + 1, 0)
                if row >= len(self.lines) or next_col < col:
                    return mapping, end_row, len(self.lines[end_row])
                if next_col > col:
                    raise self.error(row, "bad indentation (or a multi-line plain scalar, which is not supported)")
                if mapping.simple:  # more than one run: its pairs are held after all
                    mapping._pairs = pairs
                    self._simple_run(pairs, self.lines, self.starts, mapping.line - 1, col, self.hashes_or_tabs, 1)
                after = self._simple_run(pairs, self.lines, self.starts, row, col, self.hashes_or_tabs, 1)
                if after > row:
                    key = None
                    continue
                if self._is_dash(row, col):
                    raise self.error(row, "a sequence entry where a mapping key was expected")
                if col == 0 and (self._marker(row, b"---") or self._marker(row, b"...")):
                    return mapping, end_row, len(self.lines[end_row])
                tagged, prop_row, prop_col = self.properties(row, col)
                if tagged or (prop_row, prop_col) != (row, col):
                    raise self.error(row, "anchors and tags on mapping keys are not supported")
                line = self.lines[row]
                if line[col] in (0x5B, 0x7B):
                    raise self.error(row, _NOT_A_KEY)
                if line[col] == 0x3F and (col + 1 == len(line) or line[col + 1] in _BLANK):
                    after = -1
                    continue
                key, _, after = self.scalar(row, col, flow=False, tagged=False)
                if not self._is_key_colon(row, after):
                    raise self.error(
                        self._stale_key_row(row, col, key.style == "plain" and not line[after:].strip(_BLANK)),
                        f"no ':' after the key on line {row + 1} (expected 'key: value', a ':' followed by a space)",
                    )
                self._check_key_length(row, col, after)
        finally:
            self.depth -= 1

    def _explicit_pair(self, row: int, col: int) -> tuple[Scalar, Node, int, int]:
        """The pair whose explicit key ('? ') is at (row, col) of a block mapping, and the position
        past it. Fluent Bit takes only a scalar as a key; this reader takes it on the '?' line,
        with its value after a ':' at the same column on a later line."""
        # After a '?' or its ':' in block context libyaml allows a simple key, and so takes no
        # tab as the space before one.
        if self.lines[row][col + 1 :].lstrip(b" ")[:1] == b"\t":
            raise self.error(row, "a tab after '?' (libyaml refuses it)")
        key, end_row, end_col = self.value_after(row, col + 1, col, after_key=True)
        if not isinstance(key, Scalar):
            raise self.error(key.line - 1, _NOT_A_KEY)
        if key.line != row + 1:
            raise self.error(row, "an explicit key ('? ') below its '?' is not supported")
        self.after_node(end_row, end_col)
        next_row, next_col = self.skip(end_row + 1, 0)
        line = self.lines[next_row] if next_row < len(self.lines) else b""
        if next_col != col or line[col : col + 1] != b":" or line[col + 1 : col + 2] not in (b"", b" ", b"\t"):
            raise self.error(row, "an explicit key ('? ') without a ': value' line is not supported")
        if line[col + 1 :].lstrip(b" ")[:1] == b"\t":
            raise self.error(next_row, "a tab after the ':' of an explicit key (libyaml refuses it)")
        value, end_row, end_col = self.value_after(next_row, col + 1, col, after_key=True)
        return key, value, end_row, end_col

    def _stale_key_row(self, row: int, col: int, plain: bool) -> int:
        """Where libyaml gives up on the key at (row, col) of a block mapping whose ':' is missing:
        where it has scanned on to from the key's line. A plain key runs on over lines indented
        past `col` (to a ': ' or ' #' on one of them); any other stops at the next token."""
        lines = self.lines
        for current in range(row + 1, len(lines)):
            text = lines[current]
            content = text.lstrip(_BLANK)
            if not content or (content[:1] == b"#" and not plain):
                continue
            if not plain or content[:1] == b"#" or len(text) - len(content) <= col:
                return current
            if content.endswith(b":") or any(mark in content for mark in (b": ", b":\t", b" #", b"\t#")):
                return current
        # The end of the file, where libyaml starts a new line unless already on one.
        end = self.data.count(b"\n")
        return end if end != row else row + 1

    @staticmethod
    def _simple_run(
        pairs: list[tuple[Scalar, Node]] | None,
        lines: list[bytes],
        starts: memoryview | list[int],
        row: int,
        col: int,
        hashes_or_tabs: bool,
        number: int,
    ) -> int:
        """Read the `key: value` lines from `row` on whose key at `col` and value are plain words
        that need none of the general reader's rules, into `pairs` (unless None), up to the
        first other line; return that line's row. Most lines of a config are such, hence the
        written-out loop. The caller has checked what precedes `col` on the line at `row`
        (spaces, or `- `). `number` is the line number of `lines[0]`, and `starts` the offsets
        of the lines; `hashes_or_tabs` is whether any line may hold a '#' or a tab."""
        first = row
        indent = b" " * col
        style = ""  # the last value's
        while row < len(lines):
            line = lines[row]
            colon = line.find(b": ", col)
            if (
                colon < 0
                or colon - col > 1024
                or not (row == first or line.startswith(indent))
                or line[col] not in _SIMPLE
                or (hashes_or_tabs and (b"#" in line or b"\t" in line))
                or line.find(b":", col, colon) >= 0
                or line[colon - 1] == 0x20
            ):
                break
            begin = colon + 2
            value = line[begin:]
            if not value:
                break
            quote = value[0]
            if quote in _SIMPLE:
                if value[-1] in b" :" or b": " in value:
                    break
                text, style = value, "plain"
            elif (  # "text" or 'text' with no quote or escape inside, as FireLens writes values
                quote in b"\"'"
                and len(value) > 1
                and value[-1] == quote
                and value.find(quote, 1, len(value) - 1) < 0
                and (quote == 0x27 or b"\\" not in value)
            ):
                text, style = value[1:-1], "double" if quote == 0x22 else "single"
            else:
                break
            if pairs is not None:
                start = starts[row]
                pairs.append(
                    (
                        Scalar(start + col, start + colon, line[col:colon].decode(), "plain", row + number, False),
                        Scalar(start + begin, start + len(line), text.decode(), style, row + number, False),
                    )
                )
            row += 1
        if (
            first < row < len(lines)
            and style == "plain"
            and not lines[row][: col + 1].strip(_BLANK)
            and _goes_on(lines, row, col)
        ):
            # The last value, plain, may go on over the lines after it: the general reader reads it.
            row -= 1
            if pairs is not None:
                pairs.pop()
        return row

    def _is_dash(self, row: int, col: int) -> bool:
        line = self.lines[row]
        return line[col : col + 1] == b"-" and (col + 1 == len(line) or line[col + 1] in _BLANK)

    def value_after(self, row: int, col: int, indent: int, after_key: bool) -> tuple[Node, int, int]:
        """The value after a key's ':' (or a sequence's '-') at (row, col), in a block of `indent`."""
        line = self.lines[row]
        start = col
        while col < len(line) and line[col] in _BLANK:
            col += 1
        if col < len(line) and line[col] != 0x23 and (col > start or col == len(line)):
            if after_key and self._is_dash(row, col):
                raise self.error(row, "a block sequence cannot start on the line of its key")
            tagged, prop_row, prop_col = self.properties(row, col, indent)
            if prop_col != col:
                next_row, next_col = self.skip(prop_row, prop_col)
                if next_row != prop_row:  # they end their line: the node is below them
                    return self._value_below(prop_row, prop_col, indent, after_key, tagged)
                prop_col = next_col
            node, end_row, end_col = (
                self.block_node(prop_row, prop_col, indent) if not tagged else self._tagged(prop_row, prop_col, indent)
            )
            if isinstance(node, Mapping) and not node.flow and after_key:
                raise self.error(row, "a mapping cannot start on the line of its key ('a: b: c')")
            if prop_col != col and isinstance(node, (Mapping, Sequence)) and not node.flow:
                raise self.error(row, "an anchor or tag before a block collection is not supported")
            return node, end_row, end_col
        if col < len(line) and line[col] != 0x23:
            raise self.error(row, "expected a space after ':'")
        return self._value_below(row, col, indent, after_key)

    def _tagged(self, row: int, col: int, indent: int) -> tuple[Node, int, int]:
        line = self.lines[row]
        char = line[col] if col < len(line) else 0
        if char in (0x7C, 0x3E):
            return self.block_scalar(row, col, indent, True)
        if char in (0x5B, 0x7B):
            return self.flow_node(row, col, indent)
        scalar, end_row, end = self.scalar(row, col, False, True, indent)
        if self._is_key_colon(end_row, end):
            raise self.error(end_row, "an anchor or tag before a mapping is not supported")
        return scalar, end_row, end

    def _value_below(
        self, row: int, col: int, indent: int, after_key: bool, tagged: bool = False
    ) -> tuple[Node, int, int]:
        """A value that starts on a later line (or is empty, at (row, col)), after an anchor or
        a tag ending at (row, col) if any (`tagged`: one of them is a tag)."""
        next_row, next_col = self.skip(row + 1, 0) if row + 1 < len(self.lines) else (len(self.lines), 0)
        if self._starts_below(next_row, next_col, indent, after_key):
            return self.block_node(next_row, next_col, indent, after_key, tagged)
        return self._empty(row, col, tagged)

    def _starts_below(self, row: int, col: int, indent: int, after_key: bool) -> bool:
        """Whether the content at (row, col), on a line after a value's start, is that value: in a
        block of `indent`, indented past it, or (a key's value, `after_key`) a '- ' at it."""
        if row >= len(self.lines) or (col == 0 and (self._marker(row, b"---") or self._marker(row, b"..."))):
            return False
        return col > indent or (after_key and col == indent and self._is_dash(row, col))

    def _empty(self, row: int, col: int, tagged: bool) -> tuple[Scalar, int, int]:
        """No value, at (row, col) (with an anchor or tag before it, `tagged` if a tag)."""
        end = self.offset(row, col)
        return Scalar(end, end, "", "empty", row + 1, tagged), row, len(self.lines[row])

    def block_sequence(self, row: int, col: int) -> tuple[Sequence, int, int]:
        self.deeper(row)
        try:
            sequence = Sequence(self.offset(row, col), row + 1, False)
            while True:
                if b"\t" in self.lines[row] and self.lines[row][col + 1 :].lstrip(b" ")[:1] == b"\t":
                    raise self.error(row, "a tab after '-' (libyaml refuses it)")
                run_end = row
                if len(self.lines[row]) > col + 2 and self.lines[row][col + 1] == 0x20:
                    run_end = self._simple_run(None, self.lines, self.starts, row, col + 2, self.hashes_or_tabs, 1)
                item: Node
                if run_end > row:  # `- name: tail` and the lines after it: the usual plugin
                    item, end_row, end_col = self.block_mapping(row, col + 2, None, run_end)
                else:
                    item, end_row, end_col = self.value_after(row, col + 1, col, after_key=False)
                sequence.items.append(item)
                sequence.end = max(item.end, self.offset(row, col + 1))
                self.after_node(end_row, end_col)
                row, next_col = self.skip(end_row + 1, 0)
                if row >= len(self.lines) or next_col < col:
                    return sequence, end_row, len(self.lines[end_row])
                # (skip() has refused a tab in the indentation)
                if col == 0 and (self._marker(row, b"---") or self._marker(row, b"...")):
                    return sequence, end_row, len(self.lines[end_row])
                if next_col > col:
                    raise self.error(row, "bad indentation (or a multi-line plain scalar, which is not supported)")
                if not self._is_dash(row, col):
                    return sequence, end_row, len(self.lines[end_row])
        finally:
            self.depth -= 1

    # -- scalars ----------------------------------------------------------------------------

    def scalar(
        self, row: int, col: int, flow: bool, tagged: bool, indent: int | None = None
    ) -> tuple[Scalar, int, int]:
        """A plain or quoted scalar at (row, col); returns it and the position past it. A key's
        (`indent` None) stays on its line; a value's goes on over the lines libyaml reads into
        it: a quoted one up to its closing quote, a plain one over lines indented past `indent`
        (any, in a flow collection) that do not end it."""
        line = self.lines[row]
        char = line[col]
        start = self.offset(row, col)
        if char in (0x27, 0x22):  # "'", '"'
            style = "single" if char == 0x27 else "double"
            value, end, escaped = self._quoted_line(row, col + 1, char)
            if end >= 0:  # (most end on their line)
                return Scalar(start, start + end - col, value, style, row + 1, tagged), row, end
            value, end_row, end = self._quoted_lines(row, col, value, escaped, indent is not None)
            return Scalar(start, self.offset(end_row, end), value, style, row + 1, tagged), end_row, end
        if (
            char in _NOT_PLAIN_START
            or (flow and char in b"?:")  # libyaml: never a plain scalar's start in flow context
            or (
                char in b"-?:"
                and (col + 1 == len(line) or line[col + 1] in _BLANK or (flow and line[col + 1] in b",[]{}"))
            )
        ):
            raise self.error(row, f"a value cannot start with {chr(char)!r} unquoted")
        end = self._plain_end(row, col, flow)
        text = line[col:end].decode()
        if indent is not None and not line[end:].strip(_BLANK):
            pieces, end_row, end_col = self._plain_lines(row, end, indent, flow)
            if pieces:
                self.spanning = True
                text += "".join(pieces)
                return Scalar(start, self.offset(end_row, end_col), text, "plain", row + 1, tagged), end_row, end_col
        return Scalar(start, start + end - col, text, "plain", row + 1, tagged), row, end

    def _plain_end(self, row: int, col: int, flow: bool) -> int:
        """Where the plain scalar's text on this line, from `col`, ends (trailing blanks left out):
        at a ': ', a ' #', a flow indicator in a flow collection, or the end of the line."""
        line = self.lines[row]
        end = len(line)
        if flow:
            for indicator in b",[]{}":
                found = line.find(indicator, col, end)
                if found >= 0:
                    end = found
        # Found with find(), not byte by byte: this runs for nearly every key and value.
        colon = line.find(b":", col, end)
        while colon >= 0:
            after = line[colon + 1 : colon + 2]
            if not after or after in (b" ", b"\t"):
                end = colon
                break
            if flow and after in (b",", b"[", b"]", b"{", b"}", b"?"):
                raise self.error(row, "a ':' right before a flow indicator (libyaml refuses it): put a space after it")
            colon = line.find(b":", colon + 1, end)
        hash_at = line.find(b"#", col + 1, end)
        while hash_at >= 0:
            if line[hash_at - 1] in _BLANK:
                end = hash_at
                break
            hash_at = line.find(b"#", hash_at + 1, end)
        return col + len(line[col:end].rstrip(_BLANK))

    def _plain_lines(self, row: int, end: int, indent: int, flow: bool) -> tuple[list[str], int, int]:
        """The lines that go on with a plain scalar whose text ends its line at (row, end), as
        libyaml's scan_plain_scalar reads them: lines indented past `indent`, the enclosing
        block's (any, in a flow collection), up to a comment, a ': ', a flow indicator (there), a
        '---' or '...' line, or a line indented less; a tab in the blanks before `indent` + 1 is
        refused, in a flow collection too. Returns the text each adds (a line break folds to a space,
        n empty lines to n line breaks) and where the last one ends."""
        lines = self.lines
        pieces: list[str] = []
        while True:
            current = row + 1
            breaks = 0
            while current < len(lines):
                text = lines[current]
                content = text.lstrip(_BLANK)
                begin = len(text) - len(content)
                if 0x09 in text[: min(begin, indent + 1)]:
                    raise self.error(current, "a tab in indentation (YAML allows only spaces)")
                if content:
                    break
                breaks += 1
                current += 1
            else:
                return pieces, row, end
            if (
                (begin <= indent and not flow)
                or content[:1] == b"#"
                or (begin == 0 and (self._marker(current, b"---") or self._marker(current, b"...")))
            ):
                return pieces, row, end
            stop = self._plain_end(current, begin, flow)
            if stop == begin:  # a ': ' or a flow indicator: the scalar ended on the line before
                return pieces, row, end
            pieces.append("\n" * breaks if breaks else " ")
            pieces.append(text[begin:stop].decode())
            row, end = current, stop
            if text[stop:].strip(_BLANK):
                return pieces, row, end

    def _quoted_lines(self, row: int, col: int, text: str, escaped: bool, lines_on: bool) -> tuple[str, int, int]:
        """The quoted scalar at (row, col) that does not close on its line, whose `text` there
        ends in an escaped line break if `escaped`: its value and the position past its closing
        quote. With `lines_on`, it goes on over lines, folded as libyaml's scan_flow_scalar folds
        them (a line break is a space, n empty lines are n line breaks, blanks around a break go,
        an escaped line break joins); else it is refused."""
        lines = self.lines
        quote = lines[row][col]
        if not lines_on:
            raise self._open_quote(row, col)
        end = -1
        pieces = [text]
        current = row
        while end < 0:
            current += 1
            breaks = 0
            while current < len(lines) and not lines[current].strip(_BLANK):
                breaks += 1
                current += 1
            if current >= len(lines):
                raise self.error(self.data.count(b"\n"), f"the quote opened on line {row + 1} is not closed")
            line = lines[current]
            begin = len(line) - len(line.lstrip(_BLANK))
            if begin == 0 and (self._marker(current, b"---") or self._marker(current, b"...")):
                raise self.error(current, f"the quote opened on line {row + 1} is not closed")
            pieces.append("\n" * breaks if breaks or escaped else " ")
            text, end, escaped = self._quoted_line(current, begin, quote)
            pieces.append(text)
        return "".join(pieces), current, end

    def _quoted_line(self, row: int, pos: int, quote: int) -> tuple[str, int, bool]:
        """A quoted scalar's text on one line from `pos`: (text, the column past the closing
        quote or -1 where the line ends first, whether it ends in an escaped line break). Where
        the line ends, its trailing blanks are no part of the text (unless escaped)."""
        line = self.lines[row]
        out: list[str] = []
        if quote == 0x27:
            while True:
                end = line.find(b"'", pos)
                if end < 0:
                    return "".join(out) + line[pos:].rstrip(_BLANK).decode(), -1, False
                out.append(line[pos:end].decode())
                if line[end + 1 : end + 2] != b"'":
                    return "".join(out), end + 1, False
                out.append("'")
                pos = end + 2
        while True:
            end = line.find(b'"', pos)
            slash = line.find(b"\\", pos)
            if end < 0 and slash < 0:
                out.append(line[pos:].rstrip(_BLANK).decode())
                return "".join(out), -1, False
            if slash < 0 or 0 <= end < slash:
                out.append(line[pos:end].decode())
                return "".join(out), end + 1, False
            out.append(line[pos:slash].decode())
            code = line[slash + 1 : slash + 2].decode("latin-1")  # every escape letter is ASCII
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                pos = slash + 2
            elif code in _HEX_ESCAPES:
                digits = line[slash + 2 : slash + 2 + _HEX_ESCAPES[code]]
                # (int() would take blanks, '_' and a sign too; libyaml takes hex digits only)
                if len(digits) != _HEX_ESCAPES[code] or not all(digit in _HEX_DIGITS for digit in digits):
                    raise self.error(row, "bad escape in a double-quoted scalar")
                point = int(digits, 16)
                if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
                    raise self.error(row, "an escape for no Unicode character in a double-quoted scalar")
                out.append(chr(point))
                pos = slash + 2 + len(digits)
            elif slash + 1 == len(line):  # an escaped line break: the next line joins without a space
                return "".join(out), -1, True
            else:
                raise self.error(row, "bad escape in a double-quoted scalar")

    def _open_quote(self, row: int, col: int) -> ConfigError:
        """A quoted key at (row, col) that does not end on its line. libyaml reads on over lines:
        one whose quote never closes it refuses where the text runs out (or at a '---' or '...'
        line); one that closes is no key (a key is on one line), refused where it ends."""
        lines = self.lines
        quote = lines[row][col]
        pos = col + 1
        for current in range(row, len(lines)):
            if current > row and (self._marker(current, b"---") or self._marker(current, b"...")):
                return self.error(current, f"the quote opened on line {row + 1} is not closed")
            text = lines[current]
            end = text.find(quote, pos)
            while end >= 0:
                if quote == 0x27 and text[end + 1 : end + 2] == b"'":  # '' is a quote inside
                    end = text.find(quote, end + 2)
                elif quote == 0x22 and (end - pos - len(text[pos:end].rstrip(b"\\"))) % 2:  # escaped
                    end = text.find(quote, end + 1)
                else:
                    return self.error(current, f"a mapping key cannot span lines (the one on line {row + 1})")
            pos = 0
        return self.error(self.data.count(b"\n"), f"the quote opened on line {row + 1} is not closed")

    def block_scalar(self, row: int, col: int, parent: int, tagged: bool) -> tuple[Scalar, int, int]:
        line = self.lines[row]
        style = "literal" if line[col] == 0x7C else "folded"
        pos = col + 1
        chomp = "clip"
        explicit = 0
        while pos < len(line) and line[pos] not in _BLANK:
            char = line[pos]
            if char in b"+-" and chomp == "clip":
                chomp = "keep" if char == 0x2B else "strip"
            elif 0x31 <= char <= 0x39 and not explicit:
                explicit = char - 0x30
            else:
                raise self.error(row, "bad block scalar header")
            pos += 1
        self.after_node(row, pos)
        lines = self.lines
        # libyaml: an explicit indent counts from the enclosing block's; else the first text
        # line's (and no less than that of the empty lines before it, or the block's plus one).
        indent = max(parent, 0) + explicit if explicit else 0
        items: list[tuple[int, str]] = []  # each text line with the number of empty lines before it
        empty = 0
        widest_empty = 0
        last = row
        current = row + 1
        while current < len(lines):
            text = lines[current]
            spaces = len(text) - len(text.lstrip(b" "))
            if text[spaces : spaces + 1] == b"\t" and (not indent or spaces < indent):
                raise self.error(current, "a tab where a block scalar's indentation is expected")
            if spaces == len(text) and (not indent or spaces <= indent):
                empty += 1
                widest_empty = max(widest_empty, spaces)
                current += 1
                continue
            if not indent:
                if spaces <= parent or spaces < widest_empty:
                    if spaces < widest_empty and spaces > parent:
                        raise self.error(
                            current, "a leading empty line of a block scalar is more indented than its text"
                        )
                    break
                indent = spaces
            if spaces < indent:
                break
            items.append((empty, text[indent:].decode()))
            empty = 0
            last = current
            current += 1
        value = _block_value(items, style)
        if items and self.offset(last, len(lines[last])) == len(self.data):
            self.open_block = row + 1
        elif items and chomp != "strip":
            value += "\n"  # the last line's break
        start = self.offset(row, col)
        if chomp == "keep" and empty:
            # The trailing empty lines are the scalar's: an edit after it must not take them.
            end_row = last + empty if items else row + empty
            # Each is a line break, but the file's last line may have none.
            value += "\n" * (empty - (self.offset(end_row, len(lines[end_row])) == len(self.data)))
            return (
                Scalar(start, self.offset(end_row + 1, 0), value, style, row + 1, tagged),
                end_row,
                len(lines[end_row]),
            )
        end = self.starts[last] + len(lines[last]) if items else self.offset(row, pos)
        return Scalar(start, end, value, style, row + 1, tagged), last, len(lines[last])

    # -- flow collections --------------------------------------------------------------------

    def flow_node(self, row: int, col: int, indent: int) -> tuple[Node, int, int]:
        """The flow collection at (row, col), in a block whose indent is `indent`."""
        self.deeper(row)
        try:
            line = self.lines[row]
            opening = line[col]
            node: Mapping | Sequence
            node = (
                Mapping(self.offset(row, col), row + 1, col, True)
                if opening == 0x7B
                else Sequence(self.offset(row, col), row + 1, True)
            )
            closing = 0x7D if opening == 0x7B else 0x5D
            row, col = self.flow_skip(row, col + 1)
            while True:
                char = self.lines[row][col]
                if char == closing:
                    break
                if char in b",]}":
                    raise self.error(row, "an empty entry in a flow collection")
                if isinstance(node, Mapping):
                    if char == 0x3F:  # '?': in a flow collection, always an explicit key's
                        key, row, col = self._flow_explicit_key(row, col + 1, indent)
                        key_row = -1  # (its ':' may be on any line after it)
                    else:
                        key_row, key_col = row, col
                        key, row, col = self._flow_key(row, col)
                    row, col = self.flow_skip(row, col)
                    if self.lines[row][col] != 0x3A:
                        raise self.error(row, "a flow mapping entry without ':' is not supported")
                    if key_row >= 0:
                        if row != key_row:
                            raise self.error(
                                row, "a flow mapping key and its ':' on different lines (libyaml refuses it)"
                            )
                        self._check_key_length(row, key_col, col)
                    row, col = self.flow_skip(row, col + 1)
                    value, row, col = self.flow_item(row, col, indent)
                    node.pairs.append((key, value))
                else:
                    item, row, col = self.flow_item(row, col, indent)
                    row, col = self.flow_skip(row, col)
                    if self.lines[row][col] == 0x3A:
                        raise self.error(row, "single-pair mappings in flow sequences are not supported")
                    node.items.append(item)
                row, col = self.flow_skip(row, col)
                char = self.lines[row][col]
                if char == 0x2C:
                    row, col = self.flow_skip(row, col + 1)
                elif char != closing:
                    raise self.error(
                        row,
                        "expected ',' or the end of the flow collection"
                        " (or a multi-line scalar, which is not supported)",
                    )
            if isinstance(node, Mapping):
                node.close = self.offset(row, col)
            node.end = self.offset(row, col + 1)
            return node, row, col + 1
        finally:
            self.depth -= 1

    def flow_item(self, row: int, col: int, indent: int) -> tuple[Node, int, int]:
        line = self.lines[row]
        char = line[col]
        if char in b",]}":
            end = self.offset(row, col)
            return Scalar(end, end, "", "empty", row + 1, False), row, col
        tagged, row, col = self._flow_properties(row, col)
        char = self.lines[row][col]
        if char in (0x5B, 0x7B):
            return self.flow_node(row, col, indent)
        if char in b",]}":
            end = self.offset(row, col)
            return Scalar(end, end, "", "empty", row + 1, tagged), row, col
        scalar, end_row, end = self.scalar(row, col, True, tagged, indent)
        return scalar, end_row, end

    def _flow_key(self, row: int, col: int) -> tuple[Scalar, int, int]:
        """The key at (row, col) of a flow mapping: a plain or quoted scalar on one line."""
        if self.lines[row][col] in (0x5B, 0x7B):
            raise self.error(row, _NOT_A_KEY)
        tagged, row, col = self._flow_properties(row, col)
        if tagged or self.lines[row][col] in (0x5B, 0x7B):
            raise self.error(row, "only plain or quoted keys are supported in flow mappings")
        return self.scalar(row, col, flow=True, tagged=False)

    def _flow_explicit_key(self, row: int, col: int, indent: int) -> tuple[Scalar, int, int]:
        """The key after a '?' (ending at (row, col)) in a flow mapping: a scalar, or none (an empty key)."""
        row, col = self.flow_skip(row, col)
        if self.lines[row][col] == 0x3A:
            at = self.offset(row, col)
            return Scalar(at, at, "", "empty", row + 1, False), row, col
        key, row, col = self.flow_item(row, col, indent)
        if not isinstance(key, Scalar) or key.tagged:
            raise self.error(row, "only plain or quoted keys are supported in flow mappings")
        return key, row, col

    def _flow_properties(self, row: int, col: int) -> tuple[bool, int, int]:
        """properties() in a flow collection: whether there is a tag, and the node's content."""
        tagged, end_row, end_col = self.properties(row, col)
        return (tagged, *self.flow_skip(end_row, end_col)) if (end_row, end_col) != (row, col) else (False, row, col)

    def flow_skip(self, row: int, col: int) -> tuple[int, int]:
        row, col = self.skip(row, col, flow=True)
        if row >= len(self.lines):
            raise self.error(end_line(self.data) - 1, "a flow collection is not closed")
        if col == 0 and (self._marker(row, b"---") or self._marker(row, b"...")):
            raise self.error(row, "a '---' or '...' line inside a flow collection (libyaml refuses it)")
        return row, col


def _goes_on(lines: list[bytes], row: int, col: int) -> bool:
    """Whether the lines from `row` may go on with a value of a key at column `col`: the first
    that is not blank is indented past it and is no comment."""
    for line in islice(lines, row, None):
        content = line.lstrip(_BLANK)
        if content:
            return len(line) - len(content) > col and content[:1] != b"#"
    return False


def _reread(mapping: Mapping, data: bytes) -> list[tuple[Scalar, Node]]:
    """The pairs of a mapping that the fast path read in one run, from the file's bytes."""
    begin = mapping.start - mapping.column
    lines = data[begin : mapping.end].split(b"\n")
    starts = list(map(add, accumulate(map(len, lines), initial=begin), count()))
    # The reader took every CR in these lines for the end of a CRLF.
    lines = [line[:-1] if line[-1:] == b"\r" else line for line in lines]
    pairs: list[tuple[Scalar, Node]] = []
    Reader._simple_run(pairs, lines, starts, 0, mapping.column, False, mapping.line)
    return pairs


def _block_value(items: list[tuple[int, str]], style: str) -> str:
    """A block scalar's text before chomping (libyaml's folding: a break between two lines
    that are not more indented becomes a space, or goes when empty lines follow it)."""
    parts = []
    previous_more = False
    for index, (gap, text) in enumerate(items):
        more = text[:1] in (" ", "\t")
        if index == 0:
            parts.append("\n" * gap + text)
        elif style == "folded" and not more and not previous_more:
            parts.append((" " if gap == 0 else "\n" * gap) + text)
        else:
            parts.append("\n" + "\n" * gap + text)
        previous_more = more
    return "".join(parts)


def end_line(data: bytes) -> int:
    """The line of libyaml's end of the stream: the file's last line break starts it, or libyaml
    starts a new line for it."""
    return data.count(b"\n") + 1 + (not data.endswith(b"\n"))
