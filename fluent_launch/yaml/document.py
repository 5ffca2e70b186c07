"""A YAML config file as Fluent Bit reads it: its bytes, its node tree, its plugins, and the
settings and buffers it reports to the checks."""

from __future__ import annotations

from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import BUFFER_KEYS, EMITTERS, FILTER, Buffer, key_id, raw_may_matter
from fluent_launch.yaml.syntax import Scalar, Sequence

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from fluent_launch.yaml.syntax import Mapping, Node


class Plugin:
    """A plugin of the pipeline (or the service section): its mapping and where it came from."""

    __slots__ = ("kind", "mapping")

    def __init__(self, kind: str, mapping: Mapping) -> None:
        self.kind = kind
        self.mapping = mapping


class YamlDocument:
    """One YAML config file: its bytes, its node tree, and the parts Fluent Bit reads."""

    __slots__ = (
        "breaks",
        "data",
        "includes",
        "newline",
        "open_block",
        "path",
        "plugins",
        "roots",
        "sections",
        "service_key",
        "spanning",
        "tag_handles",
        "unmatched",
    )

    def __init__(self, path: str, data: bytes, roots: list[Mapping], breaks: bytes) -> None:
        self.path = path
        self.data = data
        # The bytes with an LF for every line break (a CR on its own too), where lines are found:
        # the same object as data in a file without such a CR.
        self.breaks = breaks
        self.roots = roots  # each document's top-level mapping
        # The file's first line break, for the lines an edit adds: LF, CRLF or a CR on its own.
        first = breaks.find(b"\n")
        self.newline = b"\n"
        if first >= 0 and data[first] == 0x0D:
            self.newline = b"\r"
        elif first > 0 and data[first - 1] == 0x0D:
            self.newline = b"\r\n"
        self.plugins: list[Plugin] = []  # service and pipeline plugins, in file order
        self.includes: list[Scalar] = []
        self.service_key: Scalar | None = None
        self.open_block: int | None = None  # the line of a block scalar that ends the file unterminated
        self.tag_handles = False  # whether a %TAG directive declares one
        self.spanning = False  # whether a plain scalar spans lines
        # (key as written, kind, mapping or list node) for every top-level section, in order.
        self.sections: list[tuple[Scalar, str, Node]] = []
        # Of a main config: (file, line, pattern) of each include glob, its own or an included
        # file's, that matches no file (Fluent Bit warns and reads on).
        self.unmatched: list[tuple[str, int, str]] = []

    @property
    def root(self) -> Mapping | None:
        """The last document's top-level mapping (where a new section goes), or None."""
        return self.roots[-1] if self.roots else None


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
    """The document's inputs and emitters, in file order (see sections.Buffer)."""
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
    (see sections.raw_may_matter): keys and words in snake_case or camelCase (`memBufLimit`),
    a key quoted or not, its value plain or quoted on the key's line (a plain value may go on
    over the lines after it, and a CR on its own ends a line: in a config with either, every
    setting is walked)."""
    if doc.spanning or doc.breaks is not doc.data:
        return True
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
