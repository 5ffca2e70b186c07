"""What Fluent Bit's YAML reader makes of a file: its state machine (flb_cf_yaml.c) run over
the syntax tree, refusing what it refuses and finding the sections and plugins it reads."""

from __future__ import annotations

from itertools import chain

from fluent_launch import stack
from fluent_launch.errors import ConfigError
from fluent_launch.records import TYPE_CHECKING
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE
from fluent_launch.yaml.document import Plugin, YamlDocument
from fluent_launch.yaml.syntax import MAX_DEPTH, Mapping, Reader, Scalar, Sequence, end_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fluent_launch.yaml.syntax import Node

_PLUGIN_KINDS = {"inputs": INPUT, "filters": FILTER, "outputs": OUTPUT}
_LIST_SECTIONS = {
    "parsers": "parser",
    "multiline_parsers": "multiline_parser",
    "stream_processor": "stream_processor",
    "upstream_servers": "upstream_servers",
    "customs": "custom",
}
# The entries read as plugins (by PLUGIN_START), and the signals a `processors:` mapping takes.
_PLUGIN_STATES = frozenset((INPUT, FILTER, OUTPUT, "custom", "processor"))
_SIGNALS = frozenset(("logs", "metrics", "traces"))
# The key of a list section's entry that holds a list of groups (compared as written).
_GROUP_LISTS = {"multiline_parser": "rules", "upstream_servers": "nodes"}

# The reader's frames a level of nesting takes at most (an explicit key's value in a block
# mapping: _explicit_pair, value_after, _value_below, block_node, block_mapping), with room for
# the frames of the caller.
_FRAMES_PER_LEVEL = 6


def parse(data: bytes, path: str) -> YamlDocument:
    """Read a YAML config; raise ConfigError where Fluent Bit would refuse it, or where this
    reader cannot be sure to read it as Fluent Bit does."""
    try:
        return _parse(data, path)
    except RecursionError:
        # Each level of nesting is a few frames of this reader (and of the checks of the tree),
        # so a config nested a few hundred deep needs more than Python's default 1000.
        return stack.deep(lambda: _parse(data, path), _FRAMES_PER_LEVEL * MAX_DEPTH)


def _parse(data: bytes, path: str) -> YamlDocument:
    parser = Reader(data, path)
    doc = YamlDocument(path, data, parser.documents(), parser.data)
    doc.open_block = parser.open_block
    doc.tag_handles = parser.tag_handles
    doc.spanning = parser.spanning
    for root in doc.roots:
        _structure(doc, root)
    return doc


def _structure(doc: YamlDocument, root: Mapping) -> None:
    """Check the tree against Fluent Bit's reader (flb_cf_yaml.c) and find its sections. Where
    4.2.8 and 5.1.1 differ, what either version takes is taken: a config is never refused that
    one of them runs."""
    for key, value in root.pairs:
        name = key.value.lower()
        if name == "pipeline":
            kind = "pipeline"
            if not isinstance(value, Mapping):
                # PIPELINE takes a scalar for a category: a known one is read as such, and what
                # follows it is refused.
                known = isinstance(value, Scalar) and value.value.lower() in _PLUGIN_KINDS
                raise ConfigError(
                    doc.path,
                    _line_after(doc, value) if known else value.line,
                    "pipeline: must be a mapping of inputs, filters and outputs",
                )
            for category, plugins in value.pairs:
                plugin_kind = _PLUGIN_KINDS.get(category.value.lower())
                if plugin_kind is None:
                    raise _refuse(
                        doc, category, f"unknown pipeline category {category.value!r} (inputs, filters or outputs)"
                    )
                for plugin in _plugin_list(doc, plugins, category.value, plugin_kind):
                    doc.plugins.append(Plugin(plugin_kind, plugin))
        elif name in ("service", "env") or name not in ("includes", "plugins", *_LIST_SECTIONS):
            kind = SERVICE if name == "service" else ("env" if name == "env" else "other")
            if name == "service":
                if doc.service_key is not None:
                    raise _refuse(doc, key, "duplicated definition of 'service'")
                doc.service_key = key
            if kind == "env" and isinstance(value, Sequence):
                # 5.1.1's list of variables (`- name: X`, `value: ...`, `uri: ...`); 4.2.8 refuses it.
                for item in value.items:
                    if not isinstance(item, Mapping):
                        raise _refuse(doc, item, "env: a list of variables must hold mappings ('- name: ...')")
                    _check_scalars(doc, item, "env: a variable's values must be scalars, not a list or mapping")
            elif not isinstance(value, Mapping):
                raise _refuse(doc, value, f"{key.value}: must be a mapping of keys to values")
            elif kind == SERVICE:
                for _, item in value.pairs:
                    if isinstance(item, Sequence):  # 5.1.1 takes a mapping (of anything); 4.2.8 refuses it
                        raise _refuse(doc, item, "a value in service: must be a scalar or a mapping, not a list")
                doc.plugins.append(Plugin(SERVICE, value))
            elif name != "extensions":  # 5.1.1 takes any value there (4.2.8: an unknown section)
                _check_scalars(doc, value, f"a value in {key.value}: must be a scalar, not a list or mapping")
        elif name == "includes":
            kind = "includes"
            for item in _scalar_list(doc, value, key.value):
                doc.includes.append(item)
        elif name == "plugins":
            kind = "plugins"
            _scalar_list(doc, value, key.value)
        else:
            kind = _LIST_SECTIONS[name]
            _plugin_list(doc, value, key.value, kind)
        doc.sections.append((key, kind, value))


def _refuse(doc: YamlDocument, node: Node, message: str) -> ConfigError:
    return ConfigError(doc.path, node.line, message)


def _nested_list(doc: YamlDocument, node: Sequence, where: str) -> ConfigError:
    """Fluent Bit's list states let the start of a list inside the list go by: its items are read
    as the list's own, and its end ends the whole list, so the event after it is refused. (Were
    that event a scalar, the state above would take it as a key and stop later: not followed.)"""
    return ConfigError(
        doc.path, _line_after(doc, node), f"{where}: a list inside the list (line {node.line}) is not allowed"
    )


def _plugin_list(doc: YamlDocument, node: Node, where: str, kind: str) -> list[Mapping]:
    """The list's entries, checked as Fluent Bit's reader checks an entry of `kind` (a plugin
    kind, processor, a list section's kind, or group), refused where it refuses, in order."""
    if isinstance(node, Mapping):
        # Fluent Bit reads the mapping as one entry (the old `inputs: {tail: {...}}` layout)
        # and stops only at the event after it: the next key, or the end of the parent (where,
        # for a signal's processors or a list of groups, it names no line).
        _check_entry(doc, node, kind)
        raise ConfigError(
            doc.path,
            _line_after(doc, node),
            f"{where}: must be a list of mappings ('- name: ...'), not the mapping from line {node.line}",
        )
    if not isinstance(node, Sequence):
        raise _refuse(doc, node, f"{where}: must be a list of mappings ('- name: ...')")
    entries = []
    for item in node.items:
        if isinstance(item, Sequence):
            _plugin_list(doc, item, where, kind)
            raise _nested_list(doc, item, where)
        if not isinstance(item, Mapping):
            raise _refuse(doc, item, f"{where}: must be a list of mappings ('- name: ...'), and this item is not one")
        _check_entry(doc, item, kind)
        entries.append(item)
    return entries


def _scalar_list(doc: YamlDocument, node: Node, where: str) -> list[Scalar]:
    if not isinstance(node, Sequence):
        raise _refuse(doc, node, f"{where}: must be a list of values")
    scalars = []
    for item in node.items:
        if isinstance(item, Sequence):
            _scalar_list(doc, item, where)
            raise _nested_list(doc, item, where)
        if not isinstance(item, Scalar):
            raise _refuse(doc, item, f"{where}: must be a list of values, and this item is not one")
        scalars.append(item)
    return scalars


def _line_after(doc: YamlDocument, node: Node) -> int:
    """The line of the first token after `node`, where libyaml's next event starts; at the end
    of the file, the line after the last (libyaml ends the stream on a line of its own)."""
    data = doc.breaks
    line = data.count(b"\n", 0, node.end) + 1
    for text in data[node.end :].split(b"\n"):
        content = text.strip(b" \t\r")
        if content and content[:1] != b"#":
            return line
        line += 1
    return end_line(data)


def _check_entry(doc: YamlDocument, entry: Mapping, kind: str) -> None:
    """An entry of a list: a plugin or processor, a rule or upstream node (a group: scalars
    only), or a list section's entry (scalars, and its list of groups)."""
    if kind in _PLUGIN_STATES:
        _check_plugin(doc, entry, kind)
    elif kind == "group":
        _check_scalars(doc, entry, "a value of a rule or node must be a scalar, not a list or mapping")
    else:
        groups = _GROUP_LISTS.get(kind)
        for key, value in entry.pairs:
            if key.value == groups:
                _plugin_list(doc, value, key.value, "group")
            elif isinstance(value, Scalar):
                continue
            elif kind != "upstream_servers":
                raise _refuse(doc, value, f"{key.value}: {kind} settings must be scalars, not lists or mappings")
            else:
                line = _lost_line(doc, value)
                hint = "Fluent Bit loses its place there and stops here" if line else "Fluent Bit would hang on it"
                raise ConfigError(
                    doc.path,
                    line or value.line,
                    f"{key.value}: upstream server settings must be scalars, not the one on line {value.line} ({hint})",
                )


def _lost_line(doc: YamlDocument, value: Node) -> int | None:
    """Where Fluent Bit stops after an upstream server's value that is no scalar, or None where it
    loops for ever. UPSTREAM_SERVER_VALUE lets every event but a scalar go by, and UPSTREAM_SERVER
    takes a scalar as a key: from there on the scalars alternate as keys and values, and the first
    other event met where a key is expected is refused (a mapping's end never is: its pairs
    leave the states as they found them)."""
    events = chain.from_iterable(map(_events, doc.roots))
    for node, _ in events:
        if node is value:
            break
    key_expected = False
    for node, end in events:
        if isinstance(node, Scalar):
            key_expected = not key_expected
        elif key_expected:
            if not end:
                return node.line
            # a flow collection ends at its bracket, a block one at the token after it
            return doc.breaks.count(b"\n", 0, node.end - 1) + 1 if node.flow else _line_after(doc, node)
    return None


def _events(node: Node) -> Iterator[tuple[Node, bool]]:
    """libyaml's events for the node, in order: (node, False) for a scalar or a collection's start,
    (collection, True) for its end."""
    yield node, False
    if isinstance(node, Scalar):
        return
    if isinstance(node, Mapping):
        for key, value in node.pairs:
            yield key, False
            yield from _events(value)
    else:
        for item in node.items:
            yield from _events(item)
    yield node, True


def _check_scalars(doc: YamlDocument, mapping: Mapping, message: str) -> None:
    for _, item in mapping.pairs:
        if not isinstance(item, Scalar):
            raise _refuse(doc, item, message)


def _check_plugin(doc: YamlDocument, plugin: Mapping, kind: str) -> None:
    """A plugin's values, as PLUGIN_VAL takes them (keys compared as written): scalars, lists of
    scalars, mappings of scalars (groups); a `processors:` mapping holds lists of processors by
    signal; `processors`, `routes` and any value of a processor may otherwise hold anything."""
    if plugin.simple:
        return
    for key, value in plugin.pairs:
        if isinstance(value, Scalar):
            continue
        if isinstance(value, Mapping) and key.value == "processors":
            for signal, processors in value.pairs:
                if signal.value.lower() not in _SIGNALS:
                    raise _refuse(doc, signal, f"unknown processor {signal.value!r} (logs, metrics or traces)")
                _plugin_list(doc, processors, signal.value, "processor")
        elif kind == "processor" or key.value in ("processors", "routes"):
            continue
        elif isinstance(value, Sequence):
            for item in value.items:
                if not isinstance(item, Scalar):
                    raise _refuse(doc, item, f"{key.value}: a list of values may hold only scalars")
        elif kind != INPUT or key.value != "telemetry":  # 5.1.1 takes an input's telemetry mapping whole
            _check_scalars(doc, value, f"{key.value}: a nested mapping may hold only scalars")
