"""YAML configs: our reading agrees with Fluent Bit's on the shared corpus; edits are exact."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from fluent_launch import edits, formats, read, sections
from fluent_launch.errors import ConfigError, UsageError
from fluent_launch.yaml import document as yaml_document
from fluent_launch.yaml import edit as yaml_edit
from fluent_launch.yaml import includes as yaml_includes
from fluent_launch.yaml import parse as yaml_parse
from fluent_launch.yaml.edit import quote
from fluent_launch.yaml.includes import Loaded
from tests import yaml_view
from tests.helpers import overrides
from tests.paths import CORPUS, SHARED
from tests.running import assert_refused, launch

FIRELENS_YAML = CORPUS / "yaml" / "firelens" / "fluent-bit.yaml"
GUIDE = (("service", "Scheduler.Cap", "60"), ("input", "Mem_Buf_Limit", "50M"))
SERVICE_FILE_KEYS = ("parsers_file", "plugins_file", "streams_file")


def _vectors(version: str) -> list[Path]:
    root = SHARED / ("vectors" if version == "4.2.8" else f"vectors-{version}") / "yaml"
    found = sorted(path for path in root.rglob("*.json") if formats.is_yaml(path.stem))
    assert len(found) > 20, f"expected the shared YAML vectors under {root}"
    return found


def load(path: Path) -> Loaded:
    return Loaded(yaml_parse.parse(path.read_bytes(), str(path)))


@pytest.mark.parametrize("version", ["4.2.8", "5.1.1"])
def test_reading_agrees_with_fluent_bit(version: str) -> None:
    for vector in _vectors(version):
        expected: dict[str, Any] = json.loads(vector.read_text())
        relative = vector.relative_to(SHARED).parts[2:]
        path = CORPUS.joinpath("yaml", *relative).with_suffix("")
        if expected["ok"]:
            sections, env = yaml_view.view(load(path), version)
            assert sections == expected["sections"], path
            assert env == [list(pair) for pair in expected["env"]], path
            continue
        with pytest.raises(ConfigError) as refused:
            load(path)
        # Refused at the line Fluent Bit names first: libyaml's or its state machine's "line N",
        # or the "FILE:N" of the include it could not read.
        named = next(match for match in map(_FLUENT_BIT_LINE.search, expected["errors"]) if match)
        assert refused.value.line == int(named["line"] or named["include_line"]), refused.value
        if named["file"]:
            assert refused.value.path.endswith(Path(named["file"]).name), refused.value


_FLUENT_BIT_LINE = re.compile(r"line (?P<line>\d+)|including file '.*' at (?P<file>.+):(?P<include_line>\d+)")


@pytest.mark.parametrize(
    "source", sorted((CORPUS / "yaml").rglob("*.yaml")), ids=lambda path: str(path.relative_to(CORPUS))
)
def test_inlining_keeps_fluent_bits_view(source: Path) -> None:
    try:
        loaded = load(source)
    except ConfigError:
        return  # refused: covered by the vectors
    result = yaml_includes.edited(loaded, {}, inline=True)
    inlined = Loaded(yaml_parse.parse(result.data, str(source)))
    sections, env = yaml_view.view(loaded)
    for section in sections:
        for pair in section["properties"] if section["type"] == "service" else ():
            if pair[0].lower() in SERVICE_FILE_KEYS and not pair[1].startswith("/") and "${" not in pair[1]:
                # Made absolute as Fluent Bit resolves it for the original (see test_includes.py).
                pair[1] = os.fsdecode(read.resolve(os.fsencode(pair[1]), os.path.realpath(source.parent)))
    assert yaml_view.view(inlined) == (sections, env)
    assert inlined.docs[inlined.main] == []  # nothing left for Fluent Bit to include
    assert loaded.edited == [loaded.main, *(doc for docs in loaded.docs.values() for doc in docs)]


def test_firelens_guide_overrides_with_inline_includes() -> None:
    loaded, result = formats.edit_config(str(FIRELENS_YAML), FIRELENS_YAML.read_bytes(), overrides(*GUIDE), True)
    assert isinstance(loaded, Loaded) and [Path(doc.path).name for doc in loaded.edited] == [
        "fluent-bit.yaml",
        "custom.yaml",
    ]
    out = result.data
    edited = Loaded(yaml_parse.parse(out, str(FIRELENS_YAML)))
    sections, _ = yaml_view.view(edited)
    inputs = [dict(section["properties"]) for section in sections if section["type"] == "input"]
    assert len(inputs) == 4
    for properties in inputs:
        limits = [value for key, value in properties.items() if key.lower() == "mem_buf_limit"]
        assert limits == ["50M"]
    (service,) = [section for section in sections if section["type"] == "service"]
    assert service["properties"] == [["flush", "1"], ["grace", "30"], ["Scheduler.Cap", "60"]]
    assert out.count(b"service:") == 1 and b"includes:" not in out


def test_firelens_guide_overrides_refused_without_inline_includes() -> None:
    with pytest.raises(ConfigError) as refused:
        formats.edit_config(str(FIRELENS_YAML), FIRELENS_YAML.read_bytes(), overrides(*GUIDE), False)
    assert refused.value.path.endswith("custom.yaml") and refused.value.line == 1
    assert "--inline-includes" in refused.value.message
    # -i alone is fine: every input of the main file gets exactly one Mem_Buf_Limit 50M.
    loaded, result = formats.edit_config(str(FIRELENS_YAML), FIRELENS_YAML.read_bytes(), overrides(GUIDE[1]), False)
    assert isinstance(loaded, Loaded) and [Path(doc.path).name for doc in loaded.edited] == ["fluent-bit.yaml"]
    out = result.data
    assert out.count(b'Mem_Buf_Limit: "50M"') == 3 and b"50MB" not in out
    assert str(FIRELENS_YAML.parent / "custom.yaml").encode() in out  # the include made absolute


def _edit(text: str, *triples: tuple[str, str, str]) -> str:
    doc = yaml_parse.parse(text.encode(), "in.yaml")
    return yaml_edit.apply(doc, overrides(*triples)).data.decode()


@pytest.mark.parametrize(
    ("before", "override", "after"),
    [
        # an existing key keeps spelling, quoting style and comment; camelCase matches snake_case
        (
            "pipeline:\n  inputs:\n    - name: tail\n      memBufLimit: '5M'  # note\n",
            ("input", "Mem_Buf_Limit", "50M"),
            'pipeline:\n  inputs:\n    - name: tail\n      memBufLimit: "50M"  # note\n',
        ),
        # later repeats go; CRLF stays
        (
            "pipeline:\r\n  outputs:\r\n  - name: x\r\n    Match: a\r\n    match: b\r\n    tag: t\r\n",
            ("output", "MATCH", "*"),
            'pipeline:\r\n  outputs:\r\n  - name: x\r\n    Match: "*"\r\n    tag: t\r\n',
        ),
        # a new key after the last one, at its indentation, even after a nested list
        (
            "pipeline:\n  filters:\n    - name: m\n      record:\n        - a b\n# end\n",
            ("filter", "Match", "*"),
            'pipeline:\n  filters:\n    - name: m\n      record:\n        - a b\n      Match: "*"\n# end\n',
        ),
        # flow mappings get the key inside the braces
        (
            "pipeline: {inputs: [{name: dummy}, {name: cpu, tag: x}]}\n",
            ("input", "tag", "web"),
            "pipeline: {inputs: [{name: dummy, tag: web}, {name: cpu, tag: web}]}\n",
        ),
        # a created service goes at the end, without a final newline before
        (
            "pipeline:\n  inputs:\n    - name: dummy",
            ("service", "Flush", "1"),
            'pipeline:\n  inputs:\n    - name: dummy\nservice:\n  Flush: "1"\n',
        ),
        # nothing in processors is touched
        (
            "pipeline:\n  inputs:\n    - name: dummy\n      processors:\n        logs:\n          - name: grep\n",
            ("input", "name", "cpu"),
            "pipeline:\n  inputs:\n    - name: cpu\n      processors:\n        logs:\n          - name: grep\n",
        ),
        # a byte order mark is no column
        (
            "\ufeffservice:\n  flush: 1\n",
            ("service", "flush", "5"),
            '\ufeffservice:\n  flush: "5"\n',
        ),
        # a value spanning lines is replaced whole; a new key goes after its last line (#18)
        (
            "pipeline:\n  inputs:\n    - name: dummy\n      tag: one\n        two # c\n      x: 'y\n        z'\n",
            ("input", "tag", "new"),
            "pipeline:\n  inputs:\n    - name: dummy\n      tag: new # c\n      x: 'y\n        z'\n",
        ),
        (
            "pipeline:\n  inputs:\n    - name: dummy\n      x: y\n        z\n\n    - name: cpu\n",
            ("input", "Mem_Buf_Limit", "50M"),
            'pipeline:\n  inputs:\n    - name: dummy\n      x: y\n        z\n      Mem_Buf_Limit: "50M"\n\n'
            '    - name: cpu\n      Mem_Buf_Limit: "50M"\n',
        ),
        # anchors and tags on collections stay; a tagged value is replaced with its tag
        ("service: &s\n  flush: 1\n", ("service", "flush", "5"), 'service: &s\n  flush: "5"\n'),
        (
            "pipeline:\n  inputs:\n    - &p\n      name: dummy\n      tag: !!str\n        t\n",
            ("input", "tag", "x"),
            "pipeline:\n  inputs:\n    - &p\n      name: dummy\n      tag: x\n",
        ),
        # an explicit key's value is after its ':' line, past a comment holding a ':'; a repeat goes
        (
            "service:\n  ? flush # c: d\n  : 1\n  ? Flush\n  : 2\n  log_level: info\n",
            ("service", "flush", "5"),
            'service:\n  ? flush # c: d\n  : "5"\n  log_level: info\n',
        ),
        # every document's plugins are edited; a created service ends the last document
        (
            "%YAML 1.1\n---\npipeline:\n  inputs:\n    - name: dummy\n---\npipeline:\n  inputs:\n"
            "    - name: cpu\n...\n",
            ("input", "tag", "t"),
            "%YAML 1.1\n---\npipeline:\n  inputs:\n    - name: dummy\n      tag: t\n---\npipeline:\n  inputs:\n"
            "    - name: cpu\n      tag: t\n...\n",
        ),
        (
            "---\npipeline:\n  inputs:\n    - name: dummy\n---\npipeline:\n  inputs:\n    - name: cpu\n...\n",
            ("service", "flush", "5"),
            "---\npipeline:\n  inputs:\n    - name: dummy\n---\npipeline:\n  inputs:\n    - name: cpu\n"
            'service:\n  flush: "5"\n...\n',
        ),
        # a CR on its own is a line break, and the one a new line gets in such a file
        (
            "pipeline:\r  inputs:\r    - name: dummy\r      tag: a\r        b\r",
            ("input", "Mem_Buf_Limit", "50M"),
            'pipeline:\r  inputs:\r    - name: dummy\r      tag: a\r        b\r      Mem_Buf_Limit: "50M"\r',
        ),
        (
            "pipeline:\r\n  inputs:\r\n    - name: dummy\r      tag: a\r\n      Tag: b\r",
            ("input", "tag", "c"),
            "pipeline:\r\n  inputs:\r\n    - name: dummy\r      tag: c\r\n",
        ),
        # tricky values are quoted to stay strings; a block scalar is replaced whole
        (
            "service:\n  log_level: |\n    info\n  flush: 1\n",
            ("service", "log_level", "yes"),
            'service:\n  log_level: "yes"\n  flush: 1\n',
        ),
    ],
)
def test_edits(before: str, override: tuple[str, str, str], after: str) -> None:
    assert _edit(before, override) == after


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: &x 1\nb: *x\n", 2, "aliases"),
        ("pipeline:\n  inputs:\n    name: x\n", 4, "list of mappings"),
        ("service:\n  a: 1\nservice:\n  b: 2\n", 3, "duplicated definition of 'service'"),
        ("? a\n? b\n: c\n", 1, "without a ': value' line"),
        ("service:\n\tflush: 1\n", 2, "tab"),
        ("a: 1\n'x\n  y': 2\n", 3, "a mapping key cannot span lines"),
        ("a:\n  x\n  y: 2\n", 3, "a mapping key cannot span lines"),
        ("service:\n  flush: [1, 2]\n", 2, "must be a scalar"),
        ("pipeline:\n  inputs:\n    - name: x\n      k: {a: [1]}\n", 4, "only scalars"),
        ("a: b: c\n", 1, "mapping cannot start"),
        ("---\n", 2, "empty"),
        ("a: 1\r2\n", 3, "no ':' after the key on line 2"),  # a CR on its own is a line break
        # Found by fuzzing: escapes libyaml refuses (Python's int() takes a blank, a sign, a '_').
        ('service:\n  a: "\\x4 "\n', 2, "bad escape"),
        ('service:\n  a: "\\x+1"\n', 2, "bad escape"),
        ('service:\n  a: "x\n   \\u00e >"\n', 3, "bad escape"),
        ('service:\n  a: "\\ud800"\n', 2, "no Unicode character"),
        ('service:\n  a: "\\U00110000"\n', 2, "no Unicode character"),
        # Found by fuzzing: libyaml reads `true` as a key of `a` without its ':'.
        ("a:\n  b:\n    &my\n  true\n", 5, "no ':' after the key on line 4"),
    ],
)
def test_refused(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        yaml_parse.parse(text.encode(), "in.yaml")
    assert refused.value.line == line and words in refused.value.message, refused.value


def test_non_utf8_override_is_a_usage_error() -> None:
    doc = yaml_parse.parse(b"service:\n  a: 1\n", "in.yaml")
    with pytest.raises(UsageError):
        yaml_edit.apply(doc, {"service": {b"a": edits.Override(b"a", b"\xff")}})


@pytest.mark.parametrize("key", ["memBufLimit", "mem_buf_limit", "Mem_Buf_Limit", "MEM_BUF_LIMIT"])
def test_key_ids_match_as_fluent_bit_matches(key: str) -> None:
    assert sections.key_id(key) == "mem_buf_limit"


def test_settings_name_every_service_and_pipeline_property() -> None:
    text = (
        "service:\n  flush: 1\npipeline:\n  inputs:\n    - name: tail\n      Tag: a\n      processors:\n"
        "        logs:\n          - name: grep\n  filters:\n    - {name: record_modifier, record: [a b, c d]}\n"
    )
    found = list(yaml_document.settings(yaml_parse.parse(text.encode(), "in.yaml")))
    assert found == [
        ("in.yaml", 2, "service", "", "flush", "1"),
        ("in.yaml", 5, "input", "tail", "name", "tail"),
        ("in.yaml", 6, "input", "tail", "Tag", "a"),
        ("in.yaml", 11, "filter", "record_modifier", "name", "record_modifier"),
        ("in.yaml", 11, "filter", "record_modifier", "record", "a b"),
        ("in.yaml", 11, "filter", "record_modifier", "record", "c d"),
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_plugins_read_again_from_the_bytes_read_as_first_read(newline: str) -> None:
    # The second plugin's lines leave the fast path at the '#' (found by fuzzing: its first
    # lines were read twice).
    lines = ["pipeline:", "  inputs:", "    - name: dummy", "      tag: 'a b'", "    - name: cpu", "      a: b"]
    data = newline.join([*lines, '      c: "d #e"', ""]).encode()
    plugins = yaml_parse.parse(data, "in.yaml").plugins
    assert [
        [
            (key.value, yaml_view._scalar(value), key.line, data[value.start : value.end])
            for key, value in plugin.mapping.pairs
        ]
        for plugin in plugins
    ] == [
        [("name", "dummy", 3, b"dummy"), ("tag", "a b", 4, b"'a b'")],
        [("name", "cpu", 5, b"cpu"), ("a", "b", 6, b"b"), ("c", "d #e", 7, b'"d #e"')],
    ]


def test_the_cli_edits_a_yaml_config(tmp_path: Path) -> None:
    source = tmp_path / "in" / "fluent-bit.yml"
    source.parent.mkdir()
    source.write_bytes(b"service:\n  parsers_file: parsers.conf\npipeline:\n  inputs:\n    - name: dummy\n")
    (source.parent / "parsers.conf").write_bytes(b"")
    out = tmp_path / "out" / "fluent-bit.yaml"
    done = launch("-c", str(source), "-m", str(out), "-i", "Mem_Buf_Limit", "50M", "-s", "Log_Level", "debug")
    assert done.returncode == 0, done.stderr
    assert (
        out.read_bytes()
        == (
            f"service:\n  parsers_file: {quote(str(source.parent / 'parsers.conf'))}\n  Log_Level: debug\n"
            'pipeline:\n  inputs:\n    - name: dummy\n      Mem_Buf_Limit: "50M"\n'
        ).encode()
    )
    assert "1 [INPUT] set Mem_Buf_Limit=50M; 1 [SERVICE] set Log_Level=debug" in done.stderr


@pytest.mark.parametrize(
    ("first", "args", "code", "words"),
    [
        ("", ["-m", "out.conf"], 2, "both must be YAML"),
        ("", ["-i", "k", "\udcff"], 2, "not UTF-8"),
        ("includes: [missing.yaml]", ["-i", "name", "x"], 1, "cannot include"),
        ("env: {a: *b}", [], 1, "aliases"),
    ],
)
def test_cli_refusals(tmp_path: Path, first: str, args: list[str], code: int, words: str) -> None:
    source = tmp_path / "fluent-bit.yaml"
    source.write_text(f"{first}\npipeline:\n  inputs:\n    - name: dummy\n")
    out = tmp_path / "out.yaml"
    assert_refused(launch("-c", str(source), "-m", str(out), *args), code, words)
    assert not out.exists()


def test_the_diagnostics_read_yaml_settings(tmp_path: Path) -> None:
    source = tmp_path / "fluent-bit.yaml"
    source.write_text(
        "pipeline:\n  outputs:\n    - name: cloudwatch_logs\n      logGroupName: 'a b'\n"
        "      retryLimit: '-1'\n    - {name: cloudwatch, match: '*'}\n"
    )
    done = launch("-c", str(source), "-m", str(tmp_path / "out.yaml"))
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert [line.split(": ")[2:4] for line in warnings] == [
        [f"{source}:4", "[OUTPUT] cloudwatch_logs"],
        [f"{source}:5", "[OUTPUT] cloudwatch_logs"],
        [f"{source}:6", "[OUTPUT] cloudwatch"],
    ]
    assert "log_group_name 'a b'" in warnings[0] and "retry_limit '-1'" in warnings[1]


def test_an_anchor_name_used_twice_is_taken_as_libyaml_and_fluent_bit_take_it() -> None:
    # PyYAML's composer refuses it, libyaml's parser (all Fluent Bit uses) does not.
    doc = yaml_parse.parse(b"service:\n  flush: &a 1\n  grace: &a 2\n", "in.yaml")
    assert [setting[4:] for setting in yaml_document.settings(doc)] == [("flush", "1"), ("grace", "2")]


def test_included_files_are_told_apart_by_their_paths_as_fluent_bit_does(tmp_path: Path) -> None:
    # flb_cf_yaml.c compares the paths it makes as strings: `b.yaml` and `./b.yaml` are read
    # as two files (Fluent Bit 4.2.8 and 5.1.1 accept this config), a file naming itself by
    # the path it was read by is refused, and one naming itself as `./` ever deeper is
    # refused once the paths, or here the count of files, grow too long.
    (tmp_path / "b.yaml").write_bytes(b"pipeline:\n  inputs:\n    - name: dummy\n")
    (tmp_path / "main.yaml").write_bytes(b"includes:\n  - b.yaml\n  - ./b.yaml\n")
    twice = load(tmp_path / "main.yaml")
    assert [doc.path for doc in twice.docs[twice.main]] == [f"{tmp_path}/b.yaml", f"{tmp_path}/./b.yaml"]
    assert [section.kind for section in twice.sections] == ["pipeline", "pipeline"]
    (tmp_path / "self.yaml").write_bytes(b"pipeline:\n  inputs:\n    - name: dummy\nincludes:\n  - self.yaml\n")
    with pytest.raises(ConfigError, match=r"self\.yaml is already included") as itself:
        load(tmp_path / "self.yaml")
    assert (itself.value.path, itself.value.line) == (str(tmp_path / "self.yaml"), 5)
    (tmp_path / "deeper.yaml").write_bytes(b"includes:\n  - ./deeper.yaml\n")
    with pytest.raises(ConfigError, match="more than 1000 config files"):
        load(tmp_path / "deeper.yaml")


def test_inlined_files_are_edited_in_place_and_warned_about_at_their_own_lines(tmp_path: Path) -> None:
    child = tmp_path / "outputs.yaml"
    child.write_bytes(b"# outputs\npipeline:\n  outputs:\n    - name: cloudwatch_logs\n      log_group_name: 'a b'\n")
    source = tmp_path / "fluent-bit.yaml"
    source.write_bytes(b"pipeline:\n  inputs:\n    - name: dummy\nincludes:\n  - outputs.yaml\n")
    out = tmp_path / "out.yaml"
    done = launch("-c", str(source), "-m", str(out), "-o", "Retry_Limit", "5", "--inline-includes")
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (
        b"pipeline:\n  inputs:\n    - name: dummy\n"
        b"pipeline:\n  outputs:\n    - name: cloudwatch_logs\n      log_group_name: 'a b'\n      Retry_Limit: \"5\"\n"
    )
    (warning,) = [line for line in done.stderr.splitlines() if "warning" in line]
    assert f"{child}:5: [OUTPUT] cloudwatch_logs: log_group_name 'a b'" in warning


def test_service_file_paths_are_made_absolute_unless_overridden(tmp_path: Path) -> None:
    source = tmp_path / "in" / "fluent-bit.yaml"
    source.parent.mkdir()
    source.write_bytes(b"service:\n  parsersFile: parsers.conf\n  plugins_file: a.conf\n  pluginsFile: b.conf\n")
    loaded, result = formats.edit_config(
        str(source), source.read_bytes(), overrides(("service", "Plugins_File", "my.conf")), False
    )
    assert isinstance(loaded, Loaded) and len(loaded.edited) == 1
    # parsersFile is parsers_file (camelCase is snake_case); the override's value is the user's, kept as given.
    assert (
        result.data
        == f"service:\n  parsersFile: {quote(str(source.parent / 'parsers.conf'))}\n  plugins_file: my.conf\n".encode()
    )


def test_inlined_files_of_every_shape_are_edited_then_pasted(tmp_path: Path) -> None:
    # A byte order mark, CRLF and no line break at the end; comments only; `---`/`...` and a
    # file of its own included; each pasted where Fluent Bit reads it, each plugin edited.
    # (Fluent Bit 4.2.8 and 5.1.1 accept this config and the output alike.)
    (tmp_path / "crlf.yaml").write_bytes(b"\xef\xbb\xbfpipeline:\r\n  inputs:\r\n    - name: tail\r\n      path: /x")
    (tmp_path / "empty.yaml").write_bytes(b"# nothing here\n")
    (tmp_path / "nested.yaml").write_bytes(b"pipeline:\n  outputs:\n    - {name: stdout, match: '*'}\n")
    (tmp_path / "marked.yaml").write_bytes(
        b"---\n# before\nincludes: [nested.yaml]\npipeline:\n  inputs:\n    - name: dummy\n...\n# after\n"
    )
    source = tmp_path / "fluent-bit.yaml"
    source.write_bytes(
        b"includes:\n  - crlf.yaml\n  - empty.yaml\npipeline:\n  inputs:\n    - name: dummy\nincludes: [marked.yaml]\n"
    )
    loaded = load(source)
    result = yaml_includes.edited(
        loaded, overrides(("input", "Mem_Buf_Limit", "5M"), ("output", "Retry_Limit", "2")), True
    )
    assert [Path(doc.path).name for doc in loaded.edited] == [
        "fluent-bit.yaml",
        "crlf.yaml",
        "empty.yaml",
        "marked.yaml",
        "nested.yaml",
    ]
    assert result.data == (
        b'pipeline:\r\n  inputs:\r\n    - name: tail\r\n      path: /x\r\n      Mem_Buf_Limit: "5M"\r\n'
        b'pipeline:\n  inputs:\n    - name: dummy\n      Mem_Buf_Limit: "5M"\n'
        b"pipeline:\n  outputs:\n    - {name: stdout, match: '*', Retry_Limit: \"2\"}\n"
        b'pipeline:\n  inputs:\n    - name: dummy\n      Mem_Buf_Limit: "5M"\n'
    )
    assert {kind: done.sections for kind, done in result.kinds.items()} == {"input": 3, "output": 1}
    inlined = Loaded(yaml_parse.parse(result.data, str(source)))
    assert [section["name"] for section in yaml_view.view(inlined)[0]] == [
        section["name"] for section in yaml_view.view(loaded)[0]
    ]


def test_a_large_configs_plugins_are_read_again_from_its_bytes_not_held() -> None:
    # Above 64 KiB a plugin's pairs are not kept once read (they would take twenty times the
    # file): each reader reads them again, and gets the same pairs as a small file's plugin.
    plugin = "    - name: dummy\n      tag: 'a b'\n      Mem_Buf_Limit: 25MB\n"
    data = ("pipeline:\n  inputs:\n" + plugin * 1500).encode()
    assert len(data) > 64 * 1024
    doc = yaml_parse.parse(data, "in.yaml")
    out = yaml_edit.apply(doc, overrides(("input", "mem_buf_limit", "5M"))).data
    assert out == data.replace(b"Mem_Buf_Limit: 25MB", b'Mem_Buf_Limit: "5M"')
    first, last = doc.plugins[0].mapping, doc.plugins[-1].mapping
    assert [(key.value, yaml_view._scalar(value)) for key, value in last.pairs] == [
        ("name", "dummy"),
        ("tag", "a b"),
        ("Mem_Buf_Limit", "25MB"),
    ]
    again = [(key.value, yaml_view._scalar(value), key.line, value.start) for key, value in first.pairs]
    assert again == [(key.value, yaml_view._scalar(value), key.line, value.start) for key, value in first.pairs]
    assert again[0][:3] == ("name", "dummy", 3)
    assert first.simple and last.simple  # still spans of the file, after the edit and all the reads
    assert len(list(yaml_document.settings(doc))) == 3 * 1500
