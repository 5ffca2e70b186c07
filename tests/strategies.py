"""Hypothesis strategies for classic configs: valid ones, and noisy ones Fluent Bit may refuse."""

from __future__ import annotations

from hypothesis import strategies as st

from fluent_launch import edits

KINDS = ("input", "filter", "output", "service")
KEYS = (b"Name", b"Mem_Buf_Limit", b"mem_buf_limit", b"Tag", b"Match", b"Record", b"Flush", b"Retry_Limit")
HEADERS = (b"INPUT", b"inputs", b"IN", b"FILTER", b"OUTPUT", b"SERVICE", b"serv", b"PARSER", b"UNKNOWN", b"NODE")
# Value bytes: anything but the line break, high bytes included (configs need not be UTF-8).
_VALUE_BYTE = st.integers(0, 255).filter(lambda byte: byte not in b"\n\0")
_WORD = st.lists(_VALUE_BYTE, min_size=1, max_size=12).map(bytes).filter(lambda word: word.strip() != b"")


def _value() -> st.SearchStrategy[bytes]:
    return st.tuples(st.sampled_from([b"", b"  ", b"\t"]), _WORD, st.sampled_from([b"", b"   "])).map(b"".join)


@st.composite
def valid_configs(draw: st.DrawFn) -> bytes:
    """Configs Fluent Bit accepts: one indent throughout, entries only inside sections."""
    indent = draw(st.sampled_from([b"    ", b"  ", b"\t", b" ", b"\t\t"]))
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 6))):
        lines.extend(draw(st.lists(_loose_line(indent), max_size=2)))
        trailer = draw(st.sampled_from([b"", b" note", b"]"]))
        lines.append(b"[" + draw(st.sampled_from(HEADERS)) + b"]" + trailer)
        for _ in range(draw(st.integers(0, 5))):
            lines.append(indent + draw(st.sampled_from(KEYS)) + draw(st.sampled_from([b" ", b"   "])) + draw(_value()))
            lines.extend(draw(st.lists(_loose_line(indent), max_size=1)))
        if draw(st.booleans()):
            lines.append(indent + b"[GROUP " + draw(st.sampled_from([b"1", b"x"])) + b"]")
            for _ in range(draw(st.integers(1, 3))):
                lines.append(indent * 2 + draw(st.sampled_from(KEYS)) + b" " + draw(_value()))
    data = newline.join(lines)
    if draw(st.booleans()) and lines:
        data += newline
    return data


def _loose_line(indent: bytes) -> st.SearchStrategy[bytes]:
    return st.sampled_from(
        [b"", b"# comment", indent + b"# indented comment", indent, b"@SET a=${B}", b"@INCLUDE extra.conf"]
    )


@st.composite
def noisy_configs(draw: st.DrawFn) -> bytes:
    """Valid configs with arbitrary lines spliced in: Fluent Bit may well refuse them."""
    lines = draw(valid_configs()).split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        junk = draw(st.one_of(st.binary(max_size=20), st.sampled_from([b"[INPUT", b"    Name", b"\tTag x", b"@X"])))
        lines.insert(draw(st.integers(0, len(lines))), junk)
    return b"\n".join(lines)


@st.composite
def overrides(draw: st.DrawFn) -> edits.Overrides:
    collected: edits.Overrides = {}
    for _ in range(draw(st.integers(1, 5))):
        key = draw(st.sampled_from((*KEYS, b"Scheduler.Cap", b"storage.type")))
        value = draw(st.sampled_from([b"50M", b"False", b"filesystem", b"${VAR}", b"a b  c", b"\xff\xfe"]))
        collected.setdefault(draw(st.sampled_from(KINDS)), {})[key.lower()] = edits.Override(key, value)
    return collected
