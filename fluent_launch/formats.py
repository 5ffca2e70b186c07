"""The config format, chosen by the file name as Fluent Bit chooses it, and its edit.

The CLI calls `edit_config` and never learns which format it handled. Each format's modules
are imported only for a file of that format, so that a launch pays for one of them.
"""

from __future__ import annotations

import os

from fluent_launch import diagnose
from fluent_launch.edits import Override
from fluent_launch.errors import ConfigError, UsageError
from fluent_launch.records import TYPE_CHECKING, Record
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE, key_id

MIB = 1 << 20

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Union

    from typing_extensions import TypeIs

    from fluent_launch.classic.document import Document
    from fluent_launch.edits import Overrides, Result
    from fluent_launch.sections import Buffer, Setting
    from fluent_launch.yaml.includes import Loaded

    # A classic config as parsed (includes pasted in, if asked), or the YAML files read
    # (those edited in `edited`).
    Config = Union[Document, Loaded]


def is_yaml(path: str) -> bool:
    # Fluent Bit looks at what follows the path's last '.', as strrchr() finds it.
    return path.rpartition(".")[2].lower() in ("yaml", "yml") and "." in path


def _classic(config: Config) -> TypeIs[Document]:
    # Asked of the config, not with isinstance(), which would import the other format's modules.
    return not config.yaml


def edit_config(path: str, data: bytes, overrides: Overrides, inline_includes: bool) -> tuple[Config, Result]:
    """The config at `path` (its bytes `data`) as parsed, ready to be written elsewhere, and
    with the overrides applied."""
    if not is_yaml(path):
        from fluent_launch.classic import edit, includes, parse

        doc = includes.prepare(parse.parse(data, path), inline_includes)
        return doc, edit.apply(doc, overrides)
    from fluent_launch.yaml import includes as yaml_includes
    from fluent_launch.yaml.parse import parse as parse_yaml

    loaded = yaml_includes.Loaded(parse_yaml(data, path))
    return loaded, yaml_includes.edited(loaded, overrides, inline_includes)


def include_warnings(config: Config) -> list[str]:
    """The warnings about includes Fluent Bit reads on from (a YAML include glob matching no
    file; the classic @INCLUDE's is refused)."""
    if _classic(config):
        return []
    return [
        f"{path}:{line}: no file matches the include {pattern}: Fluent Bit includes nothing there"
        for path, line, pattern in config.edited[0].unmatched
    ]


def settings(config: Config) -> Iterator[Setting]:
    """(path, line, kind, plugin, key, value) of each setting of the service and the plugins
    that the diagnostics check (see diagnose.warnings), in file order."""
    # Walking every entry of a large config costs more than editing it, so only when its raw
    # bytes show something a check may report.
    if _classic(config):
        from fluent_launch.classic import document

        if not document.may_matter(config, diagnose.WORDS, diagnose.CORE, diagnose.odd):
            return iter(())
        return document.settings(config, (SERVICE, INPUT, FILTER, OUTPUT), diagnose.KEYS)
    from fluent_launch.yaml import document as yaml_document

    found = (
        setting
        for doc in config.edited
        if yaml_document.may_matter(doc, diagnose.WORDS, diagnose.CORE, diagnose.odd)
        for setting in yaml_document.settings(doc)
    )
    return _yaml_settings(found, key_id)


def all_settings(config: Config) -> Iterator[Setting]:
    """(path, line, kind, plugin, key, value) of every setting of the service and the plugins,
    in file order, each key as Fluent Bit reads it (YAML's camelCase in snake_case)."""
    if _classic(config):
        from fluent_launch.classic import document

        return document.settings(config, (SERVICE, INPUT, FILTER, OUTPUT), None)
    from fluent_launch.yaml import document as yaml_document

    return (
        (path, line, kind, plugin, key_id(key), value)
        for doc in config.edited
        for path, line, kind, plugin, key, value in yaml_document.settings(doc)
    )


def plugins(config: Config) -> Iterator[tuple[str, str]]:
    """(kind, plugin name) of every plugin, in file order."""
    if _classic(config):
        from fluent_launch.classic import document

        found = document.settings(config, (INPUT, FILTER, OUTPUT), frozenset((b"name",)))
    else:
        found = (setting for setting in all_settings(config) if setting[4] == "name" and setting[2] != SERVICE)
    return ((kind, plugin) for _, _, kind, plugin, _, _ in found)


def key_words(config: Config) -> set[str]:
    """Words of the config that hold every key of its service and plugins (and maybe more), in
    lower case, YAML's in snake_case: what diagnose.config_warnings judges before it walks."""
    if _classic(config):
        return {os.fsdecode(key).lower() for key in config.own_keys()}
    return {word for doc in config.edited for word in diagnose.key_words(doc.data)}


def reaches_every_file(config: Config) -> bool:
    """Whether the edit reaches every file of the config (no include left, or all inlined)."""
    if _classic(config):
        return not config.includes
    return len(config.edited) == 1 + sum(map(len, config.docs.values()))


def buffers(config: Config) -> list[Buffer]:
    """Every input and emitter of the config and the files it includes, in the order Fluent
    Bit reads them (those of included files the edit does not reach last, for classic)."""
    if _classic(config):
        from fluent_launch.classic import document, includes

        found = list(document.buffers(config, True))
        if config.includes:
            root = os.path.dirname(os.path.realpath(config.path))
            for doc in includes.included(config, root):
                found += document.buffers(doc, False)
        return found
    from fluent_launch.yaml import document as yaml_document

    edited = frozenset(config.edited)
    return [
        buffer
        for doc in [config.main, *(doc for docs in config.docs.values() for doc in docs)]
        for buffer in yaml_document.buffers(doc, doc in edited)
    ]


class Budgeted(Record):
    data: bytes  # the config with the budget's limits
    summary: str  # what the budget set, for the summary line
    warnings: list[str]
    worst: int  # the rule's worst case with those limits


def with_budget(path: str, data: bytes, overrides: Overrides, budget: int, given: str) -> Budgeted:
    """The config `data` (already edited: overrides and all) with the limit of every buffer
    its edit reaches set so that Fluent Bit's RSS stays within `budget` bytes by the rule in
    budget.py, kept apart from every other edit so that it sees their result whole.
    `given` is the budget as the user gave it, for messages."""
    from fluent_launch import budget as rule

    if is_yaml(path):
        from fluent_launch.yaml.includes import Loaded
        from fluent_launch.yaml.parse import parse as parse_yaml

        config: Config = Loaded(parse_yaml(data, path))
    else:
        from fluent_launch.classic.parse import parse

        config = parse(data, path)
    need, free = rule.needs(buffers(config), overrides, True)
    smallest = rule.smallest(need)
    if budget < smallest:
        raise UsageError(
            f"--memory-budget {given}: too small for Fluent Bit's baseline and this config's {need.free} buffers:"
            f" give at least {-(-smallest // 1_000_000)}M"
        )
    plan = rule.plan(budget, need)
    limit = f"{plan.limit // 1000}K".encode()
    each = {
        buffer.position: (
            {b"mem_buf_limit": Override(b"Mem_Buf_Limit", limit)}
            if buffer.kind == INPUT
            else {b"emitter_mem_buf_limit": Override(b"Emitter_Mem_Buf_Limit", limit)}
        )
        for buffer in free
    }
    service = {}
    if plan.chunks_up is not None:
        chunks = str(plan.chunks_up).encode()
        service = {SERVICE: {b"storage.max_chunks_up": Override(b"storage.max_chunks_up", chunks)}}
    if _classic(config):
        from fluent_launch.classic import edit

        data = edit.apply(config, service, each).data
    else:
        from fluent_launch.yaml import edit as yaml_edit

        elsewhere = config.service if config.service is not config.main else None
        if service and elsewhere is not None and elsewhere.service_key is not None:
            raise ConfigError(
                elsewhere.path,
                elsewhere.service_key.line,
                "--memory-budget sets storage.max_chunks_up for the filesystem inputs in the only service: section,"
                " which is in this included file, and Fluent Bit refuses a second one: use --inline-includes to have"
                " it edited in place",
            )
        data = yaml_edit.apply(config.main, service, elsewhere, each=each).data
    inputs = sum(buffer.kind == INPUT for buffer in free)
    done = [f"Mem_Buf_Limit={limit.decode()} on {inputs} [INPUT]"] if inputs else []
    if len(free) > inputs:
        done.append(f"Emitter_Mem_Buf_Limit={limit.decode()} on {len(free) - inputs} [FILTER]")
    if plan.chunks_up is not None:
        done.append(f"storage.max_chunks_up={plan.chunks_up} for {need.filesystem} filesystem buffers")
    summary = f"memory budget {given}: {', '.join(done) or 'nothing to set'}, worst case {plan.worst / MIB:.0f} MiB"
    warnings = []
    if plan.worst > budget:
        warnings.append(
            f"--memory-budget {given}: the limits it does not set (-i Mem_Buf_Limit, -s storage.max_chunks_up,"
            f" included files') allow Fluent Bit {plan.worst / MIB:.0f} MiB in the worst case, over the budget;"
            " the buffers it sets got their least"
        )
    return Budgeted(data, summary, warnings, plan.worst)


def _yaml_settings(found: Iterator[Setting], key_id: Callable[[str], str]) -> Iterator[Setting]:
    for path, line, kind, plugin, key, value in found:
        name = key_id(key)
        if name.encode() in diagnose.KEYS:
            # The checks know keys in snake_case: a camelCase key is shown as Fluent Bit reads it.
            yield path, line, kind, plugin, key if key.lower() == name else name, value
