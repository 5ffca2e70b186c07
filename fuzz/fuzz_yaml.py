#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris) of the YAML reader and editor, with libyaml as the oracle.

    python fuzz/fuzz_yaml.py -max_total_time=120 NEW_CORPUS_DIR ../shared/corpus/yaml

Each input is a config file as is, so the shared corpus seeds it directly; which overrides
are applied is chosen by the input's length. Checked for every input:
  - parse() and apply() either succeed or raise ConfigError (UsageError for a value YAML
    cannot hold): any other exception is a finding;
  - what the reader accepts, libyaml (Fluent Bit's YAML parser, through PyYAML) reads to the
    same tree of strings;
  - an accepted document renders back to exactly its input when nothing is edited;
  - the edited config is accepted again, and editing it again changes nothing.
libFuzzer stops on the first finding, writes it to crash-* and exits non-zero.
"""

from __future__ import annotations

import sys
from typing import Any

import atheris

with atheris.instrument_imports():
    import yaml
    from edit_checks import check_edit, override_sets

    from fluent_launch.errors import ConfigError
    from fluent_launch.yaml import edit as yaml_edit
    from fluent_launch.yaml import parse as yaml_parse
    from fluent_launch.yaml import syntax as yaml_syntax


# Values YAML would read as other types or as syntax, which must be written quoted.
OVERRIDE_SETS = override_sets(
    *(
        [*args, "-c", "in.yaml", "-m", "out.yaml"]
        for args in (
            [],
            ["-i", "Mem_Buf_Limit", "50M", "-s", "Scheduler.Cap", "60"],
            ["-o", "Match", "*", "-f", "Name", "grep", "-i", "TAG", "x: y  #z"],
            ["-f", "Match", "yes", "-o", "retryLimit", "False", "-i", "tag", "'q\"\\"],
            ["-i", "name", "${VAR}", "-s", "parsers_file", "p.conf", "-f", "k", "- [a]"],
        )
    )
)


def _tree(node: Any) -> Any:
    if isinstance(node, yaml_syntax.Mapping):
        return {key.value: _tree(value) for key, value in node.pairs}
    if isinstance(node, yaml_syntax.Sequence):
        return [_tree(item) for item in node.items]
    return node.value


def test_one_input(data: bytes) -> None:
    try:
        doc = yaml_parse.parse(data, "fuzz.yaml")
    except ConfigError:
        return
    try:
        # libyaml's own event parser, which is all Fluent Bit uses of it.
        for _ in yaml.parse(data, Loader=yaml.CBaseLoader):
            pass
    except yaml.YAMLError as error:
        if error.problem == "exceeded maximum nesting depth":  # type: ignore[attr-defined]
            # PyYAML's libyaml stops at 1000 levels; the 0.2.5 Fluent Bit links reads on.
            check_edit(data, doc, yaml_parse.parse, yaml_edit.apply, OVERRIDE_SETS)
            return
        raise AssertionError(f"accepted what libyaml refuses: {error}") from None
    try:
        oracle = list(yaml.load_all(data, Loader=yaml.CBaseLoader))
    except yaml.composer.ComposerError as error:
        # PyYAML's composer, above libyaml, refuses an anchor name used twice; libyaml and
        # Fluent Bit take it (and Fluent Bit has no aliases to resolve), so no tree to compare.
        if error.problem != "second occurrence":
            raise
    else:
        if [_tree(root) for root in doc.roots] != oracle:
            raise AssertionError(f"read otherwise than libyaml: {[_tree(root) for root in doc.roots]!r} != {oracle!r}")
    check_edit(data, doc, yaml_parse.parse, yaml_edit.apply, OVERRIDE_SETS)


def main() -> None:
    sys.setrecursionlimit(100_000)  # for _tree() of a document nested as deep as the reader takes
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
