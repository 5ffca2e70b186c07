"""A parsed document as Fluent Bit's own dump shows it: the shape of ../shared/vectors."""

from __future__ import annotations

from typing import Any

from fluent_launch import edits
from fluent_launch.classic.document import Document, Entry
from fluent_launch.sections import SERVICE


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _properties(entries: list[Entry]) -> list[list[str]]:
    return [[_text(entry.key), _text(entry.value)] for entry in entries]


def sections(doc: Document) -> list[dict[str, Any]]:
    """Sections in file order, every [SERVICE] merged into the first as Fluent Bit does."""
    out: list[dict[str, Any]] = []
    service: dict[str, Any] | None = None
    for section in doc.sections:
        groups = [{"name": _text(group.name), "properties": _properties(group.entries)} for group in section.groups]
        if section.kind == SERVICE and service is not None:
            service["properties"] += _properties(section.entries)
            service["groups"] += groups
            continue
        shown = {
            "name": _text(section.name),
            "type": section.kind,
            "properties": _properties(section.entries),
            "groups": groups,
        }
        if section.kind == SERVICE:
            service = shown
        out.append(shown)
    return out


def metas(doc: Document) -> list[list[str]]:
    return [[_text(name), _text(value)] for name, value in doc.metas]


def expected_sections(before: list[dict[str, Any]], overrides: edits.Overrides) -> list[dict[str, Any]]:
    """Fluent Bit's view of the edited config, derived from its view of the original."""
    after = []
    for section in before:
        wanted = overrides.get(section["type"], {})
        properties = [list(pair) for pair in section["properties"]]
        for lowered, override in wanted.items():
            key, value = lowered.decode("utf-8", "surrogateescape"), override.value.decode("utf-8", "surrogateescape")
            hits = [index for index, (name, _) in enumerate(properties) if name == key]
            if hits:
                properties[hits[0]][1] = value
                properties = [pair for index, pair in enumerate(properties) if index not in hits[1:]]
            else:
                properties.append([key, value])
        after.append({**section, "properties": properties})
    if overrides.get(SERVICE) and not any(section["type"] == SERVICE for section in before):
        properties = [
            [lowered.decode(), o.value.decode("utf-8", "surrogateescape")] for lowered, o in overrides[SERVICE].items()
        ]
        after.append({"name": "SERVICE", "type": SERVICE, "properties": properties, "groups": []})
    return after
