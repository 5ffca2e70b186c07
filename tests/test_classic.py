"""Fluent Bit's classic-format quirks that the shared corpus does not exercise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluent_launch.classic import parse as classic
from fluent_launch.classic.document import Document
from fluent_launch.errors import ConfigError
from tests import view


def parse(data: bytes) -> Document:
    return classic.parse(data, "test.conf")


def refused_at(data: bytes) -> ConfigError:
    with pytest.raises(ConfigError) as refused:
        parse(data)
    return refused.value


def props(data: bytes) -> list[tuple[str, list[list[str]]]]:
    return [(section["type"], section["properties"]) for section in view.sections(parse(data))]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (b"INPUT", "input"),
        (b"inputs", "input"),
        (b"IN", "input"),
        (b"I", "input"),
        (b"SERV", "service"),
        (b"S", "service"),
        (b"P", "parser"),
        (b"customs", "custom"),
        (b"Output", "output"),
        (b"OUTPUTS", "output"),
        (b"INPUTX", "other"),
        # A prefix of "upstream_servers" by Fluent Bit's strncasecmp(), though
        # ../shared/reference calls [UPSTREAM] "other"; only the kinds we edit matter here.
        (b"UPSTREAM", "upstream_servers"),
        (b"NODE", "other"),
        (b"STREAM_TASK", "other"),
    ],
)
def test_section_kind_is_a_case_insensitive_prefix_match(name: bytes, kind: str) -> None:
    assert classic.section_kind(name) == kind


def test_text_after_the_header_bracket_is_ignored() -> None:
    doc = parse(b"[INPUTS] trailing words\n    Name dummy\n")
    assert (doc.sections[0].name, doc.sections[0].kind) == (b"INPUTS", "input")


def test_empty_header_takes_the_rest_of_the_line_as_name() -> None:
    assert parse(b"[]\n    a b\n").sections[0].name == b"]"


def test_crlf_lines_and_tab_indent() -> None:
    assert props(b"[INPUT]\r\n\tName  dummy \r\n\tTag\tx y\r\n") == [
        ("input", [["name", "dummy"], ["tag\tx", "y"]]),
    ]


def test_unterminated_last_line_keeps_its_carriage_return_out_of_the_value() -> None:
    # Without '\n' Fluent Bit does not strip '\r'; the trim removes it from the value.
    assert props(b"[INPUT]\n    Name dummy\r") == [("input", [["name", "dummy"]])]


def test_first_entry_fixes_the_indent_even_unindented() -> None:
    # Fluent Bit takes the first byte as the indent, so `Name dummy` is key `ame`.
    assert props(b"[INPUT]\nName dummy\nNTag x\n") == [("input", [["ame", "dummy"], ["tag", "x"]])]


def test_whitespace_only_line_before_any_entry_fixes_the_indent() -> None:
    # Two spaces become the indent; a four-space entry is then "group content" of none.
    assert props(b"[INPUT]\n  \n    Name dummy\n") == [("input", [["name", "dummy"]])]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"[INPUT]\n    Name dummy\n  Tag x\n", 3, "too low"),
        (b"[INPUT]\n    Name dummy\n\tTag x\n", 3, "tab and space"),
        (b"[INPUT]\n    Name dummy\n  \tTag x\n", 3, "tab and space"),
        (b"[INPUT]\n    Name dummy\n      Tag x\n", 3, "extra indentation"),
        (b"[INPUT]\n    Name dummy\n      # comment\n", 3, "extra indentation"),
        (b"[INPUT]\n    Name dummy\n  \n", 3, "too low"),
        (b"[INPUT\n    Name dummy\n", 1, "bad header"),
        (b"[INPUT]\n    Name\n", 2, "undefined value"),
        (b"[INPUT]\n    Name \n", 2, "empty value"),
        (b"[INPUT]\n    Name  \t\n", 2, "only whitespace"),
        (b"    Name dummy\n", 1, "outside of any section"),
        (b"    [GROUP 1]\n", 1, "outside of any section"),
        (b"[INPUT]\n    [GROUP 1\n", 2, "group name"),
        (b"[INPUT]\n    [GROUP]\n", 2, "undefined value"),
        (b"[INPUT]\n    [G 1]\n        [G 2]\n        a b\n", 3, "did not have keys"),
        (b"@SETX\n", 1, "meta command"),
    ],
)
def test_refusals_name_fluent_bits_line(data: bytes, line: int, words: str) -> None:
    error = refused_at(data)
    assert (error.line, words in error.message) == (line, True), error.message


def test_accepted_oddities() -> None:
    # `@` is too short for a meta command, so it fixes the file's indent at '@'.
    assert refused_at(b"@SET a=1\n@INCLUDE other.conf\n@\n[INPUT]\n    Name dummy\n").line == 5
    assert props(b"[INPUT]\n    [G 1]\n        a b\n    [G 2]\n        c d\n") == [("input", [])]
    assert props(b"[INPUT]\n    Name dummy # not a comment\n    # a comment\n    \n") == [
        ("input", [["name", "dummy # not a comment"]]),
    ]


def test_groups_hold_their_entries_and_a_plain_entry_closes_them() -> None:
    doc = parse(b"[INPUT]\n    Name tail\n    [G 1]\n        a b\n    Tag t\n        c d\n")
    section = doc.sections[0]
    assert [entry.key for entry in section.entries] == [b"name", b"tag", b"c"]
    assert [(group.name, [entry.key for entry in group.entries]) for group in section.groups] == [(b"G 1", [b"a"])]


def test_nul_cuts_the_line_and_joins_the_next() -> None:
    doc = parse(b"[INPUT]\n    Name du\0junk\nmmy\n    Tag x\n")
    assert [(entry.key, entry.value) for entry in doc.sections[0].entries] == [(b"name", b"dummy"), (b"tag", b"x")]
    first = doc.sections[0].entries[0]
    assert (first.start, first.end) == (8, 29)


def test_nul_on_the_last_terminated_line_drops_it() -> None:
    assert props(b"[INPUT]\n    Name dummy\n    Tag x\0y\n") == [("input", [["name", "dummy"]])]


def test_metas_are_kept_in_order() -> None:
    assert view.metas(parse(b"@SET a=1\n@set  b = 2 \n")) == [["SET", "a=1"], ["set", "b = 2"]]


def test_line_limit_is_fluent_bits_32_mib() -> None:
    fits = b"[INPUT]\n    Name " + b"x" * (32 * 1024 * 1024 - 20) + b"\n"
    assert parse(fits).sections[0].entries[0].key == b"name"
    too_long = b"[INPUT]\n    Name " + b"x" * (32 * 1024 * 1024) + b"\n"
    assert refused_at(too_long).line == 2


_LINE_LENGTHS = (0, 1, 2, classic._FIRST_BUFFER - 2, classic._FIRST_BUFFER - 1, classic._FIRST_BUFFER, 2 * 4096, 70_000)


@given(
    st.lists(st.tuples(st.sampled_from(_LINE_LENGTHS), st.sampled_from([b"\n", b"\r\n"])), max_size=12),
    st.sampled_from([b"", b"tail", b"tail\r"]),
    st.sampled_from([classic._BLOCK, 5, 4096]),
)
@settings(max_examples=60)
def test_without_nul_bytes_logical_lines_are_the_physical_lines(
    lines: list[tuple[int, bytes]], tail: bytes, block: int
) -> None:
    # Long lines only grow the buffer; block-wise splitting must not show at any block size.
    data = b"".join(b"k" * length + ending for length, ending in lines) + tail
    physical, start = [], 0
    for number, raw in enumerate(data.splitlines(keepends=True), 1):
        physical.append(
            (
                number,
                raw.removesuffix(b"\n").removesuffix(b"\r") if raw.endswith(b"\n") else raw,
                start,
                start + len(raw),
            )
        )
        start += len(raw)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classic, "_BLOCK", block)
        assert list(classic._logical_lines(data, "t")) == physical
