"""Keep `@INCLUDE` and the [SERVICE] file paths working once the config is written elsewhere.

Fluent Bit resolves a relative `@INCLUDE` (and `Parsers_File`, `Plugins_File`,
`Streams_File`) against the working directory first, then against the directory of the
*main* config; a relative glob only against that directory. The launcher's config lives
in another directory than the original, so `relocate` writes those paths out as the
absolute paths Fluent Bit would have used for the original, and `inline` replaces each
`@INCLUDE` line by the file itself, so that overrides reach included sections too.
"""

from __future__ import annotations

import os

from fluent_launch.classic import parse
from fluent_launch.classic.document import Document, Include, line_end, within_line_limit
from fluent_launch.edits import render
from fluent_launch.errors import ConfigError, LaunchError
from fluent_launch.read import MAX_FILES, nested, read_config, resolve
from fluent_launch.sections import SERVICE

_SERVICE_FILE_KEYS = frozenset((b"parsers_file", b"plugins_file", b"streams_file"))


def prepare(doc: Document, inline_includes: bool) -> Document:
    """The document to apply overrides to: includes inlined if asked, paths made absolute."""
    root = os.path.dirname(os.path.realpath(doc.path))
    if inline_includes:
        doc = parse.parse(inline(doc, root), doc.path)
    elif doc.includes:
        # Fluent Bit reads them all before it starts: refuse what it would, as for YAML.
        nested(lambda: _Inliner(doc, root, paste=False).expand(doc))
    relocated = relocate(doc, root)
    return doc if relocated is doc.data else parse.parse(relocated, doc.path)


def relocate(doc: Document, root: str) -> bytes:
    """`doc` with each relative include and [SERVICE] file path made absolute against `root`.

    `root` is the directory of the original main config, symlinks resolved (realpath()).
    """
    edits = []
    for include in doc.includes:
        if not include.path.startswith(b"/"):
            absolute = _include_pattern(include.path, root) if b"*" in include.path else resolve(include.path, root)
            edits.append((include.start, include.end, include.head + absolute + line_end(doc.data, include.end)))
    for section in doc.sections.of_kinds((SERVICE,), _SERVICE_FILE_KEYS):
        for entry in section.entries:
            # ${VAR} is expanded only by Fluent Bit, so such a path cannot be resolved here.
            if not entry.value.startswith(b"/") and b"${" not in entry.value:
                absolute = resolve(entry.value, root)
                edits.append((entry.start, entry.end, entry.head + absolute + line_end(doc.data, entry.end)))
    return render(doc.data, within_line_limit(doc.path, doc.data, sorted(edits))) if edits else doc.data


def inline(doc: Document, root: str) -> bytes:
    """The config with every `@INCLUDE` replaced by the included files' content, recursively.

    Refused as Fluent Bit refuses: a missing file, a glob matching nothing, a file read twice
    (which includes cycles), more than 1000 files. Included files take the main file's
    indent, since Fluent Bit checks indentation per file.
    """
    return nested(lambda: _Inliner(doc, root).expand(doc))


def included(doc: Document, root: str) -> list[Document]:
    """Every file `doc` includes, recursively, as parsed, for what the warnings say about the
    files the edit does not reach. What Fluent Bit would refuse to include (a missing file, a
    file read twice) is skipped: Fluent Bit itself says why when it starts."""
    found: list[Document] = []
    seen = {os.stat(doc.path).st_ino}

    def walk(parent: Document) -> None:
        for include in parent.includes:
            for target in targets(include, root):
                try:
                    inode = os.stat(target).st_ino
                    if inode in seen or len(seen) >= MAX_FILES:
                        continue
                    seen.add(inode)
                    child = parse.parse(read_config(target).data, target)
                except (OSError, LaunchError):
                    continue
                found.append(child)
                walk(child)

    nested(lambda: walk(doc))
    return found


def targets(include: Include, root: str) -> list[str]:
    """The files an `@INCLUDE` names: its path, or what its glob matches (maybe nothing)."""
    if b"*" not in include.path:
        return [os.fsdecode(resolve(include.path, root))]
    import glob  # here, because it imports `re`, which the usual start-up never needs

    # Like glob(3) with GLOB_NOSORT: directory order, which Python's glob also keeps.
    return glob.glob(os.fsdecode(_include_pattern(include.path, root)))


class _Inliner:
    """Reads the included files as Fluent Bit does; with `paste`, returns the config with them
    in place of each @INCLUDE, else only refuses what Fluent Bit would refuse."""

    def __init__(self, main: Document, root: str, paste: bool = True) -> None:
        self.root = root
        self.paste = paste
        self.indent = main.entry_indent
        self.newline = main.newline
        # Fluent Bit's table of files read: inode numbers only, the main config's first.
        self.inodes = {os.stat(main.path).st_ino}
        self.sections = 0  # sections read from included files so far

    def expand(self, doc: Document) -> bytes:
        pieces = []
        pos = 0
        for include in doc.includes:
            pieces.append(doc.data[pos : include.start])
            pos = include.end
            sections_before = self.sections
            for target in self._targets(doc.path, include):
                pieces.append(self._included(target, doc.path, include.line))
            if self.paste and self.sections > sections_before:
                _check_no_section_spans(doc, include)
        pieces.append(doc.data[pos:])
        return b"".join(pieces)

    def _targets(self, parent: str, include: Include) -> list[str]:
        matches = targets(include, self.root)
        if not matches:
            pattern = os.fsdecode(_include_pattern(include.path, self.root))
            raise ConfigError(parent, include.line, f"no file matches @INCLUDE {pattern}")
        return matches

    def _included(self, target: str, parent: str, line: int) -> bytes:
        try:
            inode = os.stat(target).st_ino
        except OSError as error:
            raise ConfigError(parent, line, f"cannot include {target}: {error.strerror}") from None
        if inode in self.inodes:
            raise ConfigError(parent, line, f"{target} is included twice (or includes itself)")
        if len(self.inodes) >= MAX_FILES:
            raise ConfigError(parent, line, f"more than {MAX_FILES} config files")
        self.inodes.add(inode)
        try:
            data = read_config(target).data
        except LaunchError as error:
            raise ConfigError(parent, line, f"cannot include {error}") from None
        doc = parse.parse(data, target)
        if self.paste and doc.indent is not None and doc.indent != self.indent:
            doc = parse.parse(parse.reindent(data, target, doc.indent, self.indent), target)
        self.sections += len(doc.sections)
        body = self.expand(doc)
        # Without its own last newline, the file's last line would run into the next one.
        return body if not body or body.endswith(b"\n") else body + self.newline


def _check_no_section_spans(doc: Document, include: Include) -> None:
    """Refuse to inline where pasted sections would take over the entries after the include.

    Fluent Bit's current section is per file: entries after an @INCLUDE still belong to the
    section before it, which pasted content with its own sections would take over.
    """
    for section in doc.sections:
        if section.start < include.start:
            entries = [*section.entries, *(entry for group in section.groups for entry in group.entries)]
            if any(entry.start > include.start for entry in entries):
                raise ConfigError(
                    doc.path,
                    include.line,
                    "cannot inline this @INCLUDE: entries after it belong to the section before it;"
                    " start a section after the @INCLUDE line",
                )


def _include_pattern(path: bytes, root: str) -> bytes:
    # read_glob(): a relative glob is only ever tried against the main config's directory.
    return path if path.startswith(b"/") else os.fsencode(os.path.join(root, os.fsdecode(path)))
