"""A refused YAML config is refused at the line Fluent Bit names (libyaml's problem mark, or the
event its reader's state machine stops at), so the launcher's FILE:LINE and Fluent Bit's agree."""

from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluent_launch.errors import ConfigError
from fluent_launch.yaml import edit as yaml_edit
from fluent_launch.yaml import parse as yaml_parse
from fluent_launch.yaml import syntax as yaml_syntax

_DUMMY = "pipeline:\n  inputs:\n    - name: dummy\n"
_OUTPUT = "  outputs:\n    - name: stdout\n"
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
    # Structures, as flb_cf_yaml.c's states take them (each read off both binaries too).
    ("parsers:\n  - name: p\n    format: regex\n    regex: [a, b]\n", 4, "parser settings must be scalars"),
    ("parsers:\n  - name: p\n    format: json\n    time:\n      key: t\n", 5, "parser settings must be scalars"),
    ("stream_processor:\n  - name: s\n    exec: [a]\n", 3, "stream_processor settings must be scalars"),
    ("multiline_parsers:\n  - name: m\n    type: [regex]\n", 3, "multiline_parser settings must be scalars"),
    ("multiline_parsers:\n  - name: m\n    type: regex\n    rules: x\n", 4, "rules: must be a list of mappings"),
    (
        "multiline_parsers:\n  - name: m\n    type: regex\n    rules:\n      - state: start_state\n"
        "        regex: [a]\n",
        6,
        "a value of a rule or node must be a scalar",
    ),
    (
        "multiline_parsers:\n  - name: m\n    rules:\n      state: start_state\n    type: regex\n",
        5,
        "not the mapping from line 4",
    ),
    ("multiline_parsers:\n  - name: m\n    Rules:\n      - state: start_state\n", 4, "settings must be scalars"),
    (
        "upstream_servers:\n  - name: u\n    nodes:\n      - name: n\n        tls:\n          verify: off\n",
        6,
        "a value of a rule or node must be a scalar",
    ),
    ("upstream_servers:\n  - name: u\n    nodes: n\n", 3, "nodes: must be a list of mappings"),
    ("upstream_servers:\n  - name: u\n    k: [a]\n", 3, "not the one on line 3"),
    (
        "upstream_servers:\n  - name: u\n    k:\n      a: b\n    host: h\n\npipeline:\n  inputs:\n    - name: dummy\n",
        8,
        "not the one on line 4 (Fluent Bit loses its place there",
    ),
    (
        _DUMMY + "      processors:\n        foo:\n          - name: grep\n",
        5,
        "unknown processor 'foo'",
    ),
    (
        _DUMMY + "      processors:\n        logs:\n          - name: content_modifier\n"
        "            processors:\n              foo: []\n",
        8,
        "unknown processor 'foo'",
    ),
    (_DUMMY + "      processors:\n        logs: grep\n", 5, "logs: must be a list"),
    (_DUMMY + "      processors:\n        logs:\n          - grep\n", 6, "not one"),
    (
        _DUMMY + "      processors:\n        logs:\n          name: grep\n        metrics: []\n",
        7,
        "not the mapping from line 6",
    ),
    (
        _DUMMY + "      processors:\n        logs: [[{name: grep}]]\n",
        5,
        "a list inside the list (line 5)",
    ),
    (
        _DUMMY + "      Processors:\n        logs:\n          - name: grep\n",
        6,
        "nested mapping may hold only scalars",
    ),
    (
        "pipeline:\n  outputs:\n    - name: stdout\n      telemetry:\n        a:\n          b: c\n",
        6,
        "nested mapping may hold only scalars",
    ),
    (_DUMMY + "      telemetry:\n        - a: b\n", 5, "may hold only scalars"),
    ("parsers: [[{name: p, format: json}]]\n", 1, "a list inside the list (line 1)"),
    ("parsers:\n  - - name: p\n    - name: q\n\nservice:\n  flush: 1\n", 5, "a list inside the list (line 2)"),
    ("plugins:\n  - - /a.so\n", 3, "a list inside the list (line 2)"),
    ("pipeline:\n  inputs:\n    - - name: dummy\n  outputs:\n    - name: stdout\n", 4, "inside the list (line 3)"),
    ("pipeline: inputs\nservice:\n  flush: 1\n", 2, "pipeline: must be a mapping"),
    ("pipeline: inputs\n", 2, "pipeline: must be a mapping"),
    ("service:\n  flush: [1]\n", 2, "must be a scalar or a mapping, not a list"),
    ("env:\n  a:\n    b: c\n", 3, "must be a scalar, not a list or mapping"),
    ("foo:\n  a: {b: c}\n", 2, "must be a scalar, not a list or mapping"),
    ("env:\n  - a\n", 2, "env: a list of variables must hold mappings"),
    # YAML syntax libyaml reads and Fluent Bit then refuses, or libyaml refuses (#18).
    ("service:\n  flush: 1\n---\nservice:\n  log_level: info\n", 4, "duplicated definition of 'service'"),
    (_DUMMY + _OUTPUT + "---\n", 7, "the document is empty"),
    (_DUMMY + _OUTPUT + "---\n...\n", 7, "the document is empty"),
    (_DUMMY + _OUTPUT + "--- x\n", 6, "the document must be a mapping"),
    ("---\n", 2, "the document is empty"),
    ("...\n", 1, "the document is empty"),
    ("service:\n  flush: 1\n...\nenv:\n  a: 1\n", 4, "expected '---'"),
    ("%YAML 1.1\nservice:\n  flush: 1\n", 2, "expected '---'"),
    ("%YAML 1.3\n---\nservice:\n  flush: 1\n", 1, "only YAML 1.1 and 1.2"),
    ("%YAML 2.0\n---\nservice:\n  flush: 1\n", 1, "only YAML 1.1 and 1.2"),
    ("%YAML 1.1\n%YAML 1.1\n---\nservice:\n  flush: 1\n", 2, "a second %YAML directive"),
    ("%FOO x\n---\nservice:\n  flush: 1\n", 1, "unknown directive"),
    ("%TAG !e! x\n%TAG !e! y\n---\nservice:\n  flush: 1\n", 2, "a second %TAG directive"),
    ("%TAG !e! x\n---\nservice: !f!x\n  flush: 1\n", 3, "tag handle !f! is not declared"),
    ("%TAG !e! x\n---\nservice:\n  flush: 1\n---\nenv: !e!x\n  a: b\n", 6, "tag handle !e! is not declared"),
    ("service:\n  ? [flush]\n  : 1\n", 2, "a mapping key must be a scalar"),
    ("service:\n  [a]: 1\n", 2, "a mapping key must be a scalar"),
    ("service:\n  flush: 1\n  {a: b}: 1\n", 3, "a mapping key must be a scalar"),
    ("service: {flush: 1, [a]: 1}\n", 1, "a mapping key must be a scalar"),
    ("service: {flush\n  : 1}\n", 2, "a flow mapping key and its ':' on different lines"),
    ("service: {flu\n  sh: 1}\n", 2, "a flow mapping entry without ':'"),
    (_DUMMY + "      tag: a\n        b: c\n", 5, "a mapping key cannot span lines"),
    ("service:\n  flush: 1\n  'log\n  _level': info\n", 4, "a mapping key cannot span lines"),
    (_DUMMY + "      tag: a\n\tb\n", 5, "tab"),
    (_DUMMY + "      tag: [a\n\tb]\n", 5, "tab"),
    (_DUMMY + "      tag: 'a\n---\n'\n", 5, "the quote opened on line 4 is not closed"),
    # Found comparing with libyaml: a document marker in a flow collection, a property on a line
    # of its own that is the next key's, not the value's.
    (_DUMMY + "      tag: [a,\n---\n]\n", 5, "a '---' or '...' line inside a flow collection"),
    (_DUMMY + "      tag: {a: b\n...\n}\n", 5, "a '---' or '...' line inside a flow collection"),
    ("service:\n  flush:\n    &x\n!!str a: 1\n", 4, "anchors and tags on mapping keys"),
    # Found by Hypothesis against PyYAML's libyaml: a tab where an explicit key's '?' or its ':'
    # allows a simple key.
    ("service:\n  ?\tflush\n  : 1\n", 2, "a tab after '?'"),
    ("service:\n  ? \tflush\n  : 1\n", 2, "a tab after '?'"),
    ("service:\n  ? flush\n  :\t1\n", 3, "a tab after the ':' of an explicit key"),
]
# Structures Fluent Bit's reader takes, with the versions that take them (read off `--dry-run` of
# 4.2.8 and 5.1.1; test_fluent_bit_takes_these checks them again where FLUENT_BIT_BIN is set).
# What either version takes is taken, so that no config one of them runs is refused.
BOTH = frozenset(("4.2.8", "5.1.1"))
NEWER = frozenset(("5.1.1",))
ACCEPTED = [
    ("parsers:\n  - name: p\n    format: regex\n    regex: '^(?<a>.*)$'\n", BOTH),
    (
        "multiline_parsers:\n  - name: m\n    type: regex\n    rules:\n      - state: start_state\n"
        "        regex: '/a/'\n        next_state: cont\n",
        BOTH,
    ),
    ("upstream_servers:\n  - name: u\n    nodes:\n      - name: n\n        host: 127.0.0.1\n        port: 80\n", BOTH),
    (
        _DUMMY + "      processors:\n        LOGS:\n          - name: content_modifier\n"
        "            action: insert\n            key: a\n            value: b\n" + _OUTPUT,
        BOTH,
    ),
    (
        _DUMMY + "      processors:\n        logs:\n          - name: content_modifier\n"
        "            action: insert\n            key: a\n            value: b\n            condition:\n"
        "              op: and\n              rules:\n                - field: $a\n                  op: eq\n"
        "                  value: b\n" + _OUTPUT,
        BOTH,
    ),
    (_DUMMY + "      processors:\n        - a: [b]\n" + _OUTPUT, BOTH),
    (_DUMMY + "      processors: {}\n" + _OUTPUT, BOTH),
    (_DUMMY + "      processors:\n        logs: []\n" + _OUTPUT, BOTH),
    (
        _DUMMY + "      routes:\n        logs:\n          - name: r\n            to: [x]\n" + _OUTPUT,
        BOTH,
    ),
    (_DUMMY + "      Processors: [a, b]\n" + _OUTPUT, BOTH),
    ("customs:\n  - name: calyptia\n    api_key: x\n    processors:\n      logs: []\n", BOTH),
    ("env:\n  - name: A\n    value: b\n", NEWER),
    ("service:\n  flush: 1\n  http:\n    a: [b]\n", NEWER),
    ("extensions:\n  a: [b, {c: d}]\n", NEWER),
    (_DUMMY + "      telemetry:\n        a:\n          b: c\n" + _OUTPUT, NEWER),
    # YAML syntax this reader once refused (#18): each read as libyaml reads it (checked below).
    (_DUMMY + "      tag: one\n        two  \n\n        three # c\n" + _OUTPUT, BOTH),
    (_DUMMY + "      tag: 'one\n        two'\n      alias: \"a\\\n        b\n\n        c\"\n" + _OUTPUT, BOTH),
    (_DUMMY + "      tag: [one\n  two, 'three\n  four']\n" + _OUTPUT, BOTH),
    ("service: &s\n  flush: 1\n", BOTH),
    ("service: !!map\n  flush: 1\n", BOTH),
    ("service:\n  &s\n  flush: 1\n", BOTH),
    ("service:\n  flush: !!str\n    1\n", BOTH),
    ("service:\n  flush: &f\n  log_level: info\n", BOTH),
    ("pipeline:\n  inputs: &i\n    - name: dummy\n" + _OUTPUT, BOTH),
    ("pipeline:\n  inputs: !!seq\n  - name: dummy\n" + _OUTPUT, BOTH),
    ("pipeline:\n  inputs:\n    - &p\n      name: dummy\n" + _OUTPUT, BOTH),
    ("&root\nservice:\n  flush: 1\n", BOTH),
    ("--- !!map\nservice:\n  flush: 1\n", BOTH),
    ("service:\n  ? flush\n  : 1\n  ? log_level # c\n  # d\n  : info\n", BOTH),
    ("service: {? flush : 1, ? log_level\n : info}\n", BOTH),
    ("service:\n  flush: 1\n---\n" + _DUMMY + _OUTPUT, BOTH),
    ("---\nservice:\n  flush: 1\n...\n...\n---\n" + _DUMMY + _OUTPUT + "...\n", BOTH),
    ("%YAML 1.1\n---\nservice:\n  flush: 1\n", BOTH),
    ("%YAML 1.2 # c\n---\nservice:\n  flush: 1\n", BOTH),
    ("%TAG !e! tag:example.com,2000:\n---\nservice: !e!x\n  flush: 1\n", BOTH),
    (_DUMMY + _OUTPUT + "...\n%YAML 1.1\n---\nservice:\n  flush: 1\n", BOTH),
    ((_DUMMY + "      tag: 'a\n        b'\n      alias: |\n        c\n" + _OUTPUT).replace("\n", "\r"), BOTH),
    ("service:\r\n  flush: 1\r  log_level: info\r\n\r" + _DUMMY, BOTH),
]
_SERVICE = "service:\n  flush: 1\n  log_level: info\n"
# YAML syntax both versions take that this reader still refuses, at the line and with the words
# given (test_fluent_bit_takes_these_too checks the verdicts where FLUENT_BIT_BIN is set).
NOT_TAKEN = [
    (_SERVICE.replace("\n", "\x85"), 1, "unsupported line break U+0085"),
    (_SERVICE.replace("\n", "\u2028"), 1, "unsupported line break U+2028"),
    (_SERVICE.replace("\n", "\u2029"), 1, "unsupported line break U+2029"),
    ("service:\n  ? log_level\n  flush: 1\n", 2, "without a ': value' line"),
    ("? service\n: flush: 1\n", 2, "a mapping cannot start on the line of its key"),
    ("service:\n  ?\n    flush\n  : 1\n", 2, "below its '?'"),
    ("service:\n  &k flush: 1\n", 2, "an anchor or tag before a mapping"),
    ("service: {!!str flush: 1}\n", 1, "only plain or quoted keys"),
]
FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")
_LINE = re.compile(r"invalid YAML in file .* at line (\d+)|YAML error found in file .*, line (\d+)")


@functools.cache
def _version() -> str:
    """FLUENT_BIT_BIN's version; 1.9 has a YAML reader of its own, for an older layout, so the
    lines and verdicts here, 4.2.8's and 5.1.1's, are not its own."""
    done = subprocess.run([FLUENT_BIT, "--version"], capture_output=True, text=True, check=True)
    version = done.stdout.split()[2].lstrip("v")
    if version.startswith("1."):
        pytest.skip(f"Fluent Bit {version} reads almost none of today's YAML (only its old experimental layout)")
    return version


def test_refused_where_fluent_bit_hangs() -> None:
    # 4.2.8 and 5.1.1 read this in a loop until killed (UPSTREAM_SERVER_VALUE lets the end of the
    # stream go by): refused at the value, as they name no line.
    with pytest.raises(ConfigError) as refused:
        yaml_parse.parse(b"upstream_servers:\n  - name: u\n    k: [a, b]\n", "in.yaml")
    assert refused.value.line == 3 and "would hang" in refused.value.message, refused.value


@pytest.mark.parametrize(("text", "line", "words"), REFUSED + NOT_TAKEN)
def test_refused_at_the_line_recorded(text: str, line: int, words: str) -> None:
    # Fluent Bit's line (REFUSED), or this reader's where Fluent Bit takes it (NOT_TAKEN).
    with pytest.raises(ConfigError) as refused:
        yaml_parse.parse(text.encode(), "in.yaml")
    assert refused.value.line == line and words in refused.value.message, refused.value


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN is not set: the lines above are Fluent Bit's as recorded")
@pytest.mark.parametrize(("text", "line", "words"), REFUSED)
def test_fluent_bit_names_these_lines(tmp_path: Path, text: str, line: int, words: str) -> None:
    _version()
    (tmp_path / "in.yaml").write_bytes(text.encode())
    done = subprocess.run(
        [FLUENT_BIT, "--dry-run", "-c", "in.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    named = next(match for match in map(_LINE.search, done.stderr.splitlines()) if match)
    assert int(named[1] or named[2]) == line, done.stderr


@pytest.mark.parametrize(("text", "versions"), ACCEPTED)
def test_taken_as_fluent_bit_takes_it(text: str, versions: frozenset[str]) -> None:
    data = text.encode()
    doc = yaml_parse.parse(data, "in.yaml")
    # Read as libyaml reads it (BaseLoader types nothing: each scalar is its text, as Fluent Bit
    # reads it), and rendered back byte for byte.
    assert [_tree(root) for root in doc.roots] == list(yaml.load_all(text, Loader=yaml.CBaseLoader))
    assert yaml_edit.apply(doc, {}).data == data


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN is not set: the verdicts above are Fluent Bit's as recorded")
@pytest.mark.parametrize(("text", "line", "words"), NOT_TAKEN)
def test_fluent_bit_takes_these_too(tmp_path: Path, text: str, line: int, words: str) -> None:
    assert _reader_takes(tmp_path, text), "Fluent Bit refuses it"


@pytest.mark.skipif(not FLUENT_BIT, reason="FLUENT_BIT_BIN is not set: the verdicts above are Fluent Bit's as recorded")
@pytest.mark.parametrize(("text", "versions"), ACCEPTED)
def test_fluent_bit_takes_these(tmp_path: Path, text: str, versions: frozenset[str]) -> None:
    assert _reader_takes(tmp_path, text) == (_version() in versions)


def _reader_takes(tmp_path: Path, text: str) -> bool:
    """Whether FLUENT_BIT_BIN's reader and libyaml take the config: only their verdict, as a dry
    run may also fail on a plugin's own settings."""
    (tmp_path / "in.yaml").write_bytes(text.encode())
    done = subprocess.run(
        [FLUENT_BIT, "--dry-run", "-c", "in.yaml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    return "yaml error" not in done.stderr and "invalid YAML" not in done.stderr


def _tree(node: yaml_syntax.Node) -> Any:
    if isinstance(node, yaml_syntax.Mapping):
        return {key.value: _tree(value) for key, value in node.pairs}
    if isinstance(node, yaml_syntax.Sequence):
        return [_tree(item) for item in node.items]
    return node.value
