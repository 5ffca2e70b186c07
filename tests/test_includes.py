"""@INCLUDE: paths kept working after the move, and --inline-includes reaching included sections."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from fluent_launch.classic import edit, includes
from fluent_launch.classic import parse as classic
from fluent_launch.classic.document import LONGEST_LINE, Document
from fluent_launch.errors import ConfigError
from tests import view
from tests.helpers import overrides
from tests.paths import CORPUS, VECTORS

_INCLUDE = re.compile(rb"^@include ", re.IGNORECASE | re.MULTILINE)
GUIDE_OVERRIDES = overrides(
    ("input", "Mem_Buf_Limit", "50M"), ("service", "Flush", "5"), ("output", "Retry_Limit", "2")
)


def _vectors_with_includes() -> list[Path]:
    found = [
        vector
        for vector in sorted((VECTORS / "classic").rglob("*.json"))
        if _INCLUDE.search((CORPUS / vector.relative_to(VECTORS).with_suffix("")).read_bytes())
    ]
    assert len(found) >= 5
    return found


def parse_file(path: Path) -> Document:
    return classic.parse(path.read_bytes(), str(path))


def inlined(path: Path) -> Document:
    doc = parse_file(path)
    return classic.parse(includes.inline(doc, str(path.parent)), str(path))


@pytest.mark.parametrize("vector", _vectors_with_includes(), ids=lambda path: str(path.relative_to(VECTORS)))
def test_inlined_config_is_what_fluent_bit_read(vector: Path, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # the vectors were made from an empty working directory
    expected = json.loads(vector.read_text())
    source = CORPUS / vector.relative_to(VECTORS).with_suffix("")
    if not expected["ok"]:
        with pytest.raises(ConfigError):
            inlined(source)
        return
    doc = inlined(source)
    assert view.sections(doc) == expected["sections"]
    assert view.metas(doc) == expected["metas"]
    edited = classic.parse(edit.apply(doc, GUIDE_OVERRIDES).data, "out.conf")
    assert view.sections(edited) == view.expected_sections(expected["sections"], GUIDE_OVERRIDES)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: Any) -> Path:
    """A main config in etc/ including relative, nested and globbed files; CWD elsewhere."""
    etc = tmp_path / "etc"
    write(etc / "main.conf", "[INPUT]\n    Name forward\n\n@INCLUDE user.conf\n@INCLUDE conf.d/*.conf\n")
    write(etc / "user.conf", "@SET level=info\n[INPUT]\n  Name tail\n  [G 1]\n    k v\n@INCLUDE nested/n.conf\n")
    write(etc / "nested" / "n.conf", "[OUTPUT]\n\tName null\n\tMatch *")  # no final newline
    write(etc / "conf.d" / "a.conf", "[FILTER]\n    Name grep\n")
    write(etc / "conf.d" / "b.conf", "[FILTER]\n    Name modify\n")
    monkeypatch.chdir(tmp_path)
    return etc


def test_inline_keeps_fluent_bits_view_across_indents_and_nesting(tree: Path) -> None:
    doc = inlined(tree / "main.conf")
    kinds = [(section["type"], section["properties"][0][1]) for section in view.sections(doc)]
    assert kinds[:3] == [("input", "forward"), ("input", "tail"), ("output", "null")]
    assert sorted(kinds[3:]) == [("filter", "grep"), ("filter", "modify")]
    assert view.sections(doc)[1]["groups"] == [{"name": "G 1", "properties": [["k", "v"]]}]
    assert view.metas(doc) == [["SET", "level=info"]]
    # Every file now has the main file's indent; the nested one's missing newline was added.
    assert b"\n    Name tail\n    [G 1]\n        k v\n[OUTPUT]\n    Name null\n    Match *\n" in doc.data


def test_overrides_reach_included_sections_only_when_inlined(tree: Path) -> None:
    main = tree / "main.conf"
    wanted = overrides(("input", "Mem_Buf_Limit", "50M"))
    plain = edit.apply(includes.prepare(parse_file(main), inline_includes=False), wanted).data
    assert plain.count(b"Mem_Buf_Limit 50M") == 1
    full = edit.apply(includes.prepare(parse_file(main), inline_includes=True), wanted).data
    assert full.count(b"Mem_Buf_Limit 50M") == 2 and b"@INCLUDE" not in full


def test_relocate_rewrites_only_relative_paths(tree: Path, tmp_path: Path) -> None:
    write(tmp_path / "in-cwd.conf", "[INPUT]\n    Name cpu\n")
    main = write(
        tree / "paths.conf",
        "@INCLUDE user.conf\n@INCLUDE in-cwd.conf\r\n@include conf.d/*.conf\n@INCLUDE /abs/x.conf\n"
        "[SERVICE]\n    Parsers_File parsers.conf\n    plugins_file /abs/plugins.conf\n"
        "    Streams_File ${DIR}/streams.conf\n    HTTP_Server on\n",
    )
    out = includes.relocate(parse_file(main), str(tree))
    assert (
        out
        == (
            f"@INCLUDE {tree}/user.conf\n@INCLUDE {tmp_path}/in-cwd.conf\r\n@include {tree}/conf.d/*.conf\n"
            f"@INCLUDE /abs/x.conf\n[SERVICE]\n    Parsers_File {tree}/parsers.conf\n"
            "    plugins_file /abs/plugins.conf\n"
            "    Streams_File ${DIR}/streams.conf\n    HTTP_Server on\n"
        ).encode()
    )


def test_relative_includes_resolve_against_the_main_config_not_the_including_file(tree: Path) -> None:
    # user.conf includes nested/n.conf, found from etc/ (the main config's directory).
    write(tree / "nested" / "deeper.conf", "@INCLUDE nested/n.conf\n")
    main = write(tree / "m2.conf", "@INCLUDE nested/deeper.conf\n")
    assert [section["type"] for section in view.sections(inlined(main))] == ["output"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("@INCLUDE missing.conf\n", "cannot include"),
        ("@INCLUDE nothing/*.conf\n", "no file matches"),
        ("@INCLUDE user.conf\n@INCLUDE user.conf\n", "included twice"),
        ("@INCLUDE self.conf\n", "included twice"),
        ("[INPUT]\n    Name a\n@INCLUDE conf.d/a.conf\n    Tag t\n", "entries after it belong to the section before"),
    ],
)
def test_inline_refusals_name_the_include_line(tree: Path, text: str, words: str) -> None:
    main = write(tree / "self.conf", text)
    with pytest.raises(ConfigError) as refused:
        inlined(main)
    assert refused.value.path == str(main) and words in refused.value.message
    assert refused.value.line == text.count("\n", 0, text.rindex("@INCLUDE")) + 1


def test_include_cycle_is_refused(tree: Path) -> None:
    write(tree / "a.conf", "@INCLUDE b.conf\n")
    write(tree / "b.conf", "[INPUT]\n    Name cpu\n@INCLUDE a.conf\n")
    with pytest.raises(ConfigError) as refused:
        inlined(tree / "a.conf")
    assert (refused.value.path, refused.value.line) == (str(tree / "b.conf"), 3)


def test_an_error_inside_an_included_file_names_that_file(tree: Path) -> None:
    write(tree / "bad.conf", "[INPUT]\n    Name cpu\n      Tag x\n")
    with pytest.raises(ConfigError) as refused:
        inlined(write(tree / "m.conf", "@INCLUDE bad.conf\n"))
    assert (refused.value.path, refused.value.line) == (str(tree / "bad.conf"), 3)


def test_at_most_1000_files(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    for index in range(999):
        write(tmp_path / "many" / f"{index}.conf", f"@SET n{index}=1\n")
    main = write(tmp_path / "main.conf", "@INCLUDE many/*.conf\n")
    assert len(view.metas(inlined(main))) == 999  # 999 included files and the main: 1000
    write(tmp_path / "many" / "999.conf", "@SET n=1\n")
    with pytest.raises(ConfigError) as refused:
        inlined(main)
    assert "more than 1000 config files" in refused.value.message


@pytest.mark.parametrize("inline_includes", [False, True])
def test_service_override_wins_over_an_included_service_in_both_modes(tmp_path: Path, inline_includes: bool) -> None:
    user = write(tmp_path / "user" / "extra.conf", "[SERVICE]\n    Flush 1\n    Grace 30\n")
    main = write(tmp_path / "fluent-bit.conf", f"[INPUT]\n    Name forward\n@INCLUDE {user}\n[OUTPUT]\n    Name null\n")
    doc = includes.prepare(parse_file(main), inline_includes)
    out_path = write(tmp_path / "out" / "fluent-bit.conf", "")
    out_path.write_bytes(edit.apply(doc, overrides(("service", "Flush", "5"))).data)
    # Fluent Bit's view of the written file (includes followed): one merged [SERVICE].
    service = [section for section in view.sections(inlined(out_path)) if section["type"] == "service"]
    assert len(service) == 1
    assert dict(service[0]["properties"]) == {"flush": "5", "grace": "30"}
    assert [key for key, _ in service[0]["properties"]].count("grace") == 1
    included = f"@INCLUDE {user}\n".encode() in out_path.read_bytes()
    assert included is not inline_includes


def test_an_included_line_the_main_files_indent_pushes_past_fluent_bit_19s_limit_is_refused(tree: Path) -> None:
    name = "x" * (LONGEST_LINE - len(" Name "))
    write(tree / "long.conf", f"[INPUT]\n Name {name}\n")
    with pytest.raises(ConfigError) as refused:
        inlined(write(tree / "m.conf", "[OUTPUT]\n    Name null\n@INCLUDE long.conf\n"))
    assert (refused.value.path, refused.value.line) == (str(tree / "long.conf"), 2)
    assert "Fluent Bit 1.9" in refused.value.message


def test_an_include_path_made_absolute_past_fluent_bit_19s_limit_is_refused(tree: Path) -> None:
    relative = "d/" * ((LONGEST_LINE - len("@INCLUDE ")) // 2) + "x.conf"
    main = write(tree / "m.conf", f"@INCLUDE {relative[: LONGEST_LINE - len('@INCLUDE ')]}\n")
    with pytest.raises(ConfigError) as refused:
        includes.relocate(parse_file(main), str(tree))
    assert refused.value.line == 1
