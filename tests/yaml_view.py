"""A YAML config as Fluent Bit's own dump shows it (flb_cf_yaml.c): the shape of ../shared/vectors."""

from __future__ import annotations

from typing import Any

from fluent_launch.sections import key_id
from fluent_launch.yaml.includes import Loaded
from fluent_launch.yaml.syntax import Mapping, Scalar, Sequence

_SECTION_NAMES = {
    "parser": "parser",
    "multiline_parser": "multiline_parser",
    "stream_processor": "stream_processor",
    "upstream_servers": "upstream_servers",
}


def translate(key: str) -> str:
    """flb_cf_key_translate(): the key as Fluent Bit stores it."""
    return key_id(key) if key[:1].islower() else key


def view(loaded: Loaded, version: str = "4.2.8") -> tuple[list[dict[str, Any]], list[list[str]]]:
    """(sections, env) as Fluent Bit `version` reads the config and everything it includes."""
    sections: list[dict[str, Any]] = []
    env: list[list[str]] = []
    for section in loaded.sections:
        name, kind, node = section.key.value, section.kind, section.node
        if kind in ("env", "other"):
            assert isinstance(node, Mapping)
            pairs = [[key.value, _scalar(value)] for key, value in node.pairs]
            if kind == "env" or version == "4.2.8":
                env += pairs  # 4.2.8 files an unknown section's keys under env
            if kind == "other":
                sections.append(_section(name, "other", [] if version == "4.2.8" else pairs))
        elif kind == "service":
            assert isinstance(node, Mapping)
            sections.append(_section(name, "service", [[translate(k.value), _scalar(v)] for k, v in node.pairs]))
        elif kind == "pipeline":
            assert isinstance(node, Mapping)
            for category, plugins in node.pairs:
                assert isinstance(plugins, Sequence)
                plugin_kind = category.value.lower()[:-1]
                sections += [_plugin(plugin_kind, plugin_kind, item) for item in plugins.items]
        elif kind == "custom":
            assert isinstance(node, Sequence)
            sections += [_plugin(name, "custom", item) for item in node.items]
        elif kind == "plugins":
            assert isinstance(node, Sequence)
            sections.append(_section(name, "plugins", [[_scalar(item), ""] for item in node.items]))
        elif kind in _SECTION_NAMES:
            assert isinstance(node, Sequence)
            sections += [_listed(kind, item) for item in node.items]
    return sections, env


def _section(name: str, kind: str, properties: list[Any], groups: list[Any] | None = None) -> dict[str, Any]:
    return {"name": name, "type": kind, "properties": properties, "groups": groups or []}


def _scalar(node: Any) -> str:
    assert isinstance(node, Scalar)
    return str(node.value)


def _plugin(name: str, kind: str, node: Any) -> dict[str, Any]:
    assert isinstance(node, Mapping)
    first: list[Any] = []  # groups' properties are added at once, the others when the plugin ends
    properties: list[Any] = []
    groups = []
    for key, value in node.pairs:
        if key.value == "processors" and isinstance(value, Mapping):
            groups.append(
                {
                    "name": "processors",
                    "properties": [[signal.value, _variant(plugins, strings=True)] for signal, plugins in value.pairs],
                }
            )
        elif key.value in ("processors", "routes"):
            properties.append([translate(key.value), _variant(value)])
        elif isinstance(value, Mapping):
            first.append([translate(key.value), []])
            groups.append({"name": key.value, "properties": [[translate(k.value), _scalar(v)] for k, v in value.pairs]})
        elif isinstance(value, Sequence):
            properties.append([translate(key.value), [_scalar(item) for item in value.items]])
        else:
            properties.append([translate(key.value), _scalar(value)])
    return _section(name, kind, first + properties, groups)


def _listed(kind: str, node: Any) -> dict[str, Any]:
    assert isinstance(node, Mapping)
    properties: list[Any] = []
    groups = []
    for key, value in node.pairs:
        if kind == "multiline_parser" and key.value == "rules":
            assert isinstance(value, Sequence)
            for rule in value.items:
                assert isinstance(rule, Mapping)
                properties.append(["rules", []])
                groups.append({"name": "rule", "properties": [[translate(k.value), _scalar(v)] for k, v in rule.pairs]})
        elif kind == "upstream_servers" and key.value == "nodes":
            assert isinstance(value, Sequence)
            for upstream in value.items:
                assert isinstance(upstream, Mapping)
                groups.append(
                    {
                        "name": "upstream_node",
                        "properties": [[translate(k.value), _scalar(v)] for k, v in upstream.pairs],
                    }
                )
        else:
            properties.append([translate(key.value), _scalar(value)])
    return _section(kind, kind, properties, groups)


def _variant(node: Any, strings: bool = False) -> Any:
    """cfl_variant of a node: plain scalars typed as state_variant_parse_scalar() types them
    (a processor's own top-level scalars stay strings)."""
    if isinstance(node, Mapping):
        return {"kvlist": [[key.value, _variant(value, strings)] for key, value in node.pairs]}
    if isinstance(node, Sequence):
        return [_variant(item, strings and isinstance(item, Mapping)) for item in node.items]
    assert isinstance(node, Scalar)
    if strings or node.style != "plain":
        return node.value
    if node.value in ("true", "false"):
        return node.value == "true"
    if node.value == "null":
        return None
    for number in (int, float):
        try:
            return number(node.value)
        except ValueError:
            pass
    return node.value
