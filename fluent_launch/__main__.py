"""The entry point of `python -m fluent_launch` and of the frozen binary."""

from __future__ import annotations

# Loaded by every Python before this runs: importing them costs a dict lookup.
import _frozen_importlib_external as external
import gc
import os
import sys
from _frozen_importlib import ModuleSpec

# Before the imports too (cli.main turns the collector off for the installed command, whose
# imports come before it): a collection while they unmarshal the launcher's code was a fifth
# of a millisecond of every start.
gc.disable()


class _BundleFinder:
    """Finds the launcher's own modules among the frozen bundle's .pyc files in one stat each.

    Otherwise each of the twenty-odd modules a start imports is looked for by the generic
    chain: the built-in and frozen importers, the path finder, PyInstaller's finder (written
    in Python, formatting its trace messages even when tracing is off), then Python's file
    finder trying every suffix; about a tenth of a millisecond a module on the development VM.
    """

    def __init__(self, root: str) -> None:
        self.root = root

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        # __future__ too: every module's `from __future__ import annotations` imports it.
        if not name.startswith("fluent_launch") and name != "__future__":
            return None
        base = self.root + name.replace(".", "/")
        for file, package in ((base + ".pyc", None), (base + "/__init__.pyc", [base])):
            try:
                os.stat(file)
            except OSError:
                continue
            loader = external.SourcelessFileLoader(name, file)
            return external.spec_from_file_location(name, file, loader=loader, submodule_search_locations=package)
        return None


if getattr(sys, "frozen", False):
    sys.meta_path.insert(0, _BundleFinder(sys._MEIPASS + "/"))  # type: ignore[attr-defined]

from fluent_launch.cli import main  # noqa: E402

sys.exit(main())
