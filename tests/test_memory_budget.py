"""Issue 20's `--memory-budget` and its warnings, run as a program: the limits `--dry-run` and
`--diff` show, classic and YAML, included files, explicit limits, filesystem inputs,
emitters, `auto`, and every message with its exit code."""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from pathlib import Path

import pytest

from fluent_launch import budget, cli, container_memory, formats, values
from tests.running import FIRELENS, Run, assert_refused, launch

FIRELENS_YAML = FIRELENS.parent.parent / "firelens-yaml" / "fluent-bit.yaml"


def dry_run(*args: str) -> tuple[str, str]:
    done = launch("--dry-run", *args, unbounded=True)
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr


def warnings(stderr: str) -> list[str]:
    return [line[len("fluent-launch: warning: ") :] for line in stderr.splitlines() if "warning: " in line]


def limits(text: str, key: str = "Mem_Buf_Limit") -> list[str]:
    return re.findall(rf"^\s*{key}\s+(\S+)\s*$", text, flags=re.MULTILINE | re.IGNORECASE)


def test_every_input_of_the_firelens_config_gets_one_limit_within_the_budget() -> None:
    out, err = dry_run("-c", str(FIRELENS), "--memory-budget", "96M")
    (limit,) = set(limits(out))
    assert len(limits(out)) == 3 and "25MB" not in out  # the config's own limit is replaced
    worst = budget.worst_case([values.size(limit.encode()) or 0] * 3, 0, 0)
    assert worst <= 96_000_000
    assert f"memory budget 96M: Mem_Buf_Limit={limit} on 3 [INPUT], worst case {worst / (1 << 20):.0f} MiB" in err
    assert warnings(err) == []


def test_diff_shows_the_limits_the_budget_set(tmp_path: Path) -> None:
    done = launch("--dry-run", "--diff", "-c", str(FIRELENS), "--memory-budget", "64M")
    assert done.returncode == 0, done.stderr
    (limit,) = set(limits(done.stdout))
    assert f"-    Mem_Buf_Limit 25MB\n+    Mem_Buf_Limit {limit}\n" in done.stderr
    assert done.stderr.count(f"+    Mem_Buf_Limit {limit}\n") == 3


def test_a_budget_too_small_is_refused_naming_the_smallest_that_works() -> None:
    done = launch("-c", str(FIRELENS), "--memory-budget", "20M")
    smallest = budget.smallest(budget.Need(3, [], 0, None))
    named = f"{-(-smallest // 1_000_000)}M"
    assert_refused(
        done,
        2,
        f"--memory-budget 20M: too small for Fluent Bit's baseline and this config's 3 buffers: give at least {named}",
    )
    dry_run("-c", str(FIRELENS), "--memory-budget", named)


@pytest.mark.parametrize("given", ["abc", "0", "-5M", "50 MB", "false", ""])
def test_a_budget_that_is_no_size_is_refused(given: str) -> None:
    done = launch("-c", str(FIRELENS), "--memory-budget", given)
    assert_refused(done, 2, f"--memory-budget {given!r}: give auto or a size above 0 as Fluent Bit reads sizes")


def test_the_option_needs_a_value() -> None:
    assert_refused(launch("-c", str(FIRELENS), "--memory-budget"), 2, "--memory-budget needs a size or auto")


def test_an_explicit_input_limit_wins_and_the_budget_says_when_it_alone_exceeds_it(tmp_path: Path) -> None:
    config = tmp_path / "in.conf"
    config.write_text(
        "[INPUT]\n    Name forward\n[FILTER]\n    Name rewrite_tag\n    Match *\n    Rule $log ^x y false\n"
        "[FILTER]\n    Name record_modifier\n    Match *\n"
    )
    out, err = dry_run("-c", str(config), "-i", "Mem_Buf_Limit", "5M", "--memory-budget", "64M")
    assert limits(out) == ["5M"]
    (emitter,) = limits(out, "Emitter_Mem_Buf_Limit")  # only the rewrite_tag filter has an emitter
    worst = budget.worst_case([5_000_000, values.size(emitter.encode()) or 0], 0, 0)
    assert worst <= 64_000_000 and out.count("Emitter_Mem_Buf_Limit") == 1
    assert f"Emitter_Mem_Buf_Limit={emitter} on 1 [FILTER]" in err and warnings(err) == []
    out, err = dry_run("-c", str(config), "-i", "Mem_Buf_Limit", "200M", "--memory-budget", "64M")
    assert limits(out) == ["200M"] and limits(out, "Emitter_Mem_Buf_Limit") == ["1000K"]
    (warning,) = warnings(err)
    assert warning.startswith("--memory-budget 64M: the limits it does not set (-i Mem_Buf_Limit, ")


def test_filesystem_inputs_are_bounded_through_max_chunks_up(tmp_path: Path) -> None:
    config = tmp_path / "in.conf"
    config.write_text(
        "[SERVICE]\n    storage.path /tmp/x\n"
        "[INPUT]\n    Name forward\n    storage.type filesystem\n"
        "[INPUT]\n    Name tcp\n"
    )
    out, err = dry_run("-c", str(config), "--memory-budget", "128M")
    (chunks,) = re.findall(r"storage\.max_chunks_up (\d+)", out)
    (limit,) = limits(out)  # the memory input only
    worst = budget.worst_case([values.size(limit.encode()) or 0], 1, int(chunks))
    assert worst <= 128_000_000 and int(chunks) >= budget.SMALLEST_CHUNKS_UP
    assert f"storage.max_chunks_up={chunks} for 1 filesystem buffers" in err
    # -i storage.type filesystem makes every input one; an explicit -s storage.max_chunks_up is kept.
    out, err = dry_run(
        "-c",
        str(config),
        "-i",
        "storage.type",
        "filesystem",
        "-s",
        "storage.max_chunks_up",
        "4",
        "--memory-budget",
        "128M",
    )
    assert limits(out) == [] and re.findall(r"storage\.max_chunks_up (\d+)", out) == ["4"]


def test_yaml_inputs_get_the_limit_too() -> None:
    out, err = dry_run("-c", str(FIRELENS_YAML), "--inline-includes", "--memory-budget", "128M")
    found = re.findall(r"Mem_Buf_Limit: (\S+)", out)
    assert len(found) == 4 and len(set(found)) == 1, out
    assert "on 4 [INPUT]" in err


def test_yaml_filesystem_inputs_need_the_service_section_within_reach() -> None:
    done = launch("-c", str(FIRELENS_YAML), "-i", "storage.type", "filesystem", "--memory-budget", "96M")
    custom = FIRELENS_YAML.parent / "custom.yaml"
    assert_refused(
        done,
        1,
        f"fluent-launch: {custom}:1: --memory-budget sets storage.max_chunks_up for the filesystem inputs in the only"
        " service: section, which is in this included file, and Fluent Bit refuses a second one: use"
        " --inline-includes to have it edited in place",
    )
    out, _ = dry_run(
        "-c", str(FIRELENS_YAML), "--inline-includes", "-i", "storage.type", "filesystem", "--memory-budget", "96M"
    )
    assert out.count("storage.max_chunks_up") == 1 and out.count("service:") == 1


def test_an_included_input_is_warned_about_unless_inlined(tmp_path: Path) -> None:
    user = tmp_path / "user.conf"
    user.write_text("[INPUT]\n    Name tail\n    Path /var/log/app.log\n")
    main = tmp_path / "main.conf"
    main.write_text(f"[INPUT]\n    Name forward\n    Mem_Buf_Limit 5M\n\n@INCLUDE {user}\n")
    _, err = dry_run("-c", str(main), "--memory-budget", "64M")
    assert warnings(err) == [
        f"{user}:1: [INPUT] tail: no Mem_Buf_Limit, so it holds everything that comes while the output is down;"
        " it is in an included file the options do not reach: add --inline-includes"
    ]
    assert "on 1 [INPUT]" in err
    _, err = dry_run("-c", str(main), "-i", "Mem_Buf_Limit", "5M")
    assert warnings(err) == [
        f"{user}:1: [INPUT] tail: no Mem_Buf_Limit, so it holds everything that comes while the output is down;"
        " it is in an included file the options do not reach: add --inline-includes with -i Mem_Buf_Limit SIZE"
        " or --memory-budget SIZE"
    ]
    out, err = dry_run("-c", str(main), "--inline-includes", "--memory-budget", "64M")
    assert warnings(err) == [] and len(limits(out)) == 2 and "on 2 [INPUT]" in err


def test_inputs_without_a_bound_are_warned_about_without_the_option(tmp_path: Path) -> None:
    _, err = dry_run("-c", str(FIRELENS))
    assert warnings(err) == [
        f"{FIRELENS}:{line}: [INPUT] {name}: no Mem_Buf_Limit, so it holds everything that comes while the output is"
        " down; give -i Mem_Buf_Limit SIZE or --memory-budget SIZE"
        for line, name in ((6, "forward"), (11, "tcp"))
    ]
    config = tmp_path / "in.conf"
    config.write_text(
        "[INPUT]\n    Name forward\n    Mem_Buf_Limit false\n[INPUT]\n    Name tail\n    storage.type filesystem\n"
    )
    _, err = dry_run("-c", str(config))
    assert warnings(err) == [
        # The value's own warning (diagnose's), then the input's.
        f"{config}:3: [INPUT] forward: Mem_Buf_Limit 'false': Fluent Bit takes this as no limit at all",
        f"{config}:1: [INPUT] forward: Mem_Buf_Limit false, which is no limit, so it holds everything that comes"
        " while the output is down; give -i Mem_Buf_Limit SIZE or --memory-budget SIZE",
    ]
    _, err = dry_run("-c", str(FIRELENS), "-i", "Mem_Buf_Limit", "50M")
    assert warnings(err) == []


def test_yaml_inputs_in_an_included_file_are_warned_about(tmp_path: Path) -> None:
    _, err = dry_run("-c", str(FIRELENS_YAML), "-i", "Mem_Buf_Limit", "50M")
    custom = FIRELENS_YAML.parent / "custom.yaml"
    lines = warnings(err)
    assert lines and all(line.startswith(f"{custom}:") and "add --inline-includes" in line for line in lines), err
    _, err = dry_run("-c", str(FIRELENS_YAML), "--inline-includes", "-i", "Mem_Buf_Limit", "50M")
    assert warnings(err) == []


def test_limits_over_the_containers_are_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = tmp_path / "memory.max"
    limit.write_text("134217728\n")  # 128 MiB
    monkeypatch.setattr(cli, "CGROUP_LIMIT_FILES", (str(tmp_path / "absent"), str(limit)))
    args = ["-r", "/bin/true", "-c", str(FIRELENS), "--dry-run", "-q"]
    assert cli.main([*args, "-i", "Mem_Buf_Limit", "50M"]) == 0
    worst = budget.worst_case([50_000_000] * 3, 0, 0)
    assert warnings(capsys.readouterr().err) == [
        f"the inputs' limits allow Fluent Bit {worst / (1 << 20):.0f} MiB in the worst case, over this container's"
        f" memory limit of 128 MiB ({limit}): it would be killed before its buffers fill; use --memory-budget auto"
    ]
    assert cli.main([*args, "-i", "Mem_Buf_Limit", "10M"]) == 0
    assert warnings(capsys.readouterr().err) == []
    assert cli.main([*args, "--memory-budget", "256M"]) == 0
    (warning,) = warnings(capsys.readouterr().err)
    assert warning.startswith("--memory-budget 256M allows Fluent Bit ")
    limit.write_text("max\n")
    assert cli.main([*args, "-i", "Mem_Buf_Limit", "50M"]) == 0
    assert warnings(capsys.readouterr().err) == []


@pytest.mark.skipif(
    container_memory.cgroup_limit("/") is not None,
    reason="this machine's own cgroup sets a limit, which auto takes first",
)
def test_auto_takes_the_ecs_task_memory_and_says_where_it_came_from(tmp_path: Path) -> None:
    task = json.dumps({"Limits": {"CPU": 0.5, "Memory": 256}}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = task if self.path.endswith("/task") else b'{"Limits": {"CPU": 2}}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v4/abc"
        done = launch(
            "--dry-run", "-c", str(FIRELENS), "--memory-budget", "auto", env={container_memory.METADATA_VARIABLE: url}
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert "memory budget auto (256 MiB, ECS task metadata, the task's Limits.Memory): Mem_Buf_Limit=" in done.stderr
    (limit,) = set(limits(done.stdout))
    assert budget.worst_case([values.size(limit.encode()) or 0] * 3, 0, 0) <= 256 << 20


@pytest.mark.skipif(
    container_memory.cgroup_limit("/") is not None, reason="this machine's own cgroup sets a limit, which auto takes"
)
def test_auto_without_any_limit_exits_1_naming_the_size_option() -> None:
    done = launch("-c", str(FIRELENS), "--memory-budget", "auto", env={container_memory.METADATA_VARIABLE: ""})
    assert_refused(
        done,
        1,
        "--memory-budget auto: no memory limit found (no cgroup memory.max or memory.limit_in_bytes limit, no"
        " $ECS_CONTAINER_METADATA_URI_V4): give --memory-budget SIZE",
    )


@pytest.mark.skipif(
    "FLUENT_LAUNCH_BIN" in os.environ, reason="PYTHONVERBOSE is Python's: the frozen binary ignores Python's variables"
)
def test_a_launch_without_the_option_imports_nothing_of_it(run: Run) -> None:
    done = run("-r", "/bin/true", "-c", str(FIRELENS), "-i", "Mem_Buf_Limit", "50M", extra_env={"PYTHONVERBOSE": "1"})
    assert done.returncode == 0, done.stderr
    imported = set(re.findall(r"^import '?([\w.]+)'? #", done.stderr, flags=re.MULTILINE))
    assert "fluent_launch.cli" in imported
    assert not imported & {"fluent_launch.budget", "fluent_launch.container_memory", "http.client", "json"}


def test_buffers_of_a_classic_config_in_file_order() -> None:
    doc = formats.edit_config(str(FIRELENS), FIRELENS.read_bytes(), {}, False)[0]
    found = formats.buffers(doc)
    assert [(buffer.line, buffer.plugin, buffer.limit, buffer.reached) for buffer in found] == [
        (1, "forward", b"25MB", True),
        (6, "forward", None, True),
        (11, "tcp", None, True),
    ]
