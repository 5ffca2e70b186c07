"""`Record`: typing.NamedTuple for mypy, a plain collections.namedtuple at run time.

Importing `typing` (and the `re`, `contextlib` and `functools` it pulls in) took longer than
everything else the launcher does on a FireLens config, on the start-up path of every task.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy knows the name
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    from collections import namedtuple

    class _RecordType(type):
        """Turns `class X(Record): a: int` into namedtuple("X", ["a"]), docstring kept."""

        def __new__(cls, name, bases, namespace):
            if not bases:
                return super().__new__(cls, name, bases, namespace)
            record = namedtuple(name, list(namespace.get("__annotations__", {})), module=namespace["__module__"])
            record.__doc__ = namespace.get("__doc__") or record.__doc__
            return record

    class Record(metaclass=_RecordType):
        pass


__all__ = ["TYPE_CHECKING", "Record"]
