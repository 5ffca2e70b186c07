"""The checks both fuzzing harnesses make of an accepted config, whatever its format."""

from __future__ import annotations

from typing import Any, Callable

from fluent_launch import cli, edits
from fluent_launch.errors import ConfigError


def override_sets(*command_lines: list[str]) -> list[edits.Overrides]:
    """The overrides of each command line, taken as the command line takes them."""
    sets = []
    for args in command_lines:
        options = cli.parse_args(args)
        assert not isinstance(options, str)
        sets.append(options.overrides)
    return sets


def check_edit(
    data: bytes,
    doc: Any,
    parse: Callable[[bytes, str], Any],
    apply: Callable[[Any, edits.Overrides], edits.Result],
    override_sets: list[edits.Overrides],
) -> None:
    """Unedited, `doc` renders to `data`; edited, it is accepted again and a second edit changes nothing."""
    if apply(doc, {}).data != data:
        raise AssertionError("an unedited document does not render back to its input")
    overrides = override_sets[len(data) % len(override_sets)]
    try:
        once = apply(doc, overrides).data
    except ConfigError:
        return  # an edit that cannot be made in this file, said as such
    try:
        again = parse(once, "fuzz")
    except ConfigError as error:
        raise AssertionError(f"the edited config is refused: {error}") from None
    if apply(again, overrides).data != once:
        raise AssertionError("editing the edited config again changed it")
