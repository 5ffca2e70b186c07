"""`--diff`: the config change as a unified diff, secret-looking values masked."""

from __future__ import annotations

import difflib
import os

from fluent_launch.mask import MASK, looks_secret

_SPACE = b" \t\r\n\v\f"


def unified(before: bytes, after: bytes, before_name: str, after_name: str, show_secrets: bool) -> bytes:
    """The diff from `before` to `after`; a changed line whose key looks secret shows `***`
    as its value unless `show_secrets`."""
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        os.fsencode(before_name),
        os.fsencode(after_name),
    )
    out = bytearray()
    for number, line in enumerate(lines):
        if not line.endswith(b"\n"):
            line += b"\n\\ No newline at end of file\n"
        # The first two lines name the files; hunk lines start with ' ', '+' or '-'.
        out += line if show_secrets or number < 2 or line[:1] not in b" +-" else _masked(line)
    return bytes(out)


def _masked(line: bytes) -> bytes:
    """A diff line `[-+ ]<indent>key value` with the value masked if the key looks secret."""
    text = line[1:]
    indent = len(text) - len(text.lstrip(_SPACE))
    key, space, value = text[indent:].partition(b" ")  # classic entries split at the first space
    if not space or not value.strip(_SPACE) or not looks_secret(os.fsdecode(key)):
        return line
    ending = text[len(text.rstrip(b"\r\n")) :]
    return line[:1] + text[:indent] + key + b" " + MASK.encode() + ending
