"""`--memory-budget`: the buffer limits that keep Fluent Bit's RSS within one number.

Fluent Bit's memory through an output outage is its own baseline plus a multiple of what
its buffers hold: every memory input up to its `Mem_Buf_Limit` (and one append past it,
checked only before appending), every `rewrite_tag`/`multiline` emitter up to its own
limit, and the filesystem inputs' chunks kept in memory, up to `storage.max_chunks_up`. The
rule below is that sum; its constants come from bench/outage.py's runs (every input flooded
through an outage, three budgets, memory and filesystem mode), recorded in
bench/results/memory-budget.md, taking the worst of Fluent Bit 1.9.10, 4.2.8 and 5.1.1 since
the launcher cannot know which one it starts. docs/memory-budget.md explains each.
"""

from __future__ import annotations

from fluent_launch import diagnose
from fluent_launch.records import TYPE_CHECKING, Record
from fluent_launch.sections import FILTER, INPUT, SERVICE

if TYPE_CHECKING:
    from fluent_launch.edits import Overrides
    from fluent_launch.sections import Buffer

# The rule's constants (bytes unless said), fitted to the calibration runs of bench/outage.py
# --budgets (bench/results/memory-budget.md: Fluent Bit 1.9.10, 4.2.8 and 5.1.1, the FireLens
# config's three inputs all flooded through a 20 s outage, limits from a first rule), each the
# worst version's figure rounded up, so that every measured peak stays 5-20% below the rule.
# Fluent Bit's own RSS: 9.4 (1.9.10), ~10.5 (4.2.8) and 12.4 MiB (5.1.1) at start; the
# filesystem runs' RSS less their chunks comes to 13.9 MiB at the most (5.1.1, 48M).
BASELINE = 14 << 20
# RSS per byte of memory buffer limits, as a fraction: from the 96M to the 256M runs the
# peaks grew by 1.00 MiB per MiB of the limits' sum on 4.2.8, by 1.18 on 1.9.10 and 5.1.1.
GROWTH = (5, 4)
# What a memory buffer holds past its limit (checked only before an append; in_forward's
# connection buffer, a chunk being filled): the memory runs' RSS less the limits' sum came
# to 19.4-19.8 MiB with 48M and 96M, 2.4 MiB per input above the baseline.
OVERSHOOT = 2 << 20
# RSS per chunk kept up by filesystem buffers (storage.max_chunks_up): 2.04 MiB a chunk on
# 4.2.8 and 5.1.1 (a chunk is at most 2048000 bytes, FLB_INPUT_CHUNK_FS_MAX_SIZE, mapped).
CHUNK_UP = 5 << 19
# The least a memory buffer is given: below this a forward input pauses after each message.
SMALLEST_LIMIT = 1_000_000
# The fewest chunks kept up: Fluent Bit needs one to append to and one in flight.
SMALLEST_CHUNKS_UP = 2
# Fluent Bit's defaults, for what the launcher leaves alone.
DEFAULT_EMITTER_LIMIT = 10_000_000  # Emitter_Mem_Buf_Limit of rewrite_tag and multiline
DEFAULT_CHUNKS_UP = 128  # storage.max_chunks_up


class Need(Record):
    """What the budget must cover, counted from the edited config."""

    free: int  # memory buffers the budget sets (reached, no explicit limit)
    fixed: list[int]  # limits it cannot change (explicit `-i Mem_Buf_Limit`, unreached files)
    filesystem: int  # filesystem buffers the budget bounds through storage.max_chunks_up
    chunks_up: int | None  # an explicit `-s storage.max_chunks_up`, which the budget keeps


class Plan(Record):
    limit: int  # each free memory buffer's limit (0 if there is none)
    chunks_up: int | None  # storage.max_chunks_up to set (None: no filesystem buffer, or explicit)
    worst: int  # the rule's worst case for the whole config with these limits


def _memory_cost(limit: int) -> int:
    return (limit + OVERSHOOT) * GROWTH[0] // GROWTH[1] + 1


def worst_case(limits: list[int], filesystem: int, chunks_up: int) -> int:
    """The rule: the most RSS Fluent Bit reaches with memory buffers of these limits and, if
    there are filesystem buffers, `chunks_up` chunks kept in memory."""
    return BASELINE + sum(map(_memory_cost, limits)) + (chunks_up * CHUNK_UP if filesystem else 0)


def smallest(need: Need) -> int:
    """The smallest budget that holds Fluent Bit's baseline and what the budget sets at its least."""
    chunks = SMALLEST_CHUNKS_UP if need.filesystem and need.chunks_up is None else 0
    return worst_case([SMALLEST_LIMIT] * need.free, need.filesystem, chunks)


def plan(budget: int, need: Need) -> Plan:
    """The limits for `budget` (at least smallest(need)): what is left after the fixed limits,
    shared by buffer, filesystem ones taking their share in whole chunks first."""
    fixed_chunks = need.chunks_up or 0
    left = (
        budget
        - worst_case(need.fixed, need.filesystem, fixed_chunks)
        - sum(map(_memory_cost, [SMALLEST_LIMIT] * need.free))
    )
    chunks_up = None
    if need.filesystem and need.chunks_up is None:
        share = (budget - worst_case(need.fixed, 0, 0)) * need.filesystem // (need.filesystem + need.free)
        # No more than leaves every memory buffer its least, no fewer chunks than the least. The
        # share is kept whole, its part short of a chunk unused: given to the memory buffers, a
        # larger budget that makes one more chunk would leave them less (monotone in the budget).
        reserved = max(SMALLEST_CHUNKS_UP * CHUNK_UP, min(share, left))
        chunks_up = reserved // CHUNK_UP
        left -= reserved
    limit = 0
    if need.free:
        # The largest limit whose cost, for each free buffer, fits in what is left.
        each = _memory_cost(SMALLEST_LIMIT) + max(left, 0) // need.free
        limit = max(SMALLEST_LIMIT, (each - 1) * GROWTH[1] // GROWTH[0] - OVERSHOOT)
    worst = worst_case([*need.fixed, *[limit] * need.free], need.filesystem, chunks_up or fixed_chunks)
    return Plan(limit, chunks_up, worst)


def needs(found: list[Buffer], overrides: Overrides, settable: bool) -> tuple[Need, list[Buffer]]:
    """What the buffers need of a budget, and (with `settable`) the memory buffers whose
    limit it sets: those the edit reaches that no `-i Mem_Buf_Limit` (`-f
    Emitter_Mem_Buf_Limit`) sets. Inputs without any bound are left out (they are warned
    about: no budget holds them)."""
    explicit = {
        INPUT: b"mem_buf_limit" in overrides.get(INPUT, {}),
        FILTER: b"emitter_mem_buf_limit" in overrides.get(FILTER, {}),
    }
    free: list[Buffer] = []
    fixed = []
    filesystem = 0
    for buffer in found:
        limit, on_disk = diagnose.effective(buffer, overrides)
        if on_disk:
            filesystem += 1
        elif settable and buffer.reached and not explicit[buffer.kind]:
            free.append(buffer)
        else:
            size = diagnose.limit_bytes(limit)
            if size is None and buffer.kind == FILTER:
                size = DEFAULT_EMITTER_LIMIT
            if size is not None:
                fixed.append(size)
    chunks = overrides.get(SERVICE, {}).get(b"storage.max_chunks_up")
    chunks_up = int(chunks.value) if chunks is not None and chunks.value.isdigit() else None
    return Need(len(free), fixed, filesystem, chunks_up), free
