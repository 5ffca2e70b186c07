"""`includes:` of a YAML config: follow them as Fluent Bit does, keep them working once the
config is written elsewhere, and paste them in for `--inline-includes`.

Fluent Bit reads an `includes:` entry relative to the directory of the file that names it
(the main config's as given with `-c`, not resolved), and refuses a missing file, a file
read twice, and a second `service:` anywhere. So the launcher reads every included file
too, even when it edits only the main one: to refuse what Fluent Bit would refuse, and to
know where the `service:` section is.
"""

from __future__ import annotations

import os

from fluent_launch.edits import KindResult, Overrides, Replaced, Result
from fluent_launch.errors import ConfigError, LaunchError
from fluent_launch.read import MAX_FILES, nested, read_config, resolve
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import SERVICE, key_id
from fluent_launch.yaml.document import YamlDocument
from fluent_launch.yaml.edit import apply, line_end, quote
from fluent_launch.yaml.parse import parse
from fluent_launch.yaml.syntax import Mapping, Scalar

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fluent_launch.yaml.syntax import Node

    Edit = tuple[int, int, bytes]

_SERVICE_FILE_KEYS = ("parsers_file", "plugins_file", "streams_file")


class Section:
    """A top-level section as Fluent Bit reads it, included files' in place of `includes:`."""

    __slots__ = ("doc", "key", "kind", "node")

    def __init__(self, doc: YamlDocument, key: Scalar, kind: str, node: Node) -> None:
        self.doc = doc
        self.key = key
        self.kind = kind
        self.node = node


class Loaded:
    """The main config and every file it includes, in the order Fluent Bit reads them."""

    yaml = True  # see classic.document.Document.yaml

    def __init__(self, main: YamlDocument) -> None:
        self.main = main
        self.docs: dict[YamlDocument, list[YamlDocument]] = {}  # each file's included files
        # Each file's `includes:` sections, with the files each one brought in.
        self.includes: dict[YamlDocument, list[tuple[Scalar, Node, list[YamlDocument]]]] = {}
        # Fluent Bit's list of files read: the paths as it makes them, compared as strings, so
        # `b.yaml` and `./b.yaml` are two files and a file including itself is read twice
        # before its path repeats.
        self.seen = {main.path}
        self.service: YamlDocument | None = None
        self.sections: list[Section] = nested(lambda: list(self._walk(main)))
        self.edited = [main]  # the files written out: the main one, and those pasted into it

    def _walk(self, doc: YamlDocument) -> Iterator[Section]:
        if doc.service_key is not None:
            if self.service is not None:
                raise ConfigError(doc.path, doc.service_key.line, "duplicated definition of 'service'")
            self.service = doc
        included = self.docs.setdefault(doc, [])
        sections = self.includes.setdefault(doc, [])
        for key, kind, node in doc.sections:
            if kind != "includes":
                yield Section(doc, key, kind, node)
                continue
            sections.append((key, node, []))
            for entry in doc.includes:
                for target in self._targets(doc, entry) if node.start <= entry.start < node.end else ():
                    child = self._read(doc, entry, target)
                    included.append(child)
                    sections[-1][2].append(child)
                    yield from self._walk(child)

    def _targets(self, doc: YamlDocument, entry: Scalar) -> list[str]:
        path = _joined(doc, entry.value)
        if "*" not in entry.value:
            return [path]
        import glob  # here, because it imports `re`, which most configs never need

        # glob(3) with GLOB_NOSORT: directory order, which Python's glob keeps too.
        matches = glob.glob(path)
        if not matches:
            # flb_cf_yaml.c read_glob(): GLOB_NOMATCH is a warning, and the include is nothing
            # (a classic @INCLUDE's is an error).
            self.main.unmatched.append((doc.path, entry.line, path))
        return matches

    def _read(self, parent: YamlDocument, entry: Scalar, target: str) -> YamlDocument:
        if target in self.seen:
            raise ConfigError(parent.path, entry.line, f"{target} is already included")
        if len(self.seen) >= MAX_FILES:
            raise ConfigError(parent.path, entry.line, f"more than {MAX_FILES} config files")
        self.seen.add(target)
        try:
            os.stat(target)
            data = read_config(target).data
        except OSError as error:
            raise ConfigError(parent.path, entry.line, f"cannot include {target}: {error.strerror}") from None
        except LaunchError as error:
            raise ConfigError(parent.path, entry.line, f"cannot include {error}") from None
        return parse(data, target)


def _joined(doc: YamlDocument, entry: str) -> str:
    # flb_cf_yaml.c read_config(): "<dirname of the including file>/<entry>" unless absolute.
    return entry if entry.startswith("/") else (os.path.dirname(doc.path) or ".") + "/" + entry


def edited(loaded: Loaded, overrides: Overrides, inline: bool) -> Result:
    """The main config with the overrides applied and its relative paths made absolute, as
    Fluent Bit would have resolved them for the original; with `inline`, each `includes:`
    replaced by the included files' sections, recursively, edited too, in the place Fluent
    Bit reads them: one file whose overrides reach them all. The files edited are
    `loaded.edited` then.

    Each file is edited in its own bytes, as parsed, and only then pasted: no file is parsed
    twice, and each setting keeps the file and line it has.
    """
    main = loaded.main
    service = loaded.service
    root = os.path.dirname(os.path.realpath(main.path))
    overridden = frozenset(key_id(os.fsdecode(key)) for key in overrides.get(SERVICE, {}))
    files = [main]
    kinds: dict[str, KindResult] = {}
    replaced: Replaced = {}

    def edited_bytes(doc: YamlDocument, extra: list[Edit], whole: bool) -> bytes:
        if doc is service:
            extra += _service_paths(doc, root, overridden)
        if inline:
            extra += [pasted(doc, key, node, children) for key, node, children in loaded.includes[doc]]
        elsewhere = service if service is not main and not inline else None
        result = apply(doc, overrides, elsewhere, extra, create_service=whole and service is None)
        for kind, done in result.kinds.items():
            before = kinds.get(kind, KindResult(0, False))
            kinds[kind] = KindResult(before.sections + done.sections, before.created or done.created)
        for key, olds in result.replaced.items():
            replaced.setdefault(key, {}).update(olds)
        return result.data

    def pasted(doc: YamlDocument, key: Scalar, node: Node, children: list[YamlDocument]) -> Edit:
        _block_root(doc)  # the pasted lines are block mappings' lines at column 0
        files.extend(children)
        bodies = []
        for child in children:
            body = edited_bytes(child, _outside_root(child), False)
            # A file that ends without a line break gets one: the next pasted file starts a line.
            bodies.append(body if not body or body.endswith((b"\n", b"\r")) else body + child.newline)
        return doc.breaks.rfind(b"\n", 0, key.start) + 1, line_end(doc.breaks, node.end), b"".join(bodies)

    relocated = [] if inline else [_absolute(main, entry) for entry in main.includes if not entry.value.startswith("/")]
    data = nested(lambda: edited_bytes(main, relocated, True))
    loaded.edited = files
    return Result(data, kinds, replaced)


def _absolute(doc: YamlDocument, entry: Scalar) -> Edit:
    base = os.path.abspath(os.path.dirname(doc.path) or ".")
    return entry.start, entry.end, quote(os.path.join(base, entry.value)).encode()


def _service_paths(doc: YamlDocument, root: str, overridden: frozenset[str]) -> list[Edit]:
    """The `service:` file paths made absolute against `root`, the main config's directory,
    but for those the overrides replace."""
    edits = []
    for plugin in doc.plugins:
        if plugin.kind != SERVICE:
            continue
        for key, value in plugin.mapping.pairs:
            # ${VAR} is expanded only by Fluent Bit, so such a path cannot be resolved here.
            if (
                key_id(key.value) in _SERVICE_FILE_KEYS
                and key_id(key.value) not in overridden
                and isinstance(value, Scalar)
                and value.style not in ("empty", "literal", "folded")
                and not value.tagged
                and not value.value.startswith("/")
                and "${" not in value.value
            ):
                absolute = os.fsdecode(resolve(os.fsencode(value.value), root))
                edits.append((value.start, value.end, quote(absolute).encode()))
    return edits


def _outside_root(doc: YamlDocument) -> list[Edit]:
    """Edits that keep only an included file's top-level mapping, to be pasted: no `---`,
    `...`, directives or comments around it."""
    root = _block_root(doc)
    if root is None:
        return [(0, len(doc.data), b"")]
    if len(doc.roots) > 1:
        # Their sections could be pasted one after the other, but each document's own tag
        # handles could not.
        raise ConfigError(
            doc.path, doc.roots[1].line, "cannot inline includes here: the file holds more than one YAML document"
        )
    if doc.tag_handles:
        raise ConfigError(doc.path, root.line, "cannot inline includes here: the file declares tag handles (%TAG)")
    data = doc.breaks  # (where its lines are; as long as its bytes)
    start, end = data.rfind(b"\n", 0, root.start) + 1, line_end(data, root.end)
    if start == 0 and data.startswith(b"\xef\xbb\xbf"):
        start = 3  # a byte order mark is no content to paste
    return [(0, start, b""), (end, len(data), b"")]


def _block_root(doc: YamlDocument) -> Mapping | None:
    for root in doc.roots:
        if root.flow or root.column != 0:
            raise ConfigError(
                doc.path, root.line, "cannot inline includes here: the top level is not a block mapping at column 0"
            )
    return doc.root
