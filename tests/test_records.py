"""records.Record behaves as the NamedTuple mypy checks it as."""

from __future__ import annotations

import pytest

from fluent_launch.records import Record


class Point(Record):
    """A point."""

    x: int
    y: int


def test_a_record_is_a_tuple_with_named_fields() -> None:
    point = Point(1, 2)
    assert (point.x, point.y, tuple(point), point) == (1, 2, (1, 2), (1, 2))
    assert Point(y=2, x=1) == Point(1, y=2) == point and hash(point) == hash((1, 2))
    assert repr(point) == "Point(x=1, y=2)" and Point.__doc__ == "A point."
    first, second = point
    assert (first, second) == (1, 2)


@pytest.mark.parametrize(("args", "named"), [((1,), {}), ((1, 2, 3), {}), ((1,), {"z": 2}), ((), {"x": 1})])
def test_wrong_values_are_refused(args: tuple[int, ...], named: dict[str, int]) -> None:
    with pytest.raises(TypeError):
        Point(*args, **named)
