"""Generated YAML configs against PyYAML over libyaml (Fluent Bit's own YAML parser) as a second
reader: the output loads to the input's data plus the overrides, unedited output is the input,
overrides are idempotent, values survive as strings."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fluent_launch import edits, sections
from fluent_launch.errors import ConfigError
from fluent_launch.yaml import edit as yaml_edit
from fluent_launch.yaml import parse as yaml_parse
from fluent_launch.yaml import syntax as yaml_syntax

KEYS = ["name", "Mem_Buf_Limit", "mem_buf_limit", "memBufLimit", "tag", "Match", "flush", "log_level"]
# Values that look like other types, or carry YAML indicators, next to plain words.
VALUES = [
    "50M",
    "on",
    "Off",
    "yes",
    "null",
    "~",
    "",
    "12",
    "0x1F",
    "1e3",
    "1:20",
    "2001-12-14",
    "a: b",
    "x #y",
    "'q'",
    '"d"',
    "*star",
    "&amp",
    "!bang",
    "- dash",
    "[l]",
    "{m}",
    "%p",
    "@a",
    "`b",
    "a,b",
    "tab\there",
    "caf\u00e9",
    "back\\slash",
    " lead",
    "trail ",
    "pipe|",
    ">gt",
    "?q",
    "::",
    "plain word",
    ".inf",
    "0o17",
]


def _scalar(value: str, draw: st.DrawFn, indent: int) -> str:
    """`value` written plain, single- or double-quoted, and maybe spanning lines: a space folded
    to a line break and an indent past `indent` (#18)."""
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "plain" and value and yaml_edit.quote(value) == value:
        return value
    if style == "plain" and all(word.isalnum() for word in value.split(" ")) and " " in value:
        written = value  # words a plain scalar may span lines with
    elif style == "single" and "\t" not in value:
        written = "'" + value.replace("'", "''") + "'"
    else:
        written = yaml_edit.quote(value) if yaml_edit.quote(value).startswith('"') else '"' + value + '"'
    if " " in written and " " not in (written[1], written[-2]) and draw(st.booleans()):
        # (a space next to the quote or another space would fold with it: one is enough here)
        at = written.index(" ")
        if written[at + 1] != " ":
            return written[:at] + "\n" + " " * (indent + 2) + written[at + 1 :]
    return written


@st.composite
def documents(draw: st.DrawFn) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines: list[str] = []
    comment = st.sampled_from(["", "  # note", " #"])
    lines += draw(st.sampled_from([[], ["---"], ["%YAML 1.1", "---"], ["%TAG !e! tag:yaml.org,2002:", "--- !e!map"]]))
    if draw(st.booleans()):
        # an anchor or tag on the mapping, on its key's line or a line of its own (#18)
        lines += draw(st.sampled_from([["service:"], ["service: &s"], ["service: !!map"], ["service:", "  &s"]]))
        for _ in range(draw(st.integers(1, 3))):
            key, value = draw(st.sampled_from(KEYS)), _scalar(draw(st.sampled_from(VALUES)), draw, 4)
            if draw(st.integers(0, 4)) == 0:
                lines += [f"  ? {key}{draw(comment)}", f"  : {value}"]  # an explicit key
            else:
                lines.append(f"  {key}: {value}{draw(comment)}")
        if draw(st.booleans()):
            lines += ["---"]  # the pipeline in a document of its own
    lines.append("pipeline:")
    for category in draw(
        st.lists(st.sampled_from(["inputs", "filters", "outputs"]), min_size=1, max_size=3, unique=True)
    ):
        lines.append(f"  {category}:{draw(st.sampled_from(['', f' &l{len(lines)}', ' !!seq']))}")
        for _ in range(draw(st.integers(1, 3))):
            pairs = [("name", draw(st.sampled_from(["tail", "dummy", "grep"])))]
            pairs += [
                (draw(st.sampled_from(KEYS)), draw(st.sampled_from(VALUES))) for _ in range(draw(st.integers(0, 3)))
            ]
            if draw(st.booleans()):
                body = ", ".join(f"{key}: {_flow(value, draw)}" for key, value in pairs)
                lines.append(f"    - {{{body}}}{draw(comment)}")
                continue
            dash = "    - "
            if draw(st.integers(0, 3)) == 0:
                lines.append(f"    - &p{len(lines)}{draw(comment)}")  # the plugin's anchor on a line of its own
                dash = "      "
            for key, value in pairs:
                lines.append(f"{dash}{key}: {_scalar(value, draw, 6)}{draw(comment)}")
                dash = "      "
            if draw(st.booleans()):
                lines += ["      record:", "        - a b", "        - 'c: d'"]
            if draw(st.booleans()):
                lines += ["      processors:", "        logs:", "          - name: grep", "            match: x"]
            if draw(st.booleans()):
                lines += ["      note: |", "        line one", "", "        line two"]
    text = newline.join(lines)
    return text + newline if draw(st.booleans()) else text


def _flow(value: str, draw: st.DrawFn) -> str:
    return yaml_edit.quote(value) if not value or yaml_edit.quote(value) != value else value


@st.composite
def yaml_overrides(draw: st.DrawFn) -> edits.Overrides:
    collected: edits.Overrides = {}
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from([*KEYS[1:], "Scheduler.Cap", "storage.type"])).encode()
        value = draw(st.sampled_from([v for v in VALUES if v.strip() == v and v])).encode()
        kind = draw(st.sampled_from(["input", "filter", "output", "service"]))
        collected.setdefault(kind, {})[key.lower()] = edits.Override(key, value)
    return collected


def _expected(data: Any, overrides: edits.Overrides) -> Any:
    """PyYAML's load of the input with the overrides applied as the launcher means them."""
    wanted = {
        kind: list({sections.key_id(o.key.decode()): (o.key.decode(), o.value.decode()) for o in keys.values()}.items())
        for kind, keys in overrides.items()
    }
    if "service" in wanted and "service" not in data:
        data["service"] = {}
    targets = [("service", data["service"])] if "service" in data else []
    for category, plugins in data["pipeline"].items():
        targets += [(category[:-1], plugin) for plugin in plugins]
    for kind, mapping in targets:
        for name, (key, value) in wanted.get(kind, []):
            hits = [k for k in mapping if k != "processors" and sections.key_id(str(k)) == name]
            for repeat in hits[1:]:
                del mapping[repeat]
            mapping[hits[0] if hits else key] = value
    return data


def _loaded(text: bytes) -> Any:
    # PyYAML keeps the last of repeated keys; Fluent Bit's property is the one we compare. The
    # documents' sections are read as one config, as Fluent Bit reads them.
    return {
        key: value for loaded in yaml.load_all(text.decode(), Loader=yaml.CSafeLoader) for key, value in loaded.items()
    }


@settings(max_examples=300, deadline=None)
@given(documents(), yaml_overrides())
def test_output_loads_to_input_plus_overrides(text: str, overrides: edits.Overrides) -> None:
    data = text.encode()
    doc = yaml_parse.parse(data, "in.yaml")
    assert yaml_edit.apply(doc, {}).data == data
    try:
        out = yaml_edit.apply(doc, overrides).data
    except ConfigError as error:
        assert "block scalar that ends the file" in error.message
        return
    before = _loaded(data)
    if _has_repeats(before, data):
        return  # PyYAML merges repeated keys: nothing to compare with
    assert _loaded(out) == _expected(before, overrides)
    again = yaml_parse.parse(out, "out.yaml")
    assert yaml_edit.apply(again, overrides).data == out


def _has_repeats(loaded: Any, data: bytes) -> bool:
    # A plugin that spells one key twice loads to fewer keys than it has lines for.
    class Counting(yaml.SafeLoader):
        repeats = False

    def construct(loader: Counting, node: yaml.MappingNode) -> Any:
        keys = [loader.construct_object(key) for key, _ in node.value]
        if len(keys) != len(set(map(str, keys))):
            Counting.repeats = True
        return loader.construct_mapping(node)

    Counting.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct)
    for _ in yaml.load_all(data.decode(), Loader=Counting):
        pass
    return Counting.repeats


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30))
def test_quoted_values_read_back_as_the_same_string(value: str) -> None:
    text = f"service:\n  a: {yaml_edit.quote(value)}\n".encode()
    assert yaml.load(text, Loader=yaml.CSafeLoader)["service"]["a"] == value
    (plugin,) = yaml_parse.parse(text, "in.yaml").plugins
    read = plugin.mapping.pairs[0][1]
    assert isinstance(read, yaml_syntax.Scalar) and read.value == value


@st.composite
def spliced(draw: st.DrawFn) -> str:
    """Generated documents with YAML-ish junk spliced into their lines: often not YAML at all."""
    lines = draw(documents()).split("\n")
    junk = st.text(alphabet="ab :#-'\"[]{},&*!|>\t?%@`.0~\\\n", max_size=12)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        cut = draw(st.integers(0, len(lines[at])))
        lines[at] = lines[at][:cut] + draw(junk) + lines[at][cut:]
    return "\n".join(lines)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(spliced(), st.text(alphabet="ab :#-'\"[]{},&*!|>\n\t\r?%@`.0~", max_size=40)))
def test_whatever_we_accept_libyaml_reads_the_same(text: str) -> None:
    try:
        doc = yaml_parse.parse(text.encode(), "in.yaml")
    except ConfigError:
        return
    assert yaml_edit.apply(doc, {}).data == text.encode()
    # BaseLoader types nothing: every scalar is its text, as Fluent Bit reads it.
    loaded = list(yaml.load_all(text, Loader=yaml.CBaseLoader))
    assert [_tree(root) for root in doc.roots] == loaded


def _tree(node: Any) -> Any:
    if isinstance(node, yaml_syntax.Mapping):
        return {key.value: _tree(value) for key, value in node.pairs}
    if isinstance(node, yaml_syntax.Sequence):
        return [_tree(item) for item in node.items]
    return node.value
