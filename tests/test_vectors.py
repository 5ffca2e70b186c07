"""Our parse of every corpus file agrees with what Fluent Bit 4.2.8 made of it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fluent_launch import classic
from fluent_launch.errors import ConfigError
from tests import view
from tests.paths import CORPUS, VECTORS

# Fluent Bit's view of a file with @INCLUDE holds the included sections too; comparing
# those needs include processing, which the core launcher leaves to Fluent Bit.
_INCLUDE = re.compile(rb"^@include ", re.IGNORECASE | re.MULTILINE)
_ERROR_LINE = re.compile(r"error in .*:(\d+): ")


def _classic_vectors() -> list[Path]:
    found = sorted((VECTORS / "classic").rglob("*.json"))
    assert len(found) > 50, f"expected the shared vectors under {VECTORS}"
    return [vector for vector in found if not _INCLUDE.search(_corpus_file(vector).read_bytes())]


def _corpus_file(vector: Path) -> Path:
    return CORPUS / vector.relative_to(VECTORS).with_suffix("")


def _load(vector: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(vector.read_text())
    return loaded


@pytest.mark.parametrize("vector", _classic_vectors(), ids=lambda path: str(path.relative_to(VECTORS)))
def test_parse_agrees_with_fluent_bit(vector: Path) -> None:
    expected = _load(vector)
    source = _corpus_file(vector)
    if expected["ok"]:
        doc = classic.parse(source.read_bytes(), str(source))
        assert view.sections(doc) == expected["sections"]
        assert view.metas(doc) == expected["metas"]
        return
    lines = [int(match.group(1)) for error in expected["errors"] if (match := _ERROR_LINE.search(error))]
    assert lines, f"Fluent Bit refused {source} without naming a line: {expected['errors']}"
    with pytest.raises(ConfigError) as refused:
        classic.parse(source.read_bytes(), str(source))
    assert refused.value.line == lines[0]


def test_vectors_cover_refusals_and_acceptances() -> None:
    outcomes = {_load(vector)["ok"] for vector in _classic_vectors()}
    assert outcomes == {True, False}
