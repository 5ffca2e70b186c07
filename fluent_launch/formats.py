"""The config format, chosen by the file name as Fluent Bit chooses it, and its edit.

The CLI calls `edit_config` and never learns which format it handled. The YAML reader is
imported only for a YAML file, so that a classic launch never pays for it.
"""

from __future__ import annotations

from fluent_launch import classic, edit, includes
from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from fluent_launch.yaml_config import YamlDocument


def is_yaml(path: str) -> bool:
    # Fluent Bit looks at what follows the path's last '.', as strrchr() finds it.
    return path.rpartition(".")[2].lower() in ("yaml", "yml") and "." in path


def edit_config(path: str, data: bytes, overrides: edit.Overrides, inline_includes: bool) -> edit.Result:
    """The config at `path` (its bytes `data`), ready to be written elsewhere, with the
    overrides applied."""
    if not is_yaml(path):
        return edit.apply(includes.prepare(classic.parse(data, path), inline_includes), overrides)
    import gc

    from fluent_launch import yaml_edit

    # A YAML document is a tree with an object per key and value and no cycles: collecting
    # garbage while it is built and edited would cost more than the work (quadratic on 100k
    # plugins), and the process ends in an exec.
    gc.disable()
    try:
        doc, service_elsewhere = prepare_yaml(path, data, inline_includes)
        return yaml_edit.apply(doc, overrides, service_elsewhere)
    finally:
        gc.enable()


def prepare_yaml(path: str, data: bytes, inline_includes: bool) -> tuple[YamlDocument, YamlDocument | None]:
    """The YAML document to edit (includes inlined if asked, paths made absolute), and the
    included file that holds the only `service:`, if one does."""
    from fluent_launch import yaml_config, yaml_includes

    doc = yaml_config.parse(data, path)
    loaded = yaml_includes.Loaded(doc)
    if inline_includes and loaded.docs[doc]:
        doc = yaml_config.parse(yaml_includes.inline(loaded), path)
        loaded = yaml_includes.Loaded(doc)
    service_elsewhere = loaded.service if loaded.service is not doc else None
    relocated = yaml_includes.relocate(doc)
    return (doc if relocated is doc.data else yaml_config.parse(relocated, path)), service_elsewhere
