"""`Record`: typing.NamedTuple for mypy; at run time a small tuple class of the same shape.

Importing `typing` (and the `re`, `contextlib` and `functools` it pulls in), or even
`collections` for namedtuple, took longer than everything else the launcher does on a
FireLens config, on the start-up path of every task.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy knows the name
if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    from _operator import itemgetter

    class _RecordType(type):
        """Turns `class X(Record): a: int` into a tuple subclass with fields `a`, like namedtuple."""

        def __new__(cls, name, bases, namespace):
            if not bases:
                return super().__new__(cls, name, bases, namespace)
            fields = tuple(namespace.get("__annotations__", {}))

            def __new__(record, *values, **named):
                if named:
                    try:
                        values = (*values, *(named.pop(field) for field in fields[len(values) :]))
                    except KeyError as missing:
                        raise TypeError(f"{name} misses {missing}") from None
                if named or len(values) != len(fields):
                    raise TypeError(f"{name} takes the values {', '.join(fields)}, not {values!r} {named!r}")
                return tuple.__new__(record, values)

            def __repr__(self):
                return f"{name}({', '.join(f'{field}={value!r}' for field, value in zip(fields, self))})"

            body = {field: property(itemgetter(index)) for index, field in enumerate(fields)}
            body.update(__slots__=(), _fields=fields, __new__=__new__, __repr__=__repr__)
            body.update(__module__=namespace["__module__"], __doc__=namespace.get("__doc__"))
            return type.__new__(type, name, (tuple,), body)

    class Record(metaclass=_RecordType):
        pass


__all__ = ["TYPE_CHECKING", "Record"]
