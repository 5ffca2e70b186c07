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

from fluent_launch import includes
from fluent_launch.document import SERVICE, render
from fluent_launch.errors import ConfigError, LaunchError
from fluent_launch.read import read_config
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.yaml_config import Scalar, YamlDocument, parse
from fluent_launch.yaml_edit import line_end, quote

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fluent_launch.yaml_config import Node

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

    def __init__(self, main: YamlDocument) -> None:
        self.main = main
        self.docs: dict[YamlDocument, list[YamlDocument]] = {}  # each file's included files
        # Fluent Bit's list of files read: the paths as it makes them, compared as strings, so
        # `b.yaml` and `./b.yaml` are two files and a file including itself is read twice
        # before its path repeats.
        self.seen = {main.path}
        self.service: YamlDocument | None = None
        self.sections: list[Section] = includes.nested(lambda: list(self._walk(main)))

    def _walk(self, doc: YamlDocument) -> Iterator[Section]:
        if doc.service_key is not None:
            if self.service is not None:
                raise ConfigError(doc.path, doc.service_key.line, "duplicated definition of 'service'")
            self.service = doc
        included = self.docs.setdefault(doc, [])
        for key, kind, node in doc.sections:
            if kind != "includes":
                yield Section(doc, key, kind, node)
                continue
            for entry in doc.includes:
                for target in _targets(doc, entry) if node.start <= entry.start < node.end else ():
                    child = self._read(doc, entry, target)
                    included.append(child)
                    yield from self._walk(child)

    def _read(self, parent: YamlDocument, entry: Scalar, target: str) -> YamlDocument:
        if target in self.seen:
            raise ConfigError(parent.path, entry.line, f"{target} is already included")
        if len(self.seen) >= includes.MAX_FILES:
            raise ConfigError(parent.path, entry.line, f"more than {includes.MAX_FILES} config files")
        self.seen.add(target)
        try:
            os.stat(target)
            data = read_config(target).data
        except OSError as error:
            raise ConfigError(parent.path, entry.line, f"cannot include {target}: {error.strerror}") from None
        except LaunchError as error:
            raise ConfigError(parent.path, entry.line, f"cannot include {error}") from None
        return parse(data, target)


def _targets(doc: YamlDocument, entry: Scalar) -> list[str]:
    path = _joined(doc, entry.value)
    if "*" not in entry.value:
        return [path]
    import glob  # here, because it imports `re`, which most configs never need

    # glob(3) with GLOB_NOSORT: directory order, which Python's glob keeps too.
    matches = glob.glob(path)
    if not matches:
        raise ConfigError(doc.path, entry.line, f"no file matches the include {path}")
    return matches


def _joined(doc: YamlDocument, entry: str) -> str:
    # flb_cf_yaml.c read_config(): "<dirname of the including file>/<entry>" unless absolute.
    return entry if entry.startswith("/") else (os.path.dirname(doc.path) or ".") + "/" + entry


def relocate(doc: YamlDocument) -> bytes:
    """The main config with each relative include and `service:` file path made absolute, as
    Fluent Bit would have resolved them for the original."""
    edits = []
    base = os.path.abspath(os.path.dirname(doc.path) or ".")
    for entry in doc.includes:
        if not entry.value.startswith("/"):
            edits.append((entry.start, entry.end, quote(os.path.join(base, entry.value)).encode()))
    root = os.path.dirname(os.path.realpath(doc.path))
    for plugin in doc.plugins:
        if plugin.kind != SERVICE:
            continue
        for key, value in plugin.mapping.pairs:
            # ${VAR} is expanded only by Fluent Bit, so such a path cannot be resolved here.
            if (
                key.value.lower() in _SERVICE_FILE_KEYS
                and isinstance(value, Scalar)
                and value.style not in ("empty", "literal", "folded")
                and not value.tagged
                and not value.value.startswith("/")
                and "${" not in value.value
            ):
                absolute = os.fsdecode(includes.resolve(os.fsencode(value.value), root))
                edits.append((value.start, value.end, quote(absolute).encode()))
    return render(doc.data, sorted(edits)) if edits else doc.data


def inline(loaded: Loaded) -> bytes:
    """The main config with each `includes:` replaced by the included files' sections,
    recursively, in the place Fluent Bit reads them: one file whose overrides reach them all."""
    return includes.nested(lambda: _inlined(loaded, loaded.main, True))


def _inlined(loaded: Loaded, doc: YamlDocument, whole: bool) -> bytes:
    root = doc.root
    if root is None:
        return doc.data if whole else b""
    if root.flow or root.column != 0:
        raise ConfigError(
            doc.path, root.line, "cannot inline includes here: the top level is not a block mapping at column 0"
        )
    data = doc.data
    children = iter(loaded.docs[doc])
    edits = []
    for key, kind, node in doc.sections:
        if kind == "includes":
            count = sum(len(_targets(doc, entry)) for entry in doc.includes if node.start <= entry.start < node.end)
            pasted = b"".join(_inlined(loaded, next(children), False) for _ in range(count))
            edits.append((data.rfind(b"\n", 0, key.start) + 1, line_end(data, node.end), pasted))
    if whole:
        return render(data, edits)
    # Only its top-level mapping: no `---`, `...` or comments around it.
    start, end = data.rfind(b"\n", 0, root.start) + 1, line_end(data, root.end)
    if start == 0 and data.startswith(b"\xef\xbb\xbf"):
        start = 3  # a byte order mark is no content to paste
    body = render(data, [(0, start, b""), *edits, (end, len(data), b"")])
    return body if body.endswith(b"\n") else body + doc.newline
