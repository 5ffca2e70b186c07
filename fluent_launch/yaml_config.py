"""Read Fluent Bit's YAML config format: byte spans of every node, and what Fluent Bit makes of them.

Not a general YAML library: a reader of the YAML that Fluent Bit configs are written in
(block and flow collections, plain, quoted and block scalars, comments, anchors and tags,
`---`/`...`), keeping where each node sits in the bytes so that an edit replaces exactly
the spans it names and an unedited document renders to the input. What it does not read
exactly (multi-line plain or quoted scalars, complex `?` keys, more than one document, YAML
directives, line breaks other than LF/CRLF) is refused, as is what Fluent Bit refuses
(aliases, syntax errors, a structure its reader has no state for). Imported only for YAML
files: a classic launch never pays for it.
"""

from __future__ import annotations

from _operator import add  # not `operator`: a Python module whose import is 0.3 ms of a start
from itertools import accumulate, count
from struct import pack

from fluent_launch.document import BUFFER_KEYS, EMITTERS, FILTER, INPUT, OUTPUT, SERVICE, Buffer, raw_may_matter
from fluent_launch.errors import ConfigError
from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

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

# The top-level keys Fluent Bit knows (compared without regard to case), and what each becomes.
_PLUGIN_KINDS = {"inputs": INPUT, "filters": FILTER, "outputs": OUTPUT}
_LIST_SECTIONS = {
    "parsers": "parser",
    "multiline_parsers": "multiline_parser",
    "stream_processor": "stream_processor",
    "upstream_servers": "upstream_servers",
    "customs": "custom",
}
# The entries read as plugins (by PLUGIN_START), and the signals a `processors:` mapping takes.
_PLUGIN_STATES = frozenset((INPUT, FILTER, OUTPUT, "custom", "processor"))
_SIGNALS = frozenset(("logs", "metrics", "traces"))
# The key of a list section's entry that holds a list of groups (compared as written).
_GROUP_LISTS = {"multiline_parser": "rules", "upstream_servers": "nodes"}


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


class Plugin:
    """A plugin of the pipeline (or the service section): its mapping and where it came from."""

    __slots__ = ("kind", "mapping")

    def __init__(self, kind: str, mapping: Mapping) -> None:
        self.kind = kind
        self.mapping = mapping


class YamlDocument:
    """One YAML config file: its bytes, its node tree, and the parts Fluent Bit reads."""

    __slots__ = ("data", "includes", "newline", "open_block", "path", "plugins", "root", "sections", "service_key")

    def __init__(self, path: str, data: bytes, root: Mapping | None) -> None:
        self.path = path
        self.data = data
        self.root = root
        first_lf = data.find(b"\n")
        self.newline = b"\r\n" if first_lf > 0 and data[first_lf - 1] == 0x0D else b"\n"
        self.plugins: list[Plugin] = []  # service and pipeline plugins, in file order
        self.includes: list[Scalar] = []
        self.service_key: Scalar | None = None
        self.open_block: int | None = None  # the line of a block scalar that ends the file unterminated
        # (key as written, kind, mapping or list node) for every top-level section, in order.
        self.sections: list[tuple[Scalar, str, Node]] = []


def key_id(key: str) -> str:
    """The property a key names: Fluent Bit turns camelCase into snake_case
    (flb_cf_key_translate) and then matches without regard to case."""
    known = _KEY_IDS.get(key)
    if known is None:
        known = _KEY_IDS[key] = _key_id(key)
    return known


_KEY_IDS: dict[str, str] = {}  # the few keys a config spells, each translated once


def _key_id(key: str) -> str:
    if not key[:1].islower() or not key[:1].isascii() or "_" in key:
        return key.lower()
    return "".join(
        "_" + char.lower() if char.isupper() and char.isascii() and index else char.lower()
        for index, char in enumerate(key)
    )


def parse(data: bytes, path: str) -> YamlDocument:
    """Read a YAML config; raise ConfigError where Fluent Bit would refuse it, or where this
    reader cannot be sure to read it as Fluent Bit does."""
    parser = _Parser(data, path)
    doc = YamlDocument(path, data, parser.document())
    doc.open_block = parser.open_block
    if doc.root is not None:
        _structure(doc, doc.root)
    return doc


class _Parser:
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
        # Most generated configs have neither: then no line needs looking for them.
        self.hashes_or_tabs = b"#" in data or b"\t" in data
        self.bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        raw = data.split(b"\n")
        if not raw[-1]:
            raw.pop()  # what follows the last line break is no line
        # Each line's offset: the lengths before it, plus a line break each (written with
        # C-level iterators: this is the one step taken for every line of a large config).
        starts = list(map(add, accumulate(map(len, raw), initial=0), range(len(raw))))
        self.lines = raw
        if b"\r" in data:
            self.lines = []
            for number, line in enumerate(raw, 1):
                # CRLF, but not a CR that ends the file
                if line.endswith(b"\r") and starts[number - 1] + len(line) < len(data):
                    line = line[:-1]
                if b"\r" in line:
                    raise ConfigError(path, number, "a CR that does not end a line (YAML reads it as a line break)")
                self.lines.append(line)
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

    def document(self) -> Mapping | None:
        row, col = self.skip(0, 0)
        if row < len(self.lines) and self.lines[row][:1] == b"%":
            raise self.error(row, "YAML directives are not supported")
        explicit = False
        marker_row = -1
        if row < len(self.lines) and col == 0 and self._marker(row, b"---"):
            explicit = True
            marker_row = row
            row, col = self.skip(row, 3)
        if row >= len(self.lines) or (col == 0 and (self._marker(row, b"...") or self._marker(row, b"---"))):
            if explicit or row < len(self.lines):
                # An empty document is a null node, for which Fluent Bit has no state (and
                # libyaml wants a node before a '...').
                raise self.error(min(row, len(self.lines) - 1), "the document is empty: Fluent Bit expects a mapping")
            root = None
        else:
            node, row, col = self.block_node(row, col, -1)
            if not isinstance(node, Mapping):
                raise self.error(node.line - 1, "the document must be a mapping (service:, pipeline:, ...)")
            if node.line - 1 == marker_row and not node.flow:
                raise self.error(marker_row, "a block mapping cannot start on the '---' line")
            root = node
            row, col = self.skip(row, col)
        if row < len(self.lines) and col == 0 and self._marker(row, b"..."):
            row, col = self.skip(row, 3)
        if row < len(self.lines):
            if col == 0 and self._marker(row, b"---"):
                raise self.error(row, "more than one YAML document is not supported")
            raise self.error(row, "unexpected content (check the indentation)")
        return root

    def _marker(self, row: int, marker: bytes) -> bool:
        line = self.lines[row]
        return line.startswith(marker) and (len(line) == 3 or line[3] in _BLANK)

    # -- block nodes ------------------------------------------------------------------------

    def block_node(self, row: int, col: int, parent: int) -> tuple[Node, int, int]:
        """The node whose content starts at (row, col), in a block whose indent is `parent`.
        Returns it and the position just past it (on its last line)."""
        begin = row, col
        tagged, row, col = self.properties(row, col)
        if row != begin[0]:
            # What follows must be indented past `parent` there, or it is no part of this node.
            raise self.error(begin[0], "an anchor or tag on a line of its own is not supported")
        had = (row, col) != begin  # an anchor or a tag
        line = self.lines[row]
        char = line[col] if col < len(line) else 0
        if char == 0x2D and (col + 1 == len(line) or line[col + 1] in _BLANK):  # '- '
            if had:
                raise self.error(row, "an anchor or tag before a block sequence is not supported")
            return self.block_sequence(row, col)
        if char in (0x7C, 0x3E):  # '|', '>'
            return self.block_scalar(row, col, parent, tagged)
        if char == 0x3F and (col + 1 == len(line) or line[col + 1] in _BLANK):
            raise self.error(row, "complex mapping keys ('? ') are not supported")
        if char in (0x5B, 0x7B):  # '[', '{'
            node, end_row, end_col = self.flow_node(row, col)
            if self._is_key_colon(end_row, end_col):
                raise self.error(end_row, "a flow collection as a mapping key is not supported")
            return node, end_row, end_col
        scalar, end_col = self.scalar(row, col, flow=False, tagged=tagged)
        if self._is_key_colon(row, end_col):
            if had:
                raise self.error(row, "an anchor or tag before a mapping is not supported")
            self._check_key_length(row, col, end_col)
            return self.block_mapping(row, col, scalar, end_col)
        return scalar, row, end_col

    def _check_key_length(self, row: int, start: int, end: int) -> None:
        """libyaml forgets a possible key once its ':' is more than 1024 characters on."""
        if end - start > 1024 and len(self.lines[row][start : self.lines[row].index(b":", end)].decode()) > 1024:
            raise self.error(row, "a mapping key longer than 1024 characters (libyaml refuses it)")

    def _is_key_colon(self, row: int, col: int) -> bool:
        line = self.lines[row]
        while col < len(line) and line[col] in _BLANK:
            col += 1
        return col < len(line) and line[col] == 0x3A and (col + 1 == len(line) or line[col + 1] in _BLANK)

    def properties(self, row: int, col: int) -> tuple[bool, int, int]:
        """Skip an anchor and a tag before a node; aliases are refused as Fluent Bit refuses them."""
        tagged = False
        seen = set()
        while True:
            line = self.lines[row]
            char = line[col] if col < len(line) else 0
            if char == 0x2A:  # '*'
                raise self.error(row, "aliases (*name) are not allowed: Fluent Bit refuses them")
            if char not in (0x26, 0x21):  # '&', '!'
                return tagged, row, col
            if char in seen:
                raise self.error(row, "a node has at most one anchor and one tag")
            seen.add(char)
            if char == 0x21:
                tagged = True
            end = col + 1
            while end < len(line) and line[end] not in _BLANK:
                end += 1
            name = line[col + 1 : end]
            secondary = char == 0x21 and name.startswith(b"!")  # a !!type tag
            if secondary:
                name = name[1:]
            if not all(byte in _NAME_CHARS for byte in name) or (not name and (char == 0x26 or secondary)):
                raise self.error(row, "anchor and tag names must be letters, digits, '-' or '_'")
            row, col = self.skip(row, end)
            if row >= len(self.lines):
                raise self.error(len(self.lines) - 1, "an anchor or tag without a node is not supported")

    def block_mapping(self, row: int, col: int, first: Scalar | None, key_end: int) -> tuple[Mapping, int, int]:
        """The block mapping whose first key is `first` (ending at `key_end`), or, with `first`
        None, whose lines from `row` up to row `key_end` the fast path has read."""
        mapping = Mapping(first.start if first is not None else self.offset(row, col), row + 1, col, False)
        pairs = mapping.pairs
        if first is None:
            mapping._pairs = self.data
        key = first
        after = key_end
        while True:
            if key is not None:
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
                raise self.error(row, "a flow collection as a mapping key is not supported")
            if line[col] == 0x3F and (col + 1 == len(line) or line[col + 1] in _BLANK):
                raise self.error(row, "complex mapping keys ('? ') are not supported")
            key, after = self.scalar(row, col, flow=False, tagged=False)
            if not self._is_key_colon(row, after):
                raise self.error(
                    self._stale_key_row(row, col, key.style == "plain" and not line[after:].strip(_BLANK)),
                    f"no ':' after the key on line {row + 1} (expected 'key: value', a ':' followed by a space)",
                )
            self._check_key_length(row, col, after)

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
            tagged, prop_row, prop_col = self.properties(row, col)
            if prop_row != row:
                raise self.error(row, "an anchor or tag on a line of its own is not supported")
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
            return self.flow_node(row, col)
        scalar, end = self.scalar(row, col, flow=False, tagged=True)
        if self._is_key_colon(row, end):
            raise self.error(row, "an anchor or tag before a mapping is not supported")
        return scalar, row, end

    def _value_below(self, row: int, col: int, indent: int, after_key: bool) -> tuple[Node, int, int]:
        """A value that starts on a later line (or is empty, at (row, col))."""
        next_row, next_col = self.skip(row + 1, 0) if row + 1 < len(self.lines) else (len(self.lines), 0)
        if next_row < len(self.lines):
            marker = next_col == 0 and (self._marker(next_row, b"---") or self._marker(next_row, b"..."))
            if not marker and (
                next_col > indent or (after_key and next_col == indent and self._is_dash(next_row, next_col))
            ):
                return self.block_node(next_row, next_col, indent)
        end = self.offset(row, col)
        return Scalar(end, end, "", "empty", row + 1, False), row, len(self.lines[row])

    def block_sequence(self, row: int, col: int) -> tuple[Sequence, int, int]:
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

    # -- scalars ----------------------------------------------------------------------------

    def scalar(self, row: int, col: int, flow: bool, tagged: bool) -> tuple[Scalar, int]:
        """A one-line plain or quoted scalar at (row, col); returns it and the column past it."""
        line = self.lines[row]
        char = line[col]
        start = self.offset(row, col)
        if char == 0x27:  # "'"
            end = col + 1
            while True:
                end = line.find(b"'", end)
                if end < 0:
                    raise self._open_quote(row, col)
                if line[end + 1 : end + 2] == b"'":
                    end += 2
                    continue
                break
            value = line[col + 1 : end].decode().replace("''", "'")
            return Scalar(start, start + end + 1 - col, value, "single", row + 1, tagged), end + 1
        if char == 0x22:  # '"'
            value, end = self._double_quoted(row, col)
            return Scalar(start, start + end - col, value, "double", row + 1, tagged), end
        if (
            char in _NOT_PLAIN_START
            or (flow and char in b"?:")  # libyaml: never a plain scalar's start in flow context
            or (
                char in b"-?:"
                and (col + 1 == len(line) or line[col + 1] in _BLANK or (flow and line[col + 1] in b",[]{}"))
            )
        ):
            raise self.error(row, f"a value cannot start with {chr(char)!r} unquoted")
        size = len(line)
        end = size
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
        text = line[col:end].rstrip(_BLANK)
        return Scalar(start, start + len(text), text.decode(), "plain", row + 1, tagged), col + len(text)

    def _double_quoted(self, row: int, col: int) -> tuple[str, int]:
        line = self.lines[row]
        out = []
        pos = col + 1
        while True:
            quote = line.find(b'"', pos)
            slash = line.find(b"\\", pos)
            if quote < 0 and slash < 0:
                raise self._open_quote(row, col)
            if slash < 0 or 0 <= quote < slash:
                out.append(line[pos:quote].decode())
                return "".join(out), quote + 1
            out.append(line[pos:slash].decode())
            code = line[slash + 1 : slash + 2].decode("latin-1")  # every escape letter is ASCII
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                pos = slash + 2
            elif code in _HEX_ESCAPES:
                digits = line[slash + 2 : slash + 2 + _HEX_ESCAPES[code]]
                try:
                    if len(digits) != _HEX_ESCAPES[code]:
                        raise ValueError
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    raise self.error(row, "bad escape in a double-quoted scalar") from None
                pos = slash + 2 + len(digits)
            elif slash + 1 == len(line):  # an escaped line break: the scalar goes on
                raise self._open_quote(row, col)
            else:
                raise self.error(row, "bad escape in a double-quoted scalar")

    def _open_quote(self, row: int, col: int) -> ConfigError:
        """A quoted scalar at (row, col) that does not end on its line. libyaml reads on over
        lines: one whose quote never closes it refuses where the text runs out (or at a '---' or
        '...' line); one that closes is a construct this reader does not take."""
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
                    return self.error(row, "a quoted scalar spanning lines is not supported")
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

    def flow_node(self, row: int, col: int) -> tuple[Node, int, int]:
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
                if self.lines[row][col] in (0x5B, 0x7B, 0x3F):
                    raise self.error(row, "only scalar keys are supported in flow mappings")
                tagged, row, col = self.properties(row, col)
                if tagged or self.lines[row][col] in (0x5B, 0x7B):
                    raise self.error(row, "only plain or quoted keys are supported in flow mappings")
                key_col = col
                key, col = self.scalar(row, col, flow=True, tagged=False)
                key_row = row
                row, col = self.flow_skip(row, col)
                if self.lines[row][col] != 0x3A:
                    raise self.error(row, "a flow mapping entry without ':' is not supported")
                if row != key_row:
                    raise self.error(row, "a flow mapping key and its ':' on different lines are not supported")
                self._check_key_length(row, key_col, col)
                row, col = self.flow_skip(row, col + 1)
                value, row, col = self.flow_item(row, col)
                node.pairs.append((key, value))
            else:
                item, row, col = self.flow_item(row, col)
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
                    "expected ',' or the end of the flow collection (or a multi-line scalar, which is not supported)",
                )
        if isinstance(node, Mapping):
            node.close = self.offset(row, col)
        node.end = self.offset(row, col + 1)
        return node, row, col + 1

    def flow_item(self, row: int, col: int) -> tuple[Node, int, int]:
        line = self.lines[row]
        char = line[col]
        if char in b",]}":
            end = self.offset(row, col)
            return Scalar(end, end, "", "empty", row + 1, False), row, col
        tagged, row, col = self.properties(row, col)
        char = self.lines[row][col]
        if char in (0x5B, 0x7B):
            return self.flow_node(row, col)
        if char in b",]}":
            end = self.offset(row, col)
            return Scalar(end, end, "", "empty", row + 1, tagged), row, col
        scalar, end = self.scalar(row, col, flow=True, tagged=tagged)
        return scalar, row, end

    def flow_skip(self, row: int, col: int) -> tuple[int, int]:
        row, col = self.skip(row, col, flow=True)
        if row >= len(self.lines):
            raise self.error(_end_line(self.data) - 1, "a flow collection is not closed")
        return row, col


def _reread(mapping: Mapping, data: bytes) -> list[tuple[Scalar, Node]]:
    """The pairs of a mapping that the fast path read in one run, from the file's bytes."""
    begin = mapping.start - mapping.column
    lines = data[begin : mapping.end].split(b"\n")
    starts = list(map(add, accumulate(map(len, lines), initial=begin), count()))
    # The reader took every CR in these lines for the end of a CRLF.
    lines = [line[:-1] if line[-1:] == b"\r" else line for line in lines]
    pairs: list[tuple[Scalar, Node]] = []
    _Parser._simple_run(pairs, lines, starts, 0, mapping.column, False, mapping.line)
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


# -- what Fluent Bit makes of the tree --------------------------------------------------------


def _structure(doc: YamlDocument, root: Mapping) -> None:
    """Check the tree against Fluent Bit's reader (flb_cf_yaml.c) and find its sections. Where
    4.2.8 and 5.1.1 differ, what either version takes is taken: a config is never refused that
    one of them runs."""
    for key, value in root.pairs:
        name = key.value.lower()
        if name == "pipeline":
            kind = "pipeline"
            if not isinstance(value, Mapping):
                # PIPELINE takes a scalar for a category: a known one is read as such, and what
                # follows it is refused.
                known = isinstance(value, Scalar) and value.value.lower() in _PLUGIN_KINDS
                raise ConfigError(
                    doc.path,
                    _line_after(doc, value) if known else value.line,
                    "pipeline: must be a mapping of inputs, filters and outputs",
                )
            for category, plugins in value.pairs:
                plugin_kind = _PLUGIN_KINDS.get(category.value.lower())
                if plugin_kind is None:
                    raise _refuse(
                        doc, category, f"unknown pipeline category {category.value!r} (inputs, filters or outputs)"
                    )
                for plugin in _plugin_list(doc, plugins, category.value, plugin_kind):
                    doc.plugins.append(Plugin(plugin_kind, plugin))
        elif name in ("service", "env") or name not in ("includes", "plugins", *_LIST_SECTIONS):
            kind = SERVICE if name == "service" else ("env" if name == "env" else "other")
            if name == "service":
                if doc.service_key is not None:
                    raise _refuse(doc, key, "duplicated definition of 'service'")
                doc.service_key = key
            if kind == "env" and isinstance(value, Sequence):
                # 5.1.1's list of variables (`- name: X`, `value: ...`, `uri: ...`); 4.2.8 refuses it.
                for item in value.items:
                    if not isinstance(item, Mapping):
                        raise _refuse(doc, item, "env: a list of variables must hold mappings ('- name: ...')")
                    _check_scalars(doc, item, "env: a variable's values must be scalars, not a list or mapping")
            elif not isinstance(value, Mapping):
                raise _refuse(doc, value, f"{key.value}: must be a mapping of keys to values")
            elif kind == SERVICE:
                for _, item in value.pairs:
                    if isinstance(item, Sequence):  # 5.1.1 takes a mapping (of anything); 4.2.8 refuses it
                        raise _refuse(doc, item, "a value in service: must be a scalar or a mapping, not a list")
                doc.plugins.append(Plugin(SERVICE, value))
            elif name != "extensions":  # 5.1.1 takes any value there (4.2.8: an unknown section)
                _check_scalars(doc, value, f"a value in {key.value}: must be a scalar, not a list or mapping")
        elif name == "includes":
            kind = "includes"
            for item in _scalar_list(doc, value, key.value):
                doc.includes.append(item)
        elif name == "plugins":
            kind = "plugins"
            _scalar_list(doc, value, key.value)
        else:
            kind = _LIST_SECTIONS[name]
            _plugin_list(doc, value, key.value, kind)
        doc.sections.append((key, kind, value))


def _refuse(doc: YamlDocument, node: Node, message: str) -> ConfigError:
    return ConfigError(doc.path, node.line, message)


def _nested_list(doc: YamlDocument, node: Sequence, where: str) -> ConfigError:
    """Fluent Bit's list states let the start of a list inside the list go by: its items are read
    as the list's own, and its end ends the whole list, so the event after it is refused. (Were
    that event a scalar, the state above would take it as a key and stop later: not followed.)"""
    return ConfigError(
        doc.path, _line_after(doc, node), f"{where}: a list inside the list (line {node.line}) is not allowed"
    )


def _plugin_list(doc: YamlDocument, node: Node, where: str, kind: str) -> list[Mapping]:
    """The list's entries, checked as Fluent Bit's reader checks an entry of `kind` (a plugin
    kind, processor, a list section's kind, or group), refused where it refuses, in order."""
    if isinstance(node, Mapping):
        # Fluent Bit reads the mapping as one entry (the old `inputs: {tail: {...}}` layout)
        # and stops only at the event after it: the next key, or the end of the parent (where,
        # for a signal's processors or a list of groups, it names no line).
        _check_entry(doc, node, kind)
        raise ConfigError(
            doc.path,
            _line_after(doc, node),
            f"{where}: must be a list of mappings ('- name: ...'), not the mapping from line {node.line}",
        )
    if not isinstance(node, Sequence):
        raise _refuse(doc, node, f"{where}: must be a list of mappings ('- name: ...')")
    entries = []
    for item in node.items:
        if isinstance(item, Sequence):
            _plugin_list(doc, item, where, kind)
            raise _nested_list(doc, item, where)
        if not isinstance(item, Mapping):
            raise _refuse(doc, item, f"{where}: must be a list of mappings ('- name: ...'), and this item is not one")
        _check_entry(doc, item, kind)
        entries.append(item)
    return entries


def _scalar_list(doc: YamlDocument, node: Node, where: str) -> list[Scalar]:
    if not isinstance(node, Sequence):
        raise _refuse(doc, node, f"{where}: must be a list of values")
    scalars = []
    for item in node.items:
        if isinstance(item, Sequence):
            _scalar_list(doc, item, where)
            raise _nested_list(doc, item, where)
        if not isinstance(item, Scalar):
            raise _refuse(doc, item, f"{where}: must be a list of values, and this item is not one")
        scalars.append(item)
    return scalars


def _line_after(doc: YamlDocument, node: Node) -> int:
    """The line of the first token after `node`, where libyaml's next event starts; at the end
    of the file, the line after the last (libyaml ends the stream on a line of its own)."""
    data = doc.data
    line = data.count(b"\n", 0, node.end) + 1
    for text in data[node.end :].split(b"\n"):
        content = text.strip(b" \t\r")
        if content and content[:1] != b"#":
            return line
        line += 1
    return _end_line(data)


def _end_line(data: bytes) -> int:
    """The line of libyaml's end of the stream: the file's last line break starts it, or libyaml
    starts a new line for it."""
    return data.count(b"\n") + 1 + (not data.endswith(b"\n"))


def _check_entry(doc: YamlDocument, entry: Mapping, kind: str) -> None:
    """An entry of a list: a plugin or processor, a rule or upstream node (a group: scalars
    only), or a list section's entry (scalars, and its list of groups)."""
    if kind in _PLUGIN_STATES:
        _check_plugin(doc, entry, kind)
    elif kind == "group":
        _check_scalars(doc, entry, "a value of a rule or node must be a scalar, not a list or mapping")
    else:
        groups = _GROUP_LISTS.get(kind)
        for key, value in entry.pairs:
            if key.value == groups:
                _plugin_list(doc, value, key.value, "group")
            elif isinstance(value, Scalar):
                continue
            elif kind != "upstream_servers":
                raise _refuse(doc, value, f"{key.value}: {kind} settings must be scalars, not lists or mappings")
            else:
                line = _lost_line(doc, value)
                hint = "Fluent Bit loses its place there and stops here" if line else "Fluent Bit would hang on it"
                raise ConfigError(
                    doc.path,
                    line or value.line,
                    f"{key.value}: upstream server settings must be scalars, not the one on line {value.line} ({hint})",
                )


def _lost_line(doc: YamlDocument, value: Node) -> int | None:
    """Where Fluent Bit stops after an upstream server's value that is no scalar, or None where it
    loops for ever. UPSTREAM_SERVER_VALUE lets every event but a scalar go by, and UPSTREAM_SERVER
    takes a scalar as a key: from there on the scalars alternate as keys and values, and the first
    other event met where a key is expected is refused (a mapping's end never is: its pairs
    leave the states as they found them)."""
    if doc.root is None:  # no tree is checked without one
        return None
    events = _events(doc.root)
    for node, _ in events:
        if node is value:
            break
    key_expected = False
    for node, end in events:
        if isinstance(node, Scalar):
            key_expected = not key_expected
        elif key_expected:
            if not end:
                return node.line
            # a flow collection ends at its bracket, a block one at the token after it
            return doc.data.count(b"\n", 0, node.end - 1) + 1 if node.flow else _line_after(doc, node)
    return None


def _events(node: Node) -> Iterator[tuple[Node, bool]]:
    """libyaml's events for the node, in order: (node, False) for a scalar or a collection's start,
    (collection, True) for its end."""
    yield node, False
    if isinstance(node, Scalar):
        return
    if isinstance(node, Mapping):
        for key, value in node.pairs:
            yield key, False
            yield from _events(value)
    else:
        for item in node.items:
            yield from _events(item)
    yield node, True


def _check_scalars(doc: YamlDocument, mapping: Mapping, message: str) -> None:
    for _, item in mapping.pairs:
        if not isinstance(item, Scalar):
            raise _refuse(doc, item, message)


def _check_plugin(doc: YamlDocument, plugin: Mapping, kind: str) -> None:
    """A plugin's values, as PLUGIN_VAL takes them (keys compared as written): scalars, lists of
    scalars, mappings of scalars (groups); a `processors:` mapping holds lists of processors by
    signal; `processors`, `routes` and any value of a processor may otherwise hold anything."""
    if plugin.simple:
        return
    for key, value in plugin.pairs:
        if isinstance(value, Scalar):
            continue
        if isinstance(value, Mapping) and key.value == "processors":
            for signal, processors in value.pairs:
                if signal.value.lower() not in _SIGNALS:
                    raise _refuse(doc, signal, f"unknown processor {signal.value!r} (logs, metrics or traces)")
                _plugin_list(doc, processors, signal.value, "processor")
        elif kind == "processor" or key.value in ("processors", "routes"):
            continue
        elif isinstance(value, Sequence):
            for item in value.items:
                if not isinstance(item, Scalar):
                    raise _refuse(doc, item, f"{key.value}: a list of values may hold only scalars")
        elif kind != INPUT or key.value != "telemetry":  # 5.1.1 takes an input's telemetry mapping whole
            _check_scalars(doc, value, f"{key.value}: a nested mapping may hold only scalars")


def settings(doc: YamlDocument) -> Iterator[tuple[str, int, str, str, str, str]]:
    """(path, line, kind, plugin name, key, value) for every property of the service and the
    pipeline plugins, in file order: a list gives one per item; what is nested deeper (groups,
    `processors`, `routes`) is not a setting of the plugin itself and is left out."""
    for plugin in doc.plugins:
        pairs = plugin.mapping.pairs
        # Its `name:` (the plugin's type), or "" (the service section has none).
        name = next(
            (value.value for key, value in pairs if key.value.lower() == "name" and isinstance(value, Scalar)), ""
        )
        for key, value in pairs:
            if isinstance(value, Scalar):
                yield doc.path, key.line, plugin.kind, name, key.value, value.value
            elif isinstance(value, Sequence) and key.value not in ("processors", "routes"):
                for item in value.items:
                    if isinstance(item, Scalar):
                        yield doc.path, item.line, plugin.kind, name, key.value, item.value


def buffers(doc: YamlDocument, reached: bool) -> Iterator[Buffer]:
    """The document's inputs and emitters, in file order (see document.Buffer)."""
    for index, plugin in enumerate(doc.plugins):
        if plugin.kind not in BUFFER_KEYS:
            continue
        # The last of a repeated property wins, as the values are set in order.
        found = {key_id(key.value): value.value for key, value in plugin.mapping.pairs if isinstance(value, Scalar)}
        name = found.get("name", "")
        if plugin.kind == FILTER and name.lower() not in EMITTERS:
            continue
        limit_key, storage_key = (key.decode() for key in BUFFER_KEYS[plugin.kind])
        limit = found.get(limit_key)
        filesystem = found.get(storage_key, "").lower() == "filesystem"
        written = None if limit is None else limit.encode()
        yield Buffer(doc.path, plugin.mapping.line, plugin.kind, name, index, written, filesystem, reached)


def may_matter(
    doc: YamlDocument, words: Iterable[bytes], keys: Iterable[bytes], odd: Callable[[bytes, bytes], bool]
) -> bool:
    """Whether settings(doc) could give a check anything to report, judged from the raw bytes
    (see document.raw_may_matter): keys and words in snake_case or camelCase (`memBufLimit`),
    a key quoted or not, its value plain or quoted on the key's line."""
    spellings = {spelled: key for key in keys for spelled in (key, key.replace(b"_", b""))}
    return raw_may_matter(doc.data, {*words, *(word.replace(b"_", b"") for word in words)}, spellings, odd, _line_value)


def _line_value(rest: bytes) -> bytes | None:
    """The value of the `key: value` line whose key `rest` follows, or None where the line alone
    does not give it (a value on the next lines, a flow collection, an anchor, a tag, an escape)."""
    if rest[:1] in (b'"', b"'"):
        rest = rest[1:]  # the key's closing quote
    if rest[:1] != b":":
        return None
    value = rest[1:]
    for comment in (b" #", b"\t#"):
        if comment in value:
            value = value[: value.index(comment)]
    value = value.strip(b" \t\r")
    if not value or value[:1] in b"{[&*!|>%@`" or b"\\" in value:
        return None
    quote = value[:1]
    if quote in (b'"', b"'"):
        inner = value[1:-1]
        return inner if len(value) > 1 and value[-1:] == quote and quote not in inner else None
    return None if any(mark in value for mark in (b",", b"]", b"}")) else value
