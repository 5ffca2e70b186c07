"""Properties of parse -> apply on generated configs: exact edits, idempotent, nothing else touched."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fluent_launch import edits
from fluent_launch.classic import edit
from fluent_launch.classic import parse as classic
from fluent_launch.classic.document import Document
from fluent_launch.edits import render
from fluent_launch.errors import ConfigError
from fluent_launch.sections import SERVICE
from tests import strategies, view
from tests.view import expected_sections


def _without_overridden_entries(doc: Document, overrides: edits.Overrides, created: bool = False) -> bytes:
    spans = [
        (entry.start, entry.end, b"")
        for section in doc.sections
        for entry in section.entries
        if entry.key in overrides.get(section.kind, {})
    ]
    if created:  # and the created [SERVICE] header, with the blank line put before it
        (service,) = [section for section in doc.sections if section.kind == SERVICE]
        spans.append((max(0, service.start - len(doc.newline)), service.header_end, b""))
    return render(doc.data, sorted(spans))


def check_edit(data: bytes, overrides: edits.Overrides) -> None:
    before = classic.parse(data, "in.conf")
    result = edit.apply(before, overrides)
    out = result.data
    after = classic.parse(out, "out.conf")  # never makes an accepted config refused

    assert view.sections(after) == expected_sections(view.sections(before), overrides)
    assert view.metas(after) == view.metas(before)
    assert edit.apply(after, overrides).data == out  # idempotent

    # Outside the overridden keys' lines (and a created [SERVICE]) not a byte changed.
    kept_before = _without_overridden_entries(before, overrides)
    created = SERVICE in result.kinds and result.kinds[SERVICE].created
    kept_after = _without_overridden_entries(after, overrides, created)
    assert kept_after.rstrip(b"\r\n") == kept_before.rstrip(b"\r\n")


@settings(max_examples=400)
@given(strategies.valid_configs(), strategies.overrides())
def test_valid_configs_are_accepted_and_edited_exactly(data: bytes, overrides: edits.Overrides) -> None:
    check_edit(data, overrides)


@settings(max_examples=400)
@given(strategies.noisy_configs(), strategies.overrides())
def test_noisy_configs_are_refused_cleanly_or_edited_exactly(data: bytes, overrides: edits.Overrides) -> None:
    try:
        classic.parse(data, "in.conf")
    except ConfigError as error:
        assert 1 <= error.line <= data.count(b"\n") + 1
        return
    check_edit(data, overrides)


@settings(max_examples=300)
@given(st.binary(max_size=300), strategies.overrides())
def test_arbitrary_bytes_never_crash(data: bytes, overrides: edits.Overrides) -> None:
    try:
        doc = classic.parse(data, "in.conf")
    except ConfigError:
        return
    assert edit.apply(doc, {}).data == data
    try:
        edit.apply(doc, overrides)
    except ConfigError as error:
        # An edit Fluent Bit would refuse (a file whose indent is '@' can hold no new entry)
        # is refused instead, naming a line of the file.
        assert 1 <= error.line <= data.count(b"\n") + 1
        return
    check_edit(data, overrides)


@given(strategies.valid_configs(), st.sampled_from([b"    ", b"  ", b"\t", b" \t"]))
def test_reindent_keeps_fluent_bits_view(data: bytes, indent: bytes) -> None:
    doc = classic.parse(data, "in.conf")
    if doc.indent is None:
        return
    moved = classic.parse(classic.reindent(data, "in.conf", doc.indent, indent), "in.conf")
    assert (view.sections(moved), view.metas(moved), moved.indent) == (view.sections(doc), view.metas(doc), indent)
