"""`--memory-budget auto`: the memory limit of the container the launcher runs in.

Imported only for that option: nothing here is read on a launch without it. The cgroup's
limit first (v2 `memory.max`, v1 `memory.limit_in_bytes`, of this process's cgroup or the
lowest ancestor this namespace shows), then the ECS task metadata endpoint v4: the
container's `Limits.Memory`, then the task's (both in MiB; Fargate always sets the task's).
"""

from __future__ import annotations

import json
import os

from fluent_launch.diagnose import read_limit
from fluent_launch.records import TYPE_CHECKING, Record

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

MIB = 1 << 20
# Each metadata request gives up after this many seconds: the endpoint answers at once on
# ECS, and a launcher that waited long would hold the task's start.
METADATA_TIMEOUT = 1.0
METADATA_VARIABLE = "ECS_CONTAINER_METADATA_URI_V4"
_ANSWER_LIMIT = 1 << 20  # bytes of a metadata answer read: the documented ones are a few KiB


class Limit(Record):
    size: int  # bytes
    source: str  # where it came from, for the summary line


def discover(
    root: str = "/", environ: Mapping[str, str] = os.environ, timeout: float = METADATA_TIMEOUT
) -> Limit | None:
    """The container's memory limit, or None if neither the cgroup nor ECS sets one.
    `root` is where /proc and /sys are (tests lay out trees like each cgroup version)."""
    return cgroup_limit(root) or ecs_limit(environ.get(METADATA_VARIABLE, ""), timeout)


def cgroup_limit(root: str) -> Limit | None:
    try:
        with open(os.path.join(root, "proc/self/cgroup"), encoding="utf-8", errors="replace") as memberships:
            lines = memberships.read().splitlines()
    except OSError:
        return None
    for line in lines:
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and not controllers:
            where, name, version = "sys/fs/cgroup", "memory.max", "v2"
        elif "memory" in controllers.split(","):
            where, name, version = "sys/fs/cgroup/memory", "memory.limit_in_bytes", "v1"
        else:
            continue
        sizes = [size for size in map(read_limit, _candidates(os.path.join(root, where), path, name)) if size]
        if sizes:
            return Limit(min(sizes), f"cgroup {version} {name}")
    return None


def _candidates(mount: str, path: str, name: str) -> Iterator[str]:
    """The limit files of the cgroup at `path` and of its ancestors up to the mount (a cgroup
    is held to the least of them; inside a container's namespace only the mount is there)."""
    parts = [part for part in path.split("/") if part and part not in (".", "..")]
    for depth in range(len(parts), -1, -1):
        yield os.path.join(mount, *parts[:depth], name)


def ecs_limit(base: str, timeout: float) -> Limit | None:
    if not base:
        return None
    for suffix, whose in (("", "container"), ("/task", "task")):
        answer = _metadata(base.rstrip("/") + suffix, timeout)
        limits = answer.get("Limits") if isinstance(answer, dict) else None
        memory = limits.get("Memory") if isinstance(limits, dict) else None
        # MiB, a number; `Infinity` or a figure past any machine's is no answer either.
        if isinstance(memory, (int, float)) and not isinstance(memory, bool) and 0 < memory < 1 << 40:
            return Limit(int(memory * MIB), f"ECS task metadata, the {whose}'s Limits.Memory")
    return None


def _metadata(url: str, timeout: float) -> object:
    """The JSON at `url` (plain HTTP, as the endpoint is), or None if it does not answer with it."""
    import http.client  # only here: the endpoint is asked only when the cgroup has no limit
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return None
    try:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            connection.request("GET", parts.path or "/")
            response = connection.getresponse()
            if response.status != 200:
                return None
            loaded: object = json.loads(response.read(_ANSWER_LIMIT))
            return loaded
        finally:
            connection.close()
    except (OSError, ValueError, http.client.HTTPException):
        return None
