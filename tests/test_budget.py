"""Issue 20's sizing rule (fluent_launch/budget.py) and where `auto` finds a limit
(fluent_launch/container_memory.py): property tests of the rule, cgroup v1 and v2 trees,
and the ECS task metadata endpoint as a real HTTP server on loopback."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fluent_launch import budget, container_memory
from fluent_launch.budget import Need

MIB = 1 << 20

needs = st.builds(
    Need,
    free=st.integers(0, 40),
    fixed=st.lists(st.integers(0, 500_000_000), max_size=6),
    filesystem=st.integers(0, 6),
    chunks_up=st.one_of(st.none(), st.integers(1, 300)),
)


@given(needs, st.integers(0, 8 << 30))
def test_any_budget_at_or_above_the_fixed_limits_and_the_smallest_is_kept(need: Need, above: int) -> None:
    # What the budget cannot change, and the least of what it sets, fit: then so does all it sets.
    floor = budget.smallest(need) + sum(budget._memory_cost(size) for size in need.fixed)
    if need.filesystem and need.chunks_up is not None:
        floor += need.chunks_up * budget.CHUNK_UP
    size = floor + above
    plan = budget.plan(size, need)
    assert plan.worst <= size, plan
    chunks = plan.chunks_up if plan.chunks_up is not None else (need.chunks_up or 0)
    assert plan.worst == budget.worst_case([*need.fixed, *[plan.limit] * need.free], need.filesystem, chunks)
    if need.free:
        assert plan.limit >= budget.SMALLEST_LIMIT
    if need.filesystem and need.chunks_up is None:
        assert plan.chunks_up is not None and plan.chunks_up >= budget.SMALLEST_CHUNKS_UP
    else:
        assert plan.chunks_up is None


@given(needs, st.integers(0, 4 << 30), st.integers(0, 4 << 30))
def test_a_larger_budget_never_gives_smaller_limits(need: Need, size: int, more: int) -> None:
    size += budget.smallest(need)
    smaller, larger = budget.plan(size, need), budget.plan(size + more, need)
    assert larger.limit >= smaller.limit
    assert (larger.chunks_up or 0) >= (smaller.chunks_up or 0)


@given(needs)
def test_the_smallest_budget_gives_the_least_limits(need: Need) -> None:
    need = Need(need.free, [], need.filesystem, None)
    plan = budget.plan(budget.smallest(need), need)
    assert plan.worst == budget.smallest(need)
    assert plan.limit == (budget.SMALLEST_LIMIT if need.free else 0)


def test_limits_the_budget_cannot_change_that_exceed_it_leave_the_rest_their_least() -> None:
    need = Need(free=2, fixed=[200_000_000], filesystem=0, chunks_up=None)
    plan = budget.plan(64_000_000, need)
    assert plan.limit == budget.SMALLEST_LIMIT and plan.worst > 64_000_000


# `auto`: cgroup trees laid out as each version lays them out.


def _tree(root: Path, memberships: str, files: dict[str, str]) -> Path:
    (root / "proc" / "self").mkdir(parents=True)
    (root / "proc" / "self" / "cgroup").write_text(memberships)
    for name, text in files.items():
        path = root / "sys" / "fs" / "cgroup" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_cgroup_v2_memory_max(tmp_path: Path) -> None:
    root = _tree(tmp_path, "0::/\n", {"memory.max": "134217728\n"})
    assert container_memory.cgroup_limit(str(root)) == (128 * MIB, "cgroup v2 memory.max")


def test_cgroup_v2_max_is_no_limit_and_an_ancestors_limit_holds(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        "0::/system.slice/task.scope\n",
        {"system.slice/task.scope/memory.max": "max\n", "system.slice/memory.max": "268435456\n", "memory.max": "max"},
    )
    assert container_memory.cgroup_limit(str(root)) == (256 * MIB, "cgroup v2 memory.max")
    (root / "sys/fs/cgroup/system.slice/memory.max").write_text("max\n")
    assert container_memory.cgroup_limit(str(root)) is None


def test_cgroup_v1_memory_limit_in_bytes(tmp_path: Path) -> None:
    # A hybrid host as this one: a v2 hierarchy without the memory controller, v1's with it.
    root = _tree(
        tmp_path,
        "9:name=systemd:/\n4:memory:/docker/0123abcd\n1:cpu:/\n0::/\n",
        {
            "memory/memory.limit_in_bytes": "9223372036854771712\n",
            "memory/docker/0123abcd/memory.limit_in_bytes": "134217728\n",
        },
    )
    assert container_memory.cgroup_limit(str(root)) == (128 * MIB, "cgroup v1 memory.limit_in_bytes")


def test_cgroup_v1_no_limit_and_a_namespace_showing_only_its_own_cgroup(tmp_path: Path) -> None:
    # Inside a container without its own cgroup namespace, /proc names a path the mount does not have.
    root = _tree(tmp_path, "4:memory:/docker/0123abcd\n", {"memory/memory.limit_in_bytes": "9223372036854771712\n"})
    assert container_memory.cgroup_limit(str(root)) is None
    (root / "sys/fs/cgroup/memory/memory.limit_in_bytes").write_text("67108864\n")
    assert container_memory.cgroup_limit(str(root)) == (64 * MIB, "cgroup v1 memory.limit_in_bytes")


def test_no_cgroup_files_at_all(tmp_path: Path) -> None:
    assert container_memory.cgroup_limit(str(tmp_path)) is None
    assert container_memory.discover(str(tmp_path), {}) is None


# `auto`: the ECS task metadata endpoint v4, served on loopback as documented.


class _Endpoint(http.server.BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.answers.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, dict[str, bytes]]]:
    answers: dict[str, bytes] = {}
    handler = type("Handler", (_Endpoint,), {"answers": answers})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v4/0123abcd", answers
    finally:
        server.shutdown()
        server.server_close()


# The documented shapes (task metadata endpoint v4), trimmed.
CONTAINER = {"DockerId": "0123abcd", "Name": "log_router", "Limits": {"CPU": 2, "Memory": 128}}
TASK = {"Cluster": "default", "Family": "app", "Limits": {"CPU": 0.25, "Memory": 512}, "Containers": [CONTAINER]}


def test_the_containers_limit_first(endpoint: tuple[str, dict[str, bytes]]) -> None:
    url, answers = endpoint
    answers.update({"/v4/0123abcd": json.dumps(CONTAINER).encode(), "/v4/0123abcd/task": json.dumps(TASK).encode()})
    found = container_memory.ecs_limit(url, 2.0)
    assert found == (128 * MIB, "ECS task metadata, the container's Limits.Memory")


def test_the_tasks_limit_when_the_container_has_none(endpoint: tuple[str, dict[str, bytes]]) -> None:
    url, answers = endpoint
    container = {**CONTAINER, "Limits": {"CPU": 2}}  # as on Fargate: no container-level memory
    answers.update({"/v4/0123abcd": json.dumps(container).encode(), "/v4/0123abcd/task": json.dumps(TASK).encode()})
    assert container_memory.discover("/nonexistent", {"ECS_CONTAINER_METADATA_URI_V4": url}, 2.0) == (
        512 * MIB,
        "ECS task metadata, the task's Limits.Memory",
    )


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"Limits": "128"}',
        b'{"Limits": {"Memory": "128"}}',
        b'{"Limits": {"Memory": 0}}',
        b'{"Limits": {"Memory": Infinity}}',
        b'{"Limits": {"Memory": NaN}}',
    ],
)
def test_answers_that_are_not_the_documented_json_give_none(
    endpoint: tuple[str, dict[str, bytes]], body: bytes
) -> None:
    url, answers = endpoint
    answers.update({"/v4/0123abcd": body, "/v4/0123abcd/task": body})
    assert container_memory.ecs_limit(url, 2.0) is None


def test_an_endpoint_that_never_answers_is_given_up_after_the_timeout() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections (the kernel does) and never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v4/0123abcd"
        assert container_memory.ecs_limit(url, 0.3) is None


def test_no_endpoint_no_variable() -> None:
    assert container_memory.ecs_limit("", 1.0) is None
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert container_memory.ecs_limit(f"http://127.0.0.1:{port}/v4/x", 1.0) is None  # connection refused
