#!/usr/bin/env bash
# Installs what the checks need into .venv, builds the frozen launcher, then runs lint, types,
# the whole test suite (against the package, then the CLI suites against the frozen binary
# and under the oldest Python), a bounded fuzzing run and the quick benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
# System tools the container and frozen-binary tests use (as root, as CI runs).
if [ "$(id -u)" = 0 ] && ! command -v podman >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap uidmap binutils gcc libc6-dev rsyslog
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

bash build/build.sh
export FLUENT_LAUNCH_DIST=$PWD/dist/fluent-launch
.venv/bin/pytest "$@"

# Coverage-guided fuzzing for a bounded time (FUZZ_SECONDS), seeded with the shared corpus;
# libFuzzer exits non-zero on the first finding and prints the input that caused it.
fuzz_corpus=$(mktemp -d)
seeds=../shared/corpus/classic
[ -d "$seeds" ] || seeds=examples
if ! .venv/bin/python fuzz/fuzz_classic.py -max_total_time="${FUZZ_SECONDS:-120}" -max_len=16384 \
  -print_final_stats=1 -artifact_prefix="$fuzz_corpus/" "$fuzz_corpus" "$seeds" >"$fuzz_corpus/log" 2>&1; then
  tail -n 40 "$fuzz_corpus/log"
  exit 1
fi
grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "$fuzz_corpus/log"
rm -rf "$fuzz_corpus"

# The frozen binary's loader path is absolute (the install path the deployment fixes), so the
# CLI suites and the benchmark run it there: bind-mounted in a private mount namespace.
install_dir=/var/alertlogic/lib/fluent-bit
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$install_dir"
  unshare -m sh -euc "mount --bind dist/fluent-launch $install_dir
    export FLUENT_LAUNCH_BIN=$install_dir/fluent-launch
    .venv/bin/pytest -q tests/test_cli.py tests/test_hostile.py
    .venv/bin/python bench/run.py --quick"
else
  echo "not root: the CLI suites did not run against the frozen binary, nor the benchmark"
  exit 1
fi

# The oldest Python the package supports, where this machine has one (pyenv's): the CLI
# suites again, run by it.
oldest=$(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.9*/bin/python3.9 2>/dev/null | head -n 1 || true)
if [ -n "$oldest" ]; then
  FLUENT_LAUNCH_PYTHON=$oldest .venv/bin/pytest -q tests/test_cli.py tests/test_hostile.py
else
  echo "no Python 3.9 on this machine: the CLI suites ran with $(.venv/bin/python --version) only"
fi
