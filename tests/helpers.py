"""Building overrides and running the editor in one call, for the tests."""

from __future__ import annotations

from fluent_launch import edits
from fluent_launch.classic import edit
from fluent_launch.classic import parse as classic


def overrides(*triples: tuple[str, str, str]) -> edits.Overrides:
    """(kind, key, value) triples as the CLI would collect them, the last of a key winning."""
    collected: edits.Overrides = {}
    for kind, key, value in triples:
        override = edits.Override(key.encode(), value.encode())
        collected.setdefault(kind, {})[override.key.lower()] = override
    return collected


def apply(data: bytes, *triples: tuple[str, str, str]) -> bytes:
    return edit.apply(classic.parse(data, "test.conf"), overrides(*triples)).data
