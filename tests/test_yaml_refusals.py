"""A refused YAML config is refused at the line Fluent Bit names (libyaml's problem mark, or the
event its reader's state machine stops at), so the launcher's FILE:LINE and Fluent Bit's agree."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from fluent_launch import yaml_config
from fluent_launch.errors import ConfigError

# Each line was read off `fluent-bit --dry-run` of Fluent Bit 4.2.8 and 5.1.1 (the same for both);
# test_fluent_bit_names_these_lines checks them again where FLUENT_BIT_BIN is set.
REFUSED = [
    (
        "pipeline:\n  inputs:\n    tail:\n      path: x\n\n  outputs:\n    - name: stdout\n",
        6,
        "not the mapping from line 3",
    ),
    ("pipeline:\n  inputs:\n    name: x\n", 4, "not the mapping from line 3"),
    ("pipeline:\n  inputs:\n    name: x\n# end", 5, "not the mapping from line 3"),
    ("pipeline: {inputs: {name: x}}\n", 1, "not the mapping from line 1"),
    ("customs:\n  calyptia:\n    api_key: x\n", 4, "customs: must be a list of mappings"),
    ("parsers:\n  name: x\n\nservice:\n  flush: 1\n", 4, "parsers: must be a list of mappings"),
    (
        "pipeline:\n  inputs:\n    tail:\n      a:\n        - 1\n  outputs: []\n",
        5,
        "nested mapping may hold only scalars",
    ),
    ("pipeline:\n  inputs:\n    - name: a\n    - tail\n", 4, "this item is not one"),
    ("pipeline:\n  inputs: x\n  outputs: []\n", 2, "inputs: must be a list of mappings"),
    ("includes:\n  - b: c\n", 2, "includes: must be a list of values"),
    ("plugins:\n  - a: b\n", 2, "plugins: must be a list of values"),
    ("env:\n  flush:\n    a: 1\n", 3, "must be a scalar"),
    ("service:\n", 1, "service: must be a mapping"),
    ("pipeline:\n  outputs:\n    - name: x\n      k:\n        - a: 1\n", 5, "a list of values may hold only scalars"),
    ("service:\n  a: 1\nservice:\n  b: 2\n", 3, "duplicated definition of 'service'"),
    ("pipeline:\n  input:\n    - name: x\n", 2, "unknown pipeline category"),
    ("service:\n  a: 1\n  b\n", 4, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b", 4, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b\n    c", 4, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b # c\n\n# d\n  e: 1\n", 6, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b\n# d\n", 4, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b\n   c d\n   e: 2\n", 5, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  'b' x\n\n  c: 2\n", 5, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b\n\n\n  c: 1", 6, "no ':' after the key on line 3"),
    ("service:\n  a: 1\n  b\n    c\n\n    d #x\n", 6, "no ':' after the key on line 3"),
    ("pipeline:\n  inputs:\n    - name: x\n      tag\n  outputs: []\n", 5, "no ':' after the key on line 4"),
    ("service:\n  a: 'x\n", 3, "the quote opened on line 2 is not closed"),
    ('service:\n  a: "x\n\n  b: 1', 4, "the quote opened on line 2 is not closed"),
    ('service:\n  a: "x\\\n  y\n...\n', 4, "the quote opened on line 2 is not closed"),
    ("service:\n  a: 'x''\n---\n", 3, "the quote opened on line 2 is not closed"),
    ('service:\n  a: "x\\"\n', 3, "the quote opened on line 2 is not closed"),
    ("pipeline:\n  inputs:\n    - name: x\n      hi: * # quote this\n", 4, "aliases"),
    ("service:\n\tflush: 1\n", 2, "tab"),
    ("service:\n  a: b: c\n", 2, "mapping cannot start"),
    ("pipeline:\n  inputs:\n    - name: x\n      a: [b,\n", 5, "flow collection is not closed"),
    ("pipeline:\n  inputs:\n    - name: x\n      a: [b", 5, "flow collection is not closed"),
    ('service:\n  a: "\\q"\n', 2, "bad escape"),
]
FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")
_LINE = re.compile(r"invalid YAML in file .* at line (\d+)|YAML error found in file .*, line (\d+)")


@pytest.mark.parametrize(("text", "line", "words"), REFUSED)
def test_refused_at_fluent_bits_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        yaml_config.parse(text.encode(), "in.yaml")
    assert refused.value.line == line and words in refused.value.message, refused.value


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN is not set: the lines above are Fluent Bit's as recorded")
@pytest.mark.parametrize(("text", "line", "words"), REFUSED)
def test_fluent_bit_names_these_lines(tmp_path: Path, text: str, line: int, words: str) -> None:
    (tmp_path / "in.yaml").write_text(text)
    done = subprocess.run(
        [FLUENT_BIT, "--dry-run", "-c", "in.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    named = next(match for match in map(_LINE.search, done.stderr.splitlines()) if match)
    assert int(named[1] or named[2]) == line, done.stderr
