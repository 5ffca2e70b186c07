"""Pack the launcher's own .pyc files of a frozen bundle into the one file its entry point reads.

    python build/modules.py dist/fluent-launch/fluent-launch.d

Run by build/build.sh with the Python that froze the bundle, right after PyInstaller. Every
`fluent_launch` module and `__future__` (which each of them imports) goes into
`fluent_launch.modules` beside them, and their .pyc files go: a start then opens one file and
reads each module it imports with one pread (fluent_launch/__main__.py), where Python's file
finder and loader took a stat, an open, a read and a close for each, plus their Python code
(0.5-0.8 ms of a FireLens start on the development VM, docs/start-up-wall-clock.md).

The file: Python's 4-byte magic number (a bundle's own Python wrote every .pyc in it), the
index's length (4 bytes, little-endian), the index (marshal: module name -> (is a package,
offset, length), in name order so that two builds write the same bytes), then each module's
code object as its .pyc holds it after the 16-byte header.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
from pathlib import Path

NAME = "fluent_launch.modules"
_HEADER = 16  # magic, flags, and the source's mtime and size (or hash)


def pack(contents: Path) -> Path | None:
    """The packed file, or None for a bundle of another script (bench/run.py's floor (c))."""
    if not (contents / "fluent_launch").is_dir():
        return None
    files = [*sorted((contents / "fluent_launch").rglob("*.pyc")), contents / "__future__.pyc"]
    index: dict[str, tuple[bool, int, int]] = {}
    codes = []
    offset = 0
    for file in files:
        data = file.read_bytes()
        if data[:4] != importlib.util.MAGIC_NUMBER:
            sys.exit(f"modules.py: {file} was not written by this Python ({sys.version.split()[0]})")
        parts = file.relative_to(contents).with_suffix("").parts
        package = parts[-1] == "__init__"
        code = data[_HEADER:]
        index[".".join(parts[:-1] if package else parts)] = (package, offset, len(code))
        codes.append(code)
        offset += len(code)
    head = marshal.dumps(dict(sorted(index.items())))
    packed = contents / NAME
    packed.write_bytes(importlib.util.MAGIC_NUMBER + len(head).to_bytes(4, "little") + head + b"".join(codes))
    for file in files:
        file.unlink()
    for folder in sorted((contents / "fluent_launch").rglob("*"), reverse=True):
        folder.rmdir()  # only folders are left, deepest first
    (contents / "fluent_launch").rmdir()
    return packed


if __name__ == "__main__":
    packed = pack(Path(sys.argv[1]))
    if packed is not None:
        print(f"{packed.name}: {len(marshal.loads(packed.read_bytes()[8:]))} modules, {packed.stat().st_size} bytes")
