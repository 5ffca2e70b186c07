"""Which values Fluent Bit takes for its core properties, judged by its own conversions.

Each check is a port of the C function Fluent Bit applies to the property in 1.9.10, 4.2.8
and 5.1.1 (named beside it). A value is refused only when that conversion refuses it in
every one of those versions that converts the property; where the versions' functions
differ, the value is taken if any of them takes it. Values are the bytes of the config line,
compared as C compares them: ASCII-only case folding and digits.
"""

from __future__ import annotations

from fluent_launch.sections import FILTER, INPUT, OUTPUT, SERVICE

# flb_utils_bool(): the only words it knows; anything else is -1.
_BOOLS = frozenset((b"true", b"on", b"yes", b"false", b"off", b"no"))
# flb_log_get_level_str() (plugins) and set_log_level() ([SERVICE]) know the same words.
_LOG_LEVELS = frozenset((b"off", b"error", b"warn", b"warning", b"info", b"debug", b"trace"))
# flb_input_set_property(), "storage.type".
_STORAGE_TYPES = frozenset((b"filesystem", b"memory", b"memrb"))
# flb_output_set_property(), "retry_limit": these words, else atoi() must be above 0.
_RETRY_WORDS = frozenset((b"no_limits", b"false", b"off", b"no_retries"))

_SPACE = b" \t\n\v\f\r"
_DIGITS = b"0123456789"
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1

BOOL_FORMS = "true, on, yes, false, off or no"
LOG_LEVEL_FORMS = "off, error, warn, warning, info, debug or trace"
SIZE_FORMS = "a number with an optional K, M or G suffix, optionally followed by B (50M, 1.5MB, 100000), or false"
RETRY_FORMS = "a number of retries of at least 1, False, no_limits or no_retries"


def is_bool(value: bytes) -> bool:
    return value.lower() in _BOOLS


def is_log_level(value: bytes) -> bool:
    return value.lower() in _LOG_LEVELS


def is_storage_type(value: bytes) -> bool:
    return value.lower() in _STORAGE_TYPES


def is_size(value: bytes) -> bool:
    """flb_utils_size_to_bytes() does not return -1 (1.9.10 reads the number with atoll(),
    4.2.8 and 5.1.1 with atof(), so `1.5M` is 1 MB to one and 1.5 MB to the others)."""
    return _size_to_bytes(value, False) != -1 or _size_to_bytes(value, True) != -1


def size(value: bytes) -> int | None:
    """The bytes a size stands for, the larger where the versions read it differently (1.9.10
    reads `1.5M` as 1 MB); None where Fluent Bit refuses it (or reads it as negative)."""
    read = max(_size_to_bytes(value, False), _size_to_bytes(value, True))
    return read if read >= 0 else None


def is_total_limit_size(value: bytes) -> bool:
    # flb_output_set_property(), "storage.total_limit_size": `off` or a false boolean means
    # no limit; anything else goes through flb_utils_size_to_bytes().
    return value.lower() in (b"off", b"false", b"no") or is_size(value)


def is_flush(value: bytes) -> bool:
    # flb_config_set_property() reads Flush with atof(); main() then stops at `flush <= 0`
    # (a NaN is not, so Fluent Bit takes it).
    return not _atof(value) <= 0


def retry_limit_applies(value: bytes) -> bool:
    """Whether Fluent Bit uses this Retry_Limit (or may: `${` is expanded first); it never
    refuses one, but replaces a value it cannot use by 1 retry with only a warning
    ("invalid retry_limit. set default.")."""
    return value.lower() in _RETRY_WORDS or _atoi(value) > 0 or b"${" in value


# The core properties checked, per section kind (keys lower-cased, as Fluent Bit matches
# them), each with its check and the forms Fluent Bit takes. Grace, Scheduler.Cap and
# Scheduler.Base are read with atoi() and Retry_Limit falls back to 1: Fluent Bit refuses no
# value of those, so they are only in CORE_KEYS, for the end-of-line comment warning.
CHECKS = {
    SERVICE: {
        b"flush": (is_flush, "a number of seconds above 0 (1, 0.5)"),
        b"log_level": (is_log_level, LOG_LEVEL_FORMS),
    },
    INPUT: {
        b"log_level": (is_log_level, LOG_LEVEL_FORMS),
        b"mem_buf_limit": (is_size, SIZE_FORMS),
        b"storage.type": (is_storage_type, "filesystem, memory or memrb"),
        b"storage.pause_on_chunks_overlimit": (is_bool, BOOL_FORMS),
        b"threaded": (is_bool, BOOL_FORMS),
    },
    FILTER: {
        b"log_level": (is_log_level, LOG_LEVEL_FORMS),
    },
    OUTPUT: {
        b"log_level": (is_log_level, LOG_LEVEL_FORMS),
        b"storage.total_limit_size": (is_total_limit_size, f"off or {SIZE_FORMS}"),
    },
}
CORE_KEYS = {
    SERVICE: frozenset((*CHECKS[SERVICE], b"grace", b"scheduler.cap", b"scheduler.base")),
    INPUT: frozenset(CHECKS[INPUT]),
    FILTER: frozenset(CHECKS[FILTER]),
    OUTPUT: frozenset((*CHECKS[OUTPUT], b"retry_limit")),
}


def refusal(kind: str, key: bytes, value: bytes) -> str | None:
    """Why Fluent Bit would refuse `key value` in a section of `kind`, naming the forms it
    takes; None when it takes it (or the key is none of the checked core properties)."""
    lowered = key.lower()
    if lowered not in CORE_KEYS.get(kind, ()) or b"${" in value:
        return None  # not ours to judge, or Fluent Bit expands it first
    if b" #" in value:
        return "classic values have no end-of-line comments, so ' #...' is part of the value; put comments on own lines"
    check = CHECKS[kind].get(lowered)
    if check is None or check[0](value):
        return None
    return f"Fluent Bit refuses this value; it takes {check[1]}"


# Limits whose value Fluent Bit may read otherwise than it shows: sizes (0 and a false
# boolean are no limit) and numbers read with atoi().
_SIZE_LIMITS = {INPUT: (b"mem_buf_limit",), OUTPUT: (b"storage.total_limit_size",)}
_INT_LIMITS = {SERVICE: (b"grace", b"scheduler.cap", b"scheduler.base")}


def reading(kind: str, key: bytes, value: bytes) -> str | None:
    """What Fluent Bit makes of a limit's value that it takes (see refusal) but reads otherwise
    than a person would: no limit at all, or another number; None for a plain value."""
    lowered = key.lower()
    if b"${" in value:
        return None
    if lowered in _SIZE_LIMITS.get(kind, ()):
        if lowered == b"storage.total_limit_size" and value.lower() in (b"off", b"no"):
            return _NO_LIMIT
        floating, whole = _size_to_bytes(value, True), _size_to_bytes(value, False)
        if floating == -1:
            # Refused by every version (an override) or warned about (a config value) already,
            # or by all but 1.9.10.
            return None if whole == -1 else f"Fluent Bit 4.2.8 and 5.1.1 refuse this; 1.9.10 reads it as {whole} bytes"
        if max(floating, whole) <= 0:
            return _NO_LIMIT
        if floating != whole:
            return f"Fluent Bit reads this as {floating} bytes, but 1.9.10 as {whole or 'no limit at all'}"
        number = value[: len(value) - _suffix_length(value)]
        if not (number.replace(b".", b"", 1).isdigit() and number[:1] != b"." and number[-1:] != b"."):
            return f"Fluent Bit reads this as {floating} bytes"
    elif lowered in _INT_LIMITS.get(kind, ()):
        read = _atoi(value)
        if value.strip(_SPACE) != str(read).encode():
            return f"Fluent Bit reads only the number this starts with, so this is {read}"
    return None


_NO_LIMIT = "Fluent Bit takes this as no limit at all"


def raises(kind: str, key: bytes, old: bytes, new: bytes) -> bool:
    """Whether `new` for the limit `key` is higher than the limit `old` it replaces (no limit
    being the highest); False for a key that is no size limit or a value that is no size."""
    if key.lower() not in _SIZE_LIMITS.get(kind, ()):
        return False
    before, after = _limit(old), _limit(new)
    return before is not None and before > 0 and (after == 0 or (after is not None and after > before))


def _limit(value: bytes) -> int | None:
    """A size limit in bytes as 4.2.8 and later read it, 0 for no limit; None if no size."""
    if value.lower() in (b"off", b"no"):
        return 0
    size = _size_to_bytes(value, True)
    return None if size == -1 or b"${" in value else max(size, 0)


def _suffix_length(size: bytes) -> int:
    """How many bytes at the end of `size` flb_utils_size_to_bytes() takes for its suffix."""
    length = 0
    for at in range(len(size) - 1, 0, -1):  # the first byte is never looked at
        if size[at] in _DIGITS:
            break
        length += 1
    return length


def _size_to_bytes(size: bytes, floating: bool) -> int:
    """A port of flb_utils_size_to_bytes(): 1.9.10's reads the number with atoll(), later
    ones (`floating`) with atof()."""
    if size.lower() == b"false":
        return 0
    if not size:
        return -1
    val: float = _atof(size) if floating else _atoll(size)
    plen = _suffix_length(size)
    if plen == 0:
        return _to_int64(val)
    if plen > 2:
        return -1
    suffix = size[len(size) - plen :].upper()
    if plen == 2 and suffix[1:2] != b"B":
        return -1
    # The bounds are (2**64 / unit) / 2, checked against the number before multiplying.
    for letter, unit, high, low in (
        (b"K", 1000, 9223372036854775, -9223372036854774),
        (b"M", 1000**2, 9223372036854, -9223372036853),
        (b"G", 1000**3, 9223372036, -9223372035),
    ):
        if suffix[:1] == letter:
            if val >= high or val <= low:
                return -1
            return _to_int64(val * unit)
    return -1


def _to_int64(val: float) -> int:
    """C's (int64_t) cast: truncation; x86-64 gives INT64_MIN for what does not fit (NaN too)."""
    if val != val or val in (float("inf"), float("-inf")):
        return _INT64_MIN
    truncated = int(val)
    return truncated if _INT64_MIN <= truncated <= _INT64_MAX else _INT64_MIN


def _digits_prefix(text: bytes, at: int, digits: bytes) -> int:
    while at < len(text) and text[at] in digits:
        at += 1
    return at


def _atoll(text: bytes) -> int:
    """atoll()/strtoll(): blanks, a sign, decimal digits; saturating at the int64 limits."""
    at = len(text) - len(text.lstrip(_SPACE))
    sign_end = at + 1 if text[at : at + 1] in (b"+", b"-") else at
    end = _digits_prefix(text, sign_end, _DIGITS)
    if end == sign_end:
        return 0
    return max(_INT64_MIN, min(_INT64_MAX, int(text[at:end])))


def _atoi(text: bytes) -> int:
    """atoi(): strtol() (64-bit long, saturating) cast to a 32-bit int."""
    value = _atoll(text) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _atof(text: bytes) -> float:
    """atof()/strtod() in the C locale: the longest prefix that is a number, else 0."""
    at = len(text) - len(text.lstrip(_SPACE))
    sign = -1.0 if text[at : at + 1] == b"-" else 1.0
    if text[at : at + 1] in (b"+", b"-"):
        at += 1
    rest = text[at:].lower()
    if rest.startswith(b"inf"):
        return sign * float("inf")
    if rest.startswith(b"nan"):
        return float("nan")
    if rest.startswith(b"0x"):
        hex_value = _hex_prefix(rest[2:])
        if hex_value is not None:
            return sign * hex_value
        return 0.0  # "0x" with no hex digits: strtod reads the "0"
    end = _mantissa_end(rest, _DIGITS)
    if end is None:
        return 0.0
    end = _exponent_end(rest, end, b"e")
    return sign * float(rest[:end].decode())  # past the double range it is inf, as in C


def _hex_prefix(rest: bytes) -> float | None:
    """The value of a hexadecimal float's digits after `0x` (strtod's C99 form), if any."""
    end = _mantissa_end(rest, _HEX_DIGITS)
    if end is None:
        return None
    exponent_end = _exponent_end(rest, end, b"p")
    exponent = int(rest[end + 1 : exponent_end]) if exponent_end > end else 0
    try:
        return float.fromhex(f"0x{rest[:end].decode()}p{exponent}")
    except OverflowError:
        return float("inf")


def _mantissa_end(rest: bytes, digits: bytes) -> int | None:
    """Where `digits`, a point and more `digits` end at the start of `rest`; None if no digit."""
    end = _digits_prefix(rest, 0, digits)
    count = end
    if rest[end : end + 1] == b".":
        after = _digits_prefix(rest, end + 1, digits)
        count += after - end - 1
        end = after
    return end if count else None


def _exponent_end(rest: bytes, end: int, marker: bytes) -> int:
    """Where an exponent (`marker`, a sign, decimal digits) at `end` ends; `end` if none."""
    if rest[end : end + 1] != marker:
        return end
    start = end + 1 + (rest[end + 1 : end + 2] in (b"+", b"-"))
    digits_end = _digits_prefix(rest, start, _DIGITS)
    return digits_end if digits_end > start else end
