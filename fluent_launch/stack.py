"""Room for work that recurses as deep as a config nests (includes in includes, YAML in YAML).

Python allows 1000 frames by default, and a config may nest deeper than that allows: Fluent
Bit follows 1000 included files, and libyaml reads collections nested thousands deep.
"""

from __future__ import annotations

import sys

from fluent_launch.records import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

# C stack to give each frame asked for: four times what the deepest YAML the reader takes
# needs under Python 3.9, where each call recurses in C (it fails below 300 bytes a frame;
# 3.11 and 3.13, whose Python calls take no C stack, run it on 128).
_STACK_PER_FRAME = 1024


def nested(call: Callable[[], T], frames: int) -> T:
    """call() with room for `frames` more Python frames than Python's default allows, on this
    thread: for a bound small enough for any main thread's stack (a few thousand frames)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, frames + 200))
    try:
        return call()
    finally:
        sys.setrecursionlimit(limit)


def deep(call: Callable[[], T], frames: int) -> T:
    """call() with room for `frames` Python frames, on a thread whose stack holds them: for a
    bound a main thread's stack may not hold (its size is the container's `ulimit -s`). Costs
    a thread, so only taken once call() has run out of frames the ordinary way."""
    import threading  # only here: no start-up cost of a launch

    outcome: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(nested(call, frames))
        except BaseException as error:  # raised again on the caller's thread
            failure.append(error)

    size = threading.stack_size(max(frames * _STACK_PER_FRAME, 1 << 20))
    try:
        thread = threading.Thread(target=run, name="fluent-launch-deep")
        thread.start()
    finally:
        threading.stack_size(size)
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
