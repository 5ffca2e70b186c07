"""Our parse of every corpus file agrees with what Fluent Bit 4.2.8, 5.1.1 and 1.9.10 made of it.

The launcher reads as 4.2.8 does; 5.1.1 reads every classic file the same way. 1.9.10 differs
in ways that leave what the launcher edits the same, checked here as such: it keeps keys as
written (its plugins match them without regard to case, as the launcher does), types
`[PLUGINS]` and `[UPSTREAM_SERVERS]` as other (sections the launcher never edits), and refuses
lines over 4 KiB, which the launcher never writes (see tests/test_edit.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fluent_launch.classic import parse as classic
from fluent_launch.classic.document import LONGEST_LINE
from fluent_launch.errors import ConfigError
from tests import view
from tests.paths import CORPUS, VECTOR_SETS

# Fluent Bit's view of a file with @INCLUDE holds the included sections too; comparing
# those needs include processing, which the core launcher leaves to Fluent Bit.
_INCLUDE = re.compile(rb"^@include ", re.IGNORECASE | re.MULTILINE)
_ERROR_LINE = re.compile(r"error in .*:(\d+): ")
_LINE_LIMIT = "length of content has exceeded limit"
_OTHER_IN_1_9 = {"plugins", "upstream_servers"}


def _classic_vectors(version: str) -> list[Path]:
    root = VECTOR_SETS[version]
    found = sorted((root / "classic").rglob("*.json"))
    assert len(found) > 50, f"expected the shared vectors under {root}"
    return [vector for vector in found if not _INCLUDE.search(_corpus_file(version, vector).read_bytes())]


def _all_vectors() -> list[tuple[str, Path]]:
    return [(version, vector) for version in VECTOR_SETS for vector in _classic_vectors(version)]


def _corpus_file(version: str, vector: Path) -> Path:
    return CORPUS / vector.relative_to(VECTOR_SETS[version]).with_suffix("")


def _load(vector: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(vector.read_text())
    return loaded


def _as_1_9_reads(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sections as Fluent Bit 1.9 shows them, from the launcher's (4.2.8's) reading."""
    return [
        {**section, "type": "other" if section["type"] in _OTHER_IN_1_9 else section["type"]} for section in sections
    ]


def _keys_lowered(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def lowered(properties: list[list[Any]]) -> list[list[Any]]:
        return [[key.lower(), value] for key, value in properties]

    return [
        {
            **section,
            "properties": lowered(section["properties"]),
            "groups": [{**group, "properties": lowered(group["properties"])} for group in section["groups"]],
        }
        for section in sections
    ]


@pytest.mark.parametrize(
    ("version", "vector"),
    _all_vectors(),
    ids=lambda item: str(item) if isinstance(item, str) else "/".join(item.parts[-2:]),
)
def test_parse_agrees_with_fluent_bit(version: str, vector: Path) -> None:
    expected = _load(vector)
    source = _corpus_file(version, vector)
    data = source.read_bytes()
    if version == "1.9.10":
        expected_sections = _keys_lowered(expected.get("sections", []))
        if not expected["ok"] and any(_LINE_LIMIT in error for error in expected["errors"]):
            # 1.9 names the last line it read whole; the next one is past its limit.
            (line,) = {int(match.group(1)) for error in expected["errors"] if (match := _ERROR_LINE.search(error))}
            assert len(data.split(b"\n")[line]) > LONGEST_LINE
            return
    else:
        expected_sections = expected.get("sections", [])
    if expected["ok"]:
        doc = classic.parse(data, str(source))
        ours = view.sections(doc)
        assert (_as_1_9_reads(ours) if version == "1.9.10" else ours) == expected_sections
        assert view.metas(doc) == expected["metas"]
        return
    lines = [int(match.group(1)) for error in expected["errors"] if (match := _ERROR_LINE.search(error))]
    assert lines, f"Fluent Bit refused {source} without naming a line: {expected['errors']}"
    with pytest.raises(ConfigError) as refused:
        classic.parse(data, str(source))
    assert refused.value.line == lines[0]


@pytest.mark.parametrize("version", VECTOR_SETS)
def test_vectors_cover_refusals_and_acceptances(version: str) -> None:
    outcomes = {_load(vector)["ok"] for vector in _classic_vectors(version)}
    assert outcomes == {True, False}
