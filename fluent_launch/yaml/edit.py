"""Apply `-i/-f/-o/-s KEY VALUE` overrides to a parsed YAML config.

As for classic: an existing key keeps its spelling, position, quoting style and comment and
gets the new value; later repeats of the property in that plugin go; a new key goes after
the plugin's last key at its indentation (inside `{...}` for a flow mapping). Keys match as
Fluent Bit matches them (camelCase is snake_case, case does not count). A value is written
so that YAML reads back exactly the string given.
"""

from __future__ import annotations

import os

from fluent_launch.edits import KindResult, Override, Overrides, Replaced, Result, render
from fluent_launch.errors import ConfigError, UsageError
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import SERVICE, key_id
from fluent_launch.yaml.document import YamlDocument
from fluent_launch.yaml.syntax import Mapping, Scalar

if TYPE_CHECKING:
    from collections.abc import Iterable

    from fluent_launch.yaml.syntax import Node

# Plain scalars YAML 1.1 (PyYAML) or 1.2 would read as something other than a string.
_TYPED_WORDS = frozenset(["y", "yes", "n", "no", "true", "false", "on", "off", "null", "nan", "inf"])
_PLAIN_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
_NEW_SERVICE_INDENT = 2


def quote(value: str) -> str:
    """`value` as a YAML scalar that reads back as exactly this string, in block or flow
    context: plain when it is a word no YAML reads as another type, else double-quoted."""
    raw = value.encode()
    if raw and raw[:1].isalpha() and all(byte in _PLAIN_CHARS for byte in raw) and value.lower() not in _TYPED_WORDS:
        return value
    out = ['"']
    for char in value:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif (
            code < 0x20 or 0x7F <= code <= 0x9F or char in "\u2028\u2029\ufeff\ufffe\uffff" or 0xD800 <= code <= 0xDFFF
        ):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{what} {os.fsdecode(raw)!r} is not UTF-8, which a YAML config must be") from None


class _Wanted:
    """One override as YAML needs it: the property it names, and its text as written."""

    __slots__ = ("key", "lowered", "name", "pair", "quoted", "value")

    def __init__(self, override: Override) -> None:
        self.lowered = override.key.lower()  # as Overrides holds it
        key = _text(override.key, "key")
        self.name = key_id(key)
        self.value = _text(override.value, "value")
        quoted = quote(self.value)
        self.quoted = quoted.encode()  # one object, however many values it replaces
        self.pair = f"{quote(key)}: {quoted}"  # as a new key is written


def _by_property(overrides: Iterable[Override]) -> list[_Wanted]:
    """One override per property: `memBufLimit` and `Mem_Buf_Limit` are one, the last given wins."""
    found: dict[str, _Wanted] = {}
    for override in overrides:
        want = _Wanted(override)
        found[want.name] = want
    return list(found.values())


def apply(
    doc: YamlDocument,
    overrides: Overrides,
    service_elsewhere: YamlDocument | None = None,
    extra: Iterable[tuple[int, int, bytes]] = (),
    create_service: bool = True,
    each: dict[int, dict[bytes, Override]] | None = None,
) -> Result:
    """The document's bytes with every override applied, and what was touched.

    `service_elsewhere` is an included file holding the only `service:`; Fluent Bit refuses a
    second one, so `-s` cannot be applied to this file then. `extra` are more edits to make
    (spans none of the overrides touch); without `create_service`, a `service:` this file
    lacks is not created (it is in another file edited beside this one). With `each`, only
    the plugins at those indexes of `doc.plugins` are edited, each with its own overrides
    (and the service with `overrides`' own).
    """
    wanted = {kind: _by_property(keys.values()) for kind, keys in overrides.items() if keys}
    kinds = {kind: KindResult(0, False) for kind in wanted}
    edits = list(extra)
    replaced: Replaced = {}
    chosen = {index: _by_property(keys.values()) for index, keys in (each or {}).items()}
    for index, plugin in enumerate(doc.plugins):
        if each is not None and plugin.kind != SERVICE:
            if index in chosen:
                edits += _edit_mapping(doc, plugin.mapping, plugin.kind, chosen[index], replaced)
        elif plugin.kind in wanted:
            edits += _edit_mapping(doc, plugin.mapping, plugin.kind, wanted[plugin.kind], replaced)
            kinds[plugin.kind] = KindResult(kinds[plugin.kind].sections + 1, False)
    created = None
    if SERVICE in wanted and not kinds[SERVICE].sections:
        if service_elsewhere is not None and service_elsewhere.service_key is not None:
            raise ConfigError(
                service_elsewhere.path,
                service_elsewhere.service_key.line,
                "-s needs the only service: section, which is in this included file, and Fluent Bit refuses"
                " a second one: use --inline-includes to have it edited in place, or set the keys there",
            )
        if create_service:
            created = _new_service(doc, wanted[SERVICE])
            kinds[SERVICE] = KindResult(1, True)
    edits.sort(key=lambda span: span[:2])
    if created is not None:
        edits.append(created)  # at the end of the document: after an edit at the same offset
    return Result(render(doc.data, edits), kinds, replaced)


def _edit_mapping(
    doc: YamlDocument, mapping: Mapping, kind: str, wanted: list[_Wanted], replaced: Replaced
) -> list[tuple[int, int, bytes]]:
    edits = []
    added = []
    pairs = mapping.pairs  # read once: a large config's plugins read theirs again each time
    names = [key_id(key.value) if key.value != "processors" else "" for key, _ in pairs]
    for want in wanted:
        matches = [index for index, name in enumerate(names) if name == want.name]
        if not matches:
            added.append(want.pair)
            continue
        key, value = pairs[matches[0]]
        if not _reads_as(value, want.value):
            if isinstance(value, Scalar):
                replaced.setdefault((kind, want.lowered), {})[value.value.encode()] = None
            edits.append(_replace_value(doc, key, value, want.quoted))
        edits += [_remove_pair(doc, mapping, index) for index in matches[1:]]
    if added:
        edits.append(_add_pairs(doc, mapping, added))
    return edits


def _reads_as(node: Node, value: str) -> bool:
    """Whether the node already is this string, written as this module would write it."""
    if not isinstance(node, Scalar) or node.tagged or node.value != value:
        return False
    return node.style in ("single", "double") or quote(value) == value


def _replace_value(doc: YamlDocument, key: Scalar, value: Node, text: bytes) -> tuple[int, int, bytes]:
    data = doc.breaks
    colon = _colon(data, key.end)
    if isinstance(value, Scalar) and not value.tagged and value.style != "empty":
        return value.start, value.end, text
    # A collection, a tagged or anchored scalar, or nothing: the whole value after the ':'.
    end = max(value.end, colon + 1)
    tail = b" " if data[end : end + 1] == b"#" else b""
    return colon + 1, end, b" " + text + tail


def _colon(data: bytes, offset: int) -> int:
    """The ':' after a key ending at `offset`: after blanks, or, after an explicit key ('? '), line
    breaks and comments too."""
    while data[offset] != 0x3A:
        if data[offset] == 0x23:  # '#': to the end of its line
            offset = data.index(b"\n", offset)
        offset += 1
    return offset


def line_end(data: bytes, offset: int) -> int:
    """Just past the line break of the line `offset` is on (or `offset` if it starts a line)."""
    if offset == 0 or data[offset - 1 : offset] == b"\n":
        return offset
    newline = data.find(b"\n", offset)
    return len(data) if newline < 0 else newline + 1


def _remove_pair(doc: YamlDocument, mapping: Mapping, index: int) -> tuple[int, int, bytes]:
    previous = mapping.pairs[index - 1][1]
    key, value = mapping.pairs[index]
    if mapping.flow:
        return previous.end, max(value.end, key.end), b""
    start = doc.breaks.rfind(b"\n", 0, key.start) + 1
    return start, line_end(doc.breaks, max(value.end, key.end)), b""


def _add_pairs(doc: YamlDocument, mapping: Mapping, pairs: list[str]) -> tuple[int, int, bytes]:
    if mapping.flow:
        if mapping.pairs:
            last = mapping.pairs[-1][1]
            return last.end, last.end, "".join(", " + pair for pair in pairs).encode()
        return mapping.close, mapping.close, ", ".join(pairs).encode()
    at = line_end(doc.breaks, mapping.end)
    indent = " " * mapping.column
    return at, at, _lines(doc, at, [indent + pair for pair in pairs])


def _lines(doc: YamlDocument, at: int, lines: list[str]) -> bytes:
    newline = doc.newline
    body = b"".join(line.encode() + newline for line in lines)
    if at == 0 or doc.breaks[at - 1 : at] == b"\n":
        return body
    if doc.open_block is not None:
        # That block scalar's value ends where the file does: a line break would join it.
        raise ConfigError(
            doc.path, doc.open_block, "cannot add a line after a block scalar that ends the file without a line break"
        )
    return newline + body


def _new_service(doc: YamlDocument, wanted: list[_Wanted]) -> tuple[int, int, bytes]:
    pairs = [want.pair for want in wanted]
    root = doc.root
    if root is not None and root.flow:
        service = "service: {" + ", ".join(pairs) + "}"
        return _add_pairs(doc, root, [service])
    column = root.column if root is not None else 0
    indent = " " * (column + _NEW_SERVICE_INDENT)
    at = line_end(doc.breaks, root.end) if root is not None else _content_end(doc.breaks)
    return at, at, _lines(doc, at, [" " * column + "service:", *(indent + pair for pair in pairs)])


def _content_end(data: bytes) -> int:
    """Where a config with no mapping (empty, or comments only) takes a new section: its end,
    or before a `...` that ends the document."""
    end = data.find(b"\n...")
    return len(data) if end < 0 else end + 1
