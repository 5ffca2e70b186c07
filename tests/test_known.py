"""The table of keys Fluent Bit knows, and what the launcher knows without loading it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fluent_launch import diagnose, formats, known, properties, sections
from fluent_launch.classic import parse as classic
from fluent_launch.errors import LaunchError
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE
from fluent_launch.yaml import includes as yaml_includes
from fluent_launch.yaml import parse as yaml_parse
from scripts.properties import KINDS, help_json
from tests.paths import CORPUS

CORPUS_FILES = sorted(path for path in CORPUS.rglob("*") if path.suffix in (".conf", ".yaml", ".yml"))


def table_keys(kind: str, plugin: str) -> set[str]:
    for line in properties.TABLE.splitlines():
        found_kind, _, rest = line.partition(" ")
        found_plugin, _, keys = rest.partition(" ")
        if (found_kind, found_plugin) == (kind, plugin):
            return set(keys.split())
    raise AssertionError(f"{kind} {plugin} not in the table")


@pytest.mark.parametrize("kind", [SERVICE, INPUT, FILTER, OUTPUT])
def test_common_keys_are_keys_every_plugin_of_the_kind_takes(kind: str) -> None:
    assert sections.COMMON_KEYS[kind] <= table_keys(kind, "*")


def test_words_known_without_the_table_are_keys_of_the_table_or_no_keys() -> None:
    structure = {"service", "pipeline", "inputs", "filters", "outputs", "includes", "env", "processors", "logs"}
    assert diagnose.KNOWN_WORDS - structure <= set(properties.TABLE.split())


def test_the_core_properties_of_every_kind_are_known() -> None:
    # What --help-json leaves out, and the generator adds.
    assert {"name", "alias", "tag", "mem_buf_limit", "storage.type", "threaded", "log_level"} <= table_keys(INPUT, "*")
    assert {"name", "match", "match_regex", "alias", "log_level"} <= table_keys(FILTER, "*")
    assert {"name", "match", "retry_limit", "storage.total_limit_size", "workers", "tls"} <= table_keys(OUTPUT, "*")
    assert {"flush", "grace", "scheduler.cap", "log_level", "parsers_file"} <= table_keys(SERVICE, "*")


@pytest.mark.parametrize(
    ("kind", "plugin", "key", "told"),
    [
        (INPUT, "forward", "Mem_Buf_Limit", None),
        (INPUT, "forward", "UNIX_PATH", None),  # without regard to case
        (INPUT, "tail", "parser_firstline", None),
        (INPUT, "tail", "parser_json", None),  # `parser_` is a prefix the tail input takes
        (INPUT, "tail", "net.anything", None),  # networking keys are left to Fluent Bit
        (OUTPUT, "cloudwatch", "anything", None),  # a Go plugin: not in the table
        (OUTPUT, "${OUT}", "anything", None),
        (OUTPUT, "*", "anything", None),  # no plugin: the table's line of shared keys is named so
        (INPUT, "forward", "unix_paht", "did you mean 'unix_path'?"),
        (OUTPUT, "null", "zzz", "knows 'zzz' in the null output, which then refuses to start"),
        (SERVICE, "", "Log_Levl", "so Fluent Bit ignores it; did you mean 'log_level'?"),
    ],
)
def test_unknown(kind: str, plugin: str, key: str, told: str | None) -> None:
    reason = known.unknown(kind, plugin, key)
    assert reason is None if told is None else reason is not None and reason.endswith(told)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: str(path.relative_to(CORPUS)))
def test_key_words_hold_every_key_of_a_config(path: Path) -> None:
    # The words decide whether a config's settings are walked at all: none may be missing.
    data = path.read_bytes()
    try:
        if formats.is_yaml(str(path)):
            config: formats.Config = yaml_includes.Loaded(yaml_parse.parse(data, str(path)))
        else:
            config = classic.parse(data, str(path))
    except LaunchError as error:  # a refused file has no settings to compare
        pytest.skip(f"the launcher refuses it: {error}")
    keys = {setting[4].lower() for setting in formats.all_settings(config)}
    assert keys <= formats.key_words(config)


FLUENT_BIT = os.environ.get("FLUENT_BIT_BIN", "")
needs_fluent_bit = pytest.mark.skipif(
    not FLUENT_BIT, reason="FLUENT_BIT_BIN not set: Fluent Bit is in neither Debian nor PyPI"
)


@needs_fluent_bit
def test_the_table_knows_every_key_of_this_fluent_bit() -> None:
    # The table is drawn from 1.9.10, 4.2.8 and 5.1.1; a binary of another build or version
    # may have more (then run scripts/properties.py with it too).
    found = help_json(FLUENT_BIT)
    for kind, listed in KINDS.items():
        for plugin in found[listed]:
            for options in plugin["properties"].values():
                for option in options:
                    name = option["name"] + ("x" if option.get("type") == "prefixed string" else "")
                    assert known.unknown(kind, plugin["name"], name) is None, (kind, plugin["name"], name)


@needs_fluent_bit
@pytest.mark.parametrize(("option", "plugin"), [("-i", "dummy"), ("-o", "null")])
def test_fluent_bit_refuses_to_start_with_a_key_the_table_does_not_know(option: str, plugin: str) -> None:
    kind = INPUT if option == "-i" else OUTPUT
    assert known.unknown(kind, plugin, "mem_buff_limit") is not None
    command = [FLUENT_BIT, "-i", "dummy", "-o", "null", "-m", "*"]
    command.insert(command.index(option) + 2, "-p")
    command.insert(command.index(option) + 3, "mem_buff_limit=5M")
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"{plugin}: unknown configuration property 'mem_buff_limit'" in done.stdout + done.stderr
