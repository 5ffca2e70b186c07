"""The core property checks against the behaviour of Fluent Bit's own C conversion functions."""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fluent_launch import values
from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE

LIBC = ctypes.CDLL(ctypes.util.find_library("c"))
LIBC.atof.restype = ctypes.c_double
LIBC.atof.argtypes = [ctypes.c_char_p]
LIBC.atoll.restype = ctypes.c_longlong
LIBC.atoll.argtypes = [ctypes.c_char_p]
LIBC.atoi.restype = ctypes.c_int
LIBC.atoi.argtypes = [ctypes.c_char_p]

# Bytes a config value may hold (no NUL, CR or LF), weighted towards what numbers are made of.
NUMBERISH = st.text("0123456789+-.eEpPxXaAfFiInNtTyY( )KkMmGgBb#\t", max_size=14).map(str.encode)
VALUE_BYTES = st.binary(max_size=12).map(lambda data: data.replace(b"\0", b"").replace(b"\n", b"").replace(b"\r", b""))


@given(st.one_of(NUMBERISH, VALUE_BYTES))
@example(b"0x1p-1074")
@example(b"1e400")
@example(b"-nan(abc)")
@example(b"0x.")
@example(b"  +.5e")
def test_atof_is_the_c_librarys(text: bytes) -> None:
    ours, theirs = values._atof(text), LIBC.atof(text)
    assert ours == theirs or (math.isnan(ours) and math.isnan(theirs)), text


@given(st.one_of(NUMBERISH, VALUE_BYTES, st.integers(-(2**70), 2**70).map(lambda n: str(n).encode())))
def test_atoll_and_atoi_are_the_c_librarys(text: bytes) -> None:
    assert values._atoll(text) == LIBC.atoll(text), text
    assert values._atoi(text) == LIBC.atoi(text), text


# flb_utils_size_to_bytes() (src/flb_utils.c): the verdict of 1.9.10 (atoll) / 4.2.8 and 5.1.1 (atof).
@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (b"50M", True),
        (b"50MB", True),
        (b"50mb", True),
        (b"25MB", True),
        (b"1.5M", True),  # 1 MB to 1.9.10, 1.5 MB to the others
        (b"100000", True),
        (b"5G", True),
        (b"64k", True),
        (b"false", True),  # 0
        (b"FALSE", True),
        (b"M", True),  # one byte: never looked at for a suffix, atof gives 0
        (b"xKB", True),  # atof("xKB") is 0: 0 KB
        (b"-5M", True),  # negative, but not -1: the caller casts it to size_t
        (b"-1", False),  # -1 is the error value itself
        (b"-1.5", False),  # (int64_t)-1.5 is -1 to 4.2.8, and atoll gives -1 to 1.9.10
        (b"50 M", False),  # two suffix bytes, the second not B
        (b"50 MB", False),  # three suffix bytes
        (b"50MiB", False),
        (b"50T", False),
        (b"50KBB", False),
        (b"abc", False),
        (b"", False),
        (b"50M # note", False),
        (b"9223372036M", True),
        (b"9223372036854M", False),  # over the bound (2**64 / MB) / 2 in both
        (b"9223372036G", False),
        (b"1e30K", True),  # atoll reads 1: 1.9.10 takes it; atof's 1e30 is over the bound
    ],
)
def test_sizes(value: bytes, accepted: bool) -> None:
    assert values.is_size(value) is accepted
    assert (values.refusal(INPUT, b"Mem_Buf_Limit", value) is None) is accepted


@given(st.integers(0, 9223372035), st.sampled_from(["", "k", "K", "kb", "KB", "m", "M", "mb", "MB", "g", "G", "Gb"]))
def test_every_in_range_size_with_a_unit_is_accepted(number: int, unit: str) -> None:
    assert values.is_size(f"{number}{unit}".encode())


@pytest.mark.parametrize(
    ("value", "accepted"),
    # flb_output_set_property(), storage.total_limit_size: off / a false boolean, else a size.
    [(b"off", True), (b"Off", True), (b"no", True), (b"false", True), (b"5G", True), (b"on", False), (b"5 G", False)],
)
def test_total_limit_size(value: bytes, accepted: bool) -> None:
    assert (values.refusal(OUTPUT, b"storage.total_limit_size", value) is None) is accepted


@pytest.mark.parametrize(
    ("value", "accepted"),
    # flb_utils_bool(): strcasecmp against six words.
    [(b"On", True), (b"off", True), (b"TRUE", True), (b"no", True), (b"Yes", True), (b"1", False), (b"Off ", False)],
)
def test_booleans(value: bytes, accepted: bool) -> None:
    for key in (b"storage.pause_on_chunks_overlimit", b"Threaded"):
        assert (values.refusal(INPUT, key, value) is None) is accepted


@pytest.mark.parametrize(
    ("value", "accepted"),
    # flb_config_set_property() reads Flush with atof(); main() refuses flush <= 0.
    [
        (b"1", True),
        (b"0.5", True),
        (b"5s", True),
        (b"1e-3", True),
        (b"0x10", True),
        (b"inf", True),
        (b"nan", True),  # NaN <= 0 is false
        (b"0", False),
        (b"-1", False),
        (b"abc", False),
        (b".", False),
    ],
)
def test_flush(value: bytes, accepted: bool) -> None:
    assert (values.refusal(SERVICE, b"Flush", value) is None) is accepted


@pytest.mark.parametrize("kind", [SERVICE, INPUT, FILTER, OUTPUT])
@pytest.mark.parametrize(
    ("value", "accepted"),
    # flb_log_get_level_str() (plugins) and set_log_level() ([SERVICE]).
    [(b"info", True), (b"WARNING", True), (b"warn", True), (b"off", True), (b"trace", True), (b"verbose", False)],
)
def test_log_levels(kind: str, value: bytes, accepted: bool) -> None:
    assert (values.refusal(kind, b"Log_Level", value) is None) is accepted


@pytest.mark.parametrize(
    ("value", "accepted"), [(b"filesystem", True), (b"Memory", True), (b"memrb", True), (b"disk", False)]
)
def test_storage_type(value: bytes, accepted: bool) -> None:
    assert (values.refusal(INPUT, b"storage.type", value) is None) is accepted


@pytest.mark.parametrize(
    ("value", "applies"),
    # flb_output_set_property(), retry_limit: the words, else atoi() > 0 (else 1, with a warning).
    [
        (b"False", True),
        (b"no_limits", True),
        (b"OFF", True),
        (b"no_retries", True),
        (b"5", True),
        (b"3 tries", True),
        (b"0", False),
        (b"-1", False),
        (b"Flase", False),
        (b"unlimited", False),
    ],
)
def test_retry_limit_is_never_refused_but_may_not_apply(value: bytes, applies: bool) -> None:
    assert values.refusal(OUTPUT, b"Retry_Limit", value) is None
    assert values.retry_limit_applies(value) is applies


@pytest.mark.parametrize("key", [b"Grace", b"Scheduler.Cap", b"Scheduler.Base"])
def test_atoi_properties_take_anything_but_a_comment(key: bytes) -> None:
    # flb_config_set_property(): FLB_CONF_TYPE_INT, atoi() of whatever is there.
    assert values.refusal(SERVICE, key, b"sixty") is None
    assert values.refusal(SERVICE, key, b"60 # seconds") is not None


def test_environment_references_and_unknown_keys_are_left_to_fluent_bit() -> None:
    assert values.refusal(INPUT, b"Mem_Buf_Limit", b"${LIMIT}") is None
    assert values.refusal(INPUT, b"Mem_Buf_Limit", b"${LIMIT} # x") is None
    assert values.refusal(INPUT, b"Buffer_Chunk_Size", b"50 MB") is None
    assert values.refusal(OUTPUT, b"Mem_Buf_Limit", b"50 MB") is None  # not an output property
    assert values.refusal("parser", b"Log_Level", b"verbose") is None


def test_a_comment_is_named_as_such() -> None:
    refused = values.refusal(INPUT, b"storage.pause_on_chunks_overlimit", b"Off # note")
    assert refused is not None and "no end-of-line comments" in refused


@pytest.mark.parametrize(
    ("old", "new", "raised"),
    [
        (b"25MB", b"50M", True),
        (b"25MB", b"false", True),  # no limit is the highest
        (b"25MB", b"0", True),
        (b"50M", b"25MB", False),
        (b"50MB", b"50M", False),
        (b"0", b"50M", False),  # there was no limit to raise
        (b"${LIMIT}", b"50M", False),  # only Fluent Bit knows it
        (b"25MB", b"1e30K", False),  # no size to 4.2.8 and 5.1.1
    ],
)
def test_an_override_raises_a_size_limit(old: bytes, new: bytes, raised: bool) -> None:
    assert values.raises(INPUT, b"Mem_Buf_Limit", old, new) is raised
    assert values.raises(OUTPUT, b"storage.total_limit_size", old, new) is raised
    assert not values.raises(OUTPUT, b"Retry_Limit", old, new)
