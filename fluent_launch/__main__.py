"""The entry point of `python -m fluent_launch` and of the frozen binary."""

# No `from __future__ import annotations` here: __future__ is one of the packed modules, and this
# module is what loads them; the annotations that need it are strings.
import gc
import marshal
import os
import sys

# Loaded by every Python before this runs: importing it costs a dict lookup.
from _frozen_importlib import ModuleSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy knows the name
if TYPE_CHECKING:
    from types import ModuleType

# Before the imports too (cli.main turns the collector off for the installed command, whose
# imports come before it): a collection while they unmarshal the launcher's code was a fifth
# of a millisecond of every start.
gc.disable()


class _PackedModules:
    """The launcher's own modules from the one file build/modules.py packs them into, each read
    with one pread (see there for the file and for what it saves every start)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd  # close-on-exec: Fluent Bit does not inherit it
        head = os.pread(fd, 8, 0)
        self.base = 8 + int.from_bytes(head[4:], "little")
        self.index: dict[str, tuple[bool, int, int]] = marshal.loads(os.pread(fd, self.base - 8, 8))

    def find_spec(self, name: str, path: object = None, target: object = None) -> "ModuleSpec | None":
        found = self.index.get(name)
        # (A loader by its methods: importlib.abc's class would be one import more.)
        return None if found is None else ModuleSpec(name, self, is_package=found[0])  # type: ignore[arg-type]

    def create_module(self, spec: ModuleSpec) -> None:
        return None  # the usual module object

    def exec_module(self, module: "ModuleType") -> None:
        _, offset, length = self.index[module.__name__]
        exec(marshal.loads(os.pread(self.fd, length, self.base + offset)), module.__dict__)


if getattr(sys, "frozen", False):
    sys.meta_path.insert(
        0,
        _PackedModules(os.open(sys._MEIPASS + "/fluent_launch.modules", os.O_RDONLY | os.O_CLOEXEC)),  # type: ignore[attr-defined]
    )

from fluent_launch.cli import main  # noqa: E402

sys.exit(main())
