"""The config format, chosen by the file name as Fluent Bit chooses it, and its edit.

The CLI calls `edit_config` and never learns which format it handled. The YAML reader is
imported only for a YAML file, so that a classic launch never pays for it.
"""

from __future__ import annotations

import os

from fluent_launch import classic, diagnose, document, edit, includes
from fluent_launch.document import FILTER, INPUT, OUTPUT, SERVICE, Document
from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Union

    from fluent_launch.document import Setting
    from fluent_launch.yaml_config import YamlDocument

    # A classic config as parsed (includes pasted in, if asked), or the YAML files edited.
    Config = Union[Document, list[YamlDocument]]


def is_yaml(path: str) -> bool:
    # Fluent Bit looks at what follows the path's last '.', as strrchr() finds it.
    return path.rpartition(".")[2].lower() in ("yaml", "yml") and "." in path


def edit_config(path: str, data: bytes, overrides: edit.Overrides, inline_includes: bool) -> tuple[Config, edit.Result]:
    """The config at `path` (its bytes `data`) as parsed, ready to be written elsewhere, and
    with the overrides applied."""
    if not is_yaml(path):
        doc = includes.prepare(classic.parse(data, path), inline_includes)
        return doc, edit.apply(doc, overrides)
    from fluent_launch import yaml_config, yaml_includes

    loaded = yaml_includes.Loaded(yaml_config.parse(data, path))
    return yaml_includes.edited(loaded, overrides, inline_includes)


def include_warnings(config: Config) -> list[str]:
    """The warnings about includes Fluent Bit reads on from (a YAML include glob matching no
    file; the classic @INCLUDE's is refused)."""
    if isinstance(config, Document):
        return []
    return [
        f"{path}:{line}: no file matches the include {pattern}: Fluent Bit includes nothing there"
        for path, line, pattern in config[0].unmatched
    ]


def settings(config: Config) -> Iterator[Setting]:
    """(path, line, kind, plugin, key, value) of each setting of the service and the plugins
    that the diagnostics check (see diagnose.warnings), in file order."""
    # Walking every entry of a large config costs more than editing it, so only when its raw
    # bytes show something a check may report.
    if isinstance(config, Document):
        if not document.may_matter(config, diagnose.WORDS, diagnose.CORE, diagnose.odd):
            return iter(())
        return document.settings(config, (SERVICE, INPUT, FILTER, OUTPUT), diagnose.KEYS)
    from fluent_launch import yaml_config

    found = (
        setting
        for doc in config
        if yaml_config.may_matter(doc, diagnose.WORDS, diagnose.CORE, diagnose.odd)
        for setting in yaml_config.settings(doc)
    )
    return _yaml_settings(found, yaml_config.key_id)


def all_settings(config: Config) -> Iterator[Setting]:
    """(path, line, kind, plugin, key, value) of every setting of the service and the plugins,
    in file order, each key as Fluent Bit reads it (YAML's camelCase in snake_case)."""
    if isinstance(config, Document):
        return document.settings(config, (SERVICE, INPUT, FILTER, OUTPUT), None)
    from fluent_launch import yaml_config

    return (
        (path, line, kind, plugin, yaml_config.key_id(key), value)
        for doc in config
        for path, line, kind, plugin, key, value in yaml_config.settings(doc)
    )


def plugins(config: Config) -> Iterator[tuple[str, str]]:
    """(kind, plugin name) of every plugin, in file order."""
    if isinstance(config, Document):
        found = document.settings(config, (INPUT, FILTER, OUTPUT), frozenset((b"name",)))
    else:
        found = (setting for setting in all_settings(config) if setting[4] == "name" and setting[2] != SERVICE)
    return ((kind, plugin) for _, _, kind, plugin, _, _ in found)


def key_words(config: Config) -> set[str]:
    """Words of the config that hold every key of its service and plugins (and maybe more), in
    lower case, YAML's in snake_case: what diagnose.config_warnings judges before it walks."""
    if isinstance(config, Document):
        return {os.fsdecode(key).lower() for key in config.own_keys()}
    return {word for doc in config for word in diagnose.key_words(doc.data)}


def _yaml_settings(found: Iterator[Setting], key_id: Callable[[str], str]) -> Iterator[Setting]:
    for path, line, kind, plugin, key, value in found:
        name = key_id(key)
        if name.encode() in diagnose.KEYS:
            # The checks know keys in snake_case: a camelCase key is shown as Fluent Bit reads it.
            yield path, line, kind, plugin, key if key.lower() == name else name, value
