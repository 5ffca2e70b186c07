#!/usr/bin/env bash
# The test command (README.md; .ci/run runs it), from a clean slate every time: it installs
# what the checks need (apt-get as root, .venv), removes every podman object an earlier run
# left (scripts/clean-slate.sh) and builds the frozen launcher. Then it runs every part (lint,
# types, pytest, fuzzing, the CLI suites against the frozen binary, the quick benchmark, the
# CLI suites under the oldest Python), each even when an earlier one failed, and exits 1
# naming the parts that failed. Arguments go to the pytest part.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Set-up: nothing after it can run without it, so a failure here ends the run at once.
if [ "$(id -u)" = 0 ]; then
  # System tools the container, frozen-binary and end-to-end tests use (as root, as CI runs).
  for tool in podman runc debootstrap newuidmap objdump gcc rsyslogd; do
    if ! command -v "$tool" >/dev/null; then
      apt-get -o DPkg::Lock::Timeout=300 update -q
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        podman runc debootstrap uidmap binutils gcc libc6-dev rsyslog
      break
    fi
  done
  # podman's runtime and ulimits for these machines, for podman and podman-compose alike.
  install -D -m 644 scripts/containers.conf /etc/containers/containers.conf.d/fluent-launch.conf
  bash scripts/clean-slate.sh
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
bash build/build.sh
set +e

failed=()
part() {
  local name=$1 start=$SECONDS
  shift
  echo "=== $name"
  if "$@"; then
    echo "=== $name: passed ($((SECONDS - start)) s)"
  else
    echo "=== $name: FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
  fi
}

# Coverage-guided fuzzing of one format (classic, yaml) for a bounded time (FUZZ_SECONDS),
# seeded with the shared corpus; libFuzzer exits non-zero on the first finding and prints it.
fuzz() {
  local work seeds=../shared/corpus/$1
  work=$(mktemp -d)
  [ -d "$seeds" ] || seeds=examples
  if ! .venv/bin/python "fuzz/fuzz_$1.py" -max_total_time="${FUZZ_SECONDS:-120}" -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work" "$seeds" >"$work/log" 2>&1; then
    tail -n 40 "$work/log"
    return 1
  fi
  grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "$work/log"
  rm -rf "$work"
}

# The frozen binary's loader path is absolute (the install path the deployment fixes), so the
# CLI suites and the benchmark run it there: bind-mounted in a private mount namespace.
install_dir=/var/alertlogic/lib/fluent-bit
at_install_path() {
  if [ "$(id -u)" != 0 ]; then
    echo "not root: cannot bind-mount the frozen binary at $install_dir"
    return 1
  fi
  mkdir -p "$install_dir"
  unshare -m sh -euc "mount --bind dist/fluent-launch $install_dir
    export FLUENT_LAUNCH_BIN=$install_dir/fluent-launch
    $1"
}

# The oldest Python the package supports, where this machine has one (pyenv's).
oldest_python() {
  local oldest
  oldest=$(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.9*/bin/python3.9 2>/dev/null | head -n 1)
  if [ -z "$oldest" ]; then
    echo "no Python 3.9 on this machine: the CLI suites ran with $(.venv/bin/python --version) only"
    return 0
  fi
  FLUENT_LAUNCH_PYTHON=$oldest .venv/bin/pytest -q $cli_suites
}

export FLUENT_LAUNCH_DIST=$PWD/dist/fluent-launch
# The suites that run the launcher as a program, run again by the frozen binary and Python 3.9.
cli_suites="tests/test_cli.py tests/test_hostile.py tests/test_diagnostics.py tests/test_overrides.py"
part lint sh -c '.venv/bin/ruff check . && .venv/bin/ruff format --check .'
part types .venv/bin/mypy
part pytest .venv/bin/pytest --durations=8 "$@"
part fuzzing fuzz classic
part fuzzing-yaml fuzz yaml
part frozen-cli at_install_path ".venv/bin/pytest -q $cli_suites"
part benchmark at_install_path ".venv/bin/python bench/run.py --quick"
part python3.9 oldest_python

echo "test.sh: $((SECONDS - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: FAILED: ${failed[*]}"
  exit 1
fi
echo "test.sh: every part passed"
