#!/usr/bin/env python3
"""Coverage-guided fuzzing (atheris) of the classic parser, the editor and the renderer.

    python fuzz/fuzz_classic.py -max_total_time=120 NEW_CORPUS_DIR ../shared/corpus/classic

Each input is a config file as is, so the shared corpus seeds it directly; which overrides
are applied is chosen by the input's length. Checked for every input:
  - parse() and apply() either succeed or raise ConfigError: any other exception is a finding;
  - an accepted document renders back to exactly its input when nothing is edited;
  - the edited config is accepted again, and editing it again changes nothing.
libFuzzer stops on the first finding, writes it to crash-* and exits non-zero.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from edit_checks import check_edit, override_sets

    from fluent_launch.classic import edit
    from fluent_launch.classic import parse as classic
    from fluent_launch.edits import render
    from fluent_launch.errors import ConfigError


# Keys the corpus has (so existing lines are rewritten) and keys it lacks (so lines are added),
# with values of every shape a command line can bring, taken as the command line takes them.
OVERRIDE_SETS = override_sets(
    [],
    ["-i", "Mem_Buf_Limit", "50M", "-s", "Scheduler.Cap", "60"],
    ["-o", "Match", "*", "-f", "Name", "grep", "-i", "TAG", "x y  z"],
    ["-s", "Flush", "1 \udcff\udcfe non-utf8", "-o", "Retry_Limit", "False"],
    ["-i", "name", "${VAR}", "-s", "parsers_file", "p.conf", "-f", "k", "\t#v "],
)


def test_one_input(data: bytes) -> None:
    try:
        doc = classic.parse(data, "fuzz.conf")
    except ConfigError:
        return
    if render(data, []) != data:
        raise AssertionError("render() without edits is not the identity")
    check_edit(data, doc, classic.parse, edit.apply, OVERRIDE_SETS)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
