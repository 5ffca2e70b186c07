"""YAML nested as deep as the reader takes, and one level deeper: never a RecursionError.

libyaml 0.2.5 (what Fluent Bit links) reads collections nested to any depth, and Fluent Bit's
reader takes any value inside a processor: the reader takes MAX_DEPTH levels there, in any
thread and on any Python, and refuses the next one at its line. The CLI side of this, run by
python -m, the frozen binary and Python 3.9 alike, is in test_hostile.py.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fluent_launch.errors import ConfigError
from fluent_launch.yaml import document as yaml_document
from fluent_launch.yaml import edit as yaml_edit
from fluent_launch.yaml import parse as yaml_parse
from fluent_launch.yaml import syntax as yaml_syntax
from tests.helpers import overrides
from tests.test_yaml_refusals import _LINE, FLUENT_BIT, _version

# A processor's value, below the 7 collections that hold it (the document, pipeline, inputs,
# the input, processors, logs, the processor), on the line LINE.
HEAD = (
    "pipeline:\n  inputs:\n    - name: dummy\n      processors:\n        logs:\n"
    "          - name: content_modifier\n            x: "
)
LINE = 7
ENCLOSING = 7


def deep(kind: str, depth: int) -> bytes:
    """A config whose deepest collection is `depth` levels down, nested by `kind`."""
    levels = depth - ENCLOSING
    if kind == "flow-sequence":
        value = "[" * levels + "]" * levels
    elif kind == "flow-mapping":
        value = "{a: " * levels + "b" + "}" * levels
    elif kind == "block-sequence":  # `- - - x`, on the line after the key
        value = "\n              " + "- " * levels + "x"
    elif kind == "anchored-block-mapping":  # each with an anchor on a line of its own (#18)
        value = "".join(f"\n{' ' * (14 + level)}&a{level}\n{' ' * (14 + level)}k{level}:" for level in range(levels))
        value += " v"
    elif kind == "explicit-keys":  # `? k` then `:` and the next level below (#18)
        value = "".join(f"\n{' ' * (14 + level)}? k{level}\n{' ' * (14 + level)}:" for level in range(levels)) + " v"
    else:  # block mappings, each indented one more than its parent
        value = "".join(f"\n{' ' * (14 + level)}k{level}:" for level in range(levels)) + " v"
    return (HEAD + value + "\n").encode()


KINDS = ["flow-sequence", "flow-mapping", "block-sequence"]


@pytest.mark.parametrize("kind", KINDS)
def test_nesting_to_the_limit_is_read_and_edited_around(kind: str) -> None:
    data = deep(kind, yaml_syntax.MAX_DEPTH)
    doc = yaml_parse.parse(data, "deep.yaml")
    assert yaml_edit.apply(doc, {}).data == data
    wanted = overrides(("input", "Mem_Buf_Limit", "5M"))
    edited = yaml_edit.apply(doc, wanted).data
    assert edited == data + b'      Mem_Buf_Limit: "5M"\n'  # the input's new last pair
    assert yaml_edit.apply(yaml_parse.parse(edited, "deep.yaml"), wanted).data == edited


@pytest.mark.parametrize("kind", KINDS)
def test_one_level_past_the_limit_is_refused_where_it_starts(kind: str) -> None:
    with pytest.raises(ConfigError) as refused:
        yaml_parse.parse(deep(kind, yaml_syntax.MAX_DEPTH + 1), "deep.yaml")
    assert refused.value.line == LINE + (kind == "block-sequence")
    assert f"nested more than {yaml_syntax.MAX_DEPTH} deep" in refused.value.message


@pytest.mark.parametrize("kind", ["block-mapping", "anchored-block-mapping", "explicit-keys"])
def test_block_mappings_nested_1500_deep_are_read(kind: str) -> None:
    # Each level is one more space of indentation: 1500 levels are 1.1 MB (2.3 MB with a line
    # for an anchor or a ':'), and the most frames a level takes.
    data = deep(kind, 1500 + ENCLOSING)
    assert yaml_edit.apply(yaml_parse.parse(data, "deep.yaml"), {}).data == data


@pytest.mark.parametrize("kind", [*KINDS, "block-mapping", "anchored-block-mapping", "explicit-keys"])
def test_a_level_takes_no_more_frames_than_the_reader_makes_room_for(kind: str) -> None:
    # Room for _FRAMES_PER_LEVEL a level (and a few for the scalars and checks at the bottom) is
    # what parse() makes at the limit, which is too large a document to read in a test.
    levels = 300
    data = deep(kind, levels + ENCLOSING)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + yaml_parse._FRAMES_PER_LEVEL * (levels + ENCLOSING) + 20)
    try:
        yaml_parse._parse(data, "deep.yaml")  # (parse() would start again on a thread with room)
    finally:
        sys.setrecursionlimit(limit)


def test_the_limit_holds_on_a_thread_with_a_small_stack() -> None:
    # A thread's stack (here 256 KiB) holds far fewer frames than the main thread's.
    data = deep("block-sequence", yaml_syntax.MAX_DEPTH)
    results: list[object] = []
    previous = threading.stack_size(256 * 1024)
    try:
        thread = threading.Thread(target=lambda: results.append(yaml_parse.parse(data, "deep.yaml")))
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    assert len(results) == 1 and isinstance(results[0], yaml_document.YamlDocument)


DEEP_VALUES = [
        (b"pipeline:\n  inputs:\n    - name: dummy\n      x: " + b"[" * 3000 + b"]" * 3000 + b"\n", 4, "x: a list of values may hold only scalars"),  # noqa: E501
        (b"service: " + b"{a: " * 1500 + b"1" + b"}" * 1500 + b"\n", None, None),
        (b"pipeline:\n  inputs:\n    - name: dummy\n      x:\n        " + b"- " * 2000 + b"x\n", 5, "x: a list of values may hold only scalars"),  # noqa: E501
    ]  # fmt: skip
DEEP_IDS = ["flow-sequences-3000-in-a-plugin", "flow-mappings-1500-in-service", "dashes-2000-in-a-plugin"]


@pytest.mark.parametrize(("data", "line", "words"), DEEP_VALUES, ids=DEEP_IDS)
def test_deep_values_where_fluent_bit_takes_or_refuses_them(data: bytes, line: int | None, words: str | None) -> None:
    # The shapes a fuzzer and a user found recursing into a RecursionError.
    if line is None:
        yaml_parse.parse(data, "deep.yaml")  # 5.1.1 takes a mapping of anything as a service value
        return
    with pytest.raises(ConfigError) as refused:
        yaml_parse.parse(data, "deep.yaml")
    assert (refused.value.line, refused.value.message) == (line, words)


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN is not set: the lines above are 4.2.8's as recorded")
@pytest.mark.parametrize(("data", "line", "words"), [case for case in DEEP_VALUES if case[1]], ids=DEEP_IDS[::2])
def test_fluent_bit_refuses_deep_values_at_these_lines(tmp_path: Path, data: bytes, line: int, words: str) -> None:
    _version()
    (tmp_path / "in.yaml").write_bytes(data)
    done = subprocess.run([FLUENT_BIT, "--dry-run", "-c", "in.yaml"], cwd=tmp_path, capture_output=True, text=True)
    named = next(match for match in map(_LINE.search, done.stderr.splitlines()) if match)
    assert int(named[1] or named[2]) == line, done.stderr


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN is not set: its reader's verdict cannot be asked")
def test_fluent_bits_reader_takes_the_deepest_config_this_reader_takes(tmp_path: Path) -> None:
    _version()
    (tmp_path / "in.yaml").write_bytes(deep("flow-sequence", yaml_syntax.MAX_DEPTH))
    done = subprocess.run(
        [FLUENT_BIT, "--dry-run", "-c", "in.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    # Only the reader's verdict: 4.2.8 and 5.1.1 then abort on any list among a processor's settings.
    assert "yaml error" not in done.stderr and "free(): invalid pointer" in done.stderr, done.stderr
