#!/usr/bin/env bash
# The test command (README.md; .ci/run runs it), from a clean slate every time: it installs
# what the checks need (apt-get as root, .venv), removes every podman object an earlier run
# left (scripts/clean-slate.sh) and builds the frozen launcher. Then it runs every part (lint,
# types, pytest, fuzzing, the CLI suites against the frozen binary, the quick benchmark, the
# CLI suites under the oldest Python, the arm64 build and its suites under emulation), each
# even when an earlier one failed, and exits 1 naming the parts that failed. Arguments go to
# the pytest part.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

# Set-up: nothing after it can run without it, so a failure here ends the run at once.
if [ "$(id -u)" = 0 ]; then
  # System tools the container, frozen-binary and end-to-end tests use (as root, as CI runs).
  # qemu-user-static and the aarch64 cross compiler: the arm64 part (build/emulated.sh).
  for tool in podman runc debootstrap newuidmap objdump gcc rsyslogd qemu-aarch64-static aarch64-linux-gnu-gcc; do
    if ! command -v "$tool" >/dev/null; then
      apt-get -o DPkg::Lock::Timeout=300 update -q
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
        podman runc debootstrap uidmap binutils gcc libc6-dev rsyslog \
        qemu-user-static gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      break
    fi
  done
  # podman's runtime and ulimits for these machines, for podman and podman-compose alike.
  install -D -m 644 scripts/containers.conf /etc/containers/containers.conf.d/fluent-launch.conf
  bash scripts/clean-slate.sh
fi
python3 -m venv .venv
# The exact versions in constraints.txt, the build backend's included (PIP_CONSTRAINT reaches
# the environment pip builds the editable install in; -c would not).
PIP_CONSTRAINT=$PWD/constraints.txt .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
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

# Coverage-guided fuzzing of one format (classic, yaml) for a bounded time (FUZZ_SECONDS), with
# its dictionary, starting from the corpus the last campaign grew (fuzz/corpus/, minimised)
# and the shared configs; libFuzzer exits non-zero on the first finding and prints it.
fuzz() {
  local work
  work=$(mktemp -d)
  if ! .venv/bin/python "fuzz/fuzz_$1.py" -dict="fuzz/$1.dict" -max_total_time="${FUZZ_SECONDS:-120}" \
    -max_len=16384 -print_final_stats=1 -artifact_prefix="$work/" "$work" "fuzz/corpus/$1" "../shared/corpus/$1" \
    >"$work/log" 2>&1; then
    tail -n 40 "$work/log"
    return 1
  fi
  grep -E "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "$work/log"
  rm -rf "$work"
}

# Users who ship the frozen binary in an image verify it by building the same commit again:
# a second build must match the first byte for byte, file by file (on the development VM it
# adds one build, 10-35 s). For each file that differs: how many bytes, and the first ones.
reproducible() {
  local again file differ=0
  again=$(mktemp -d)
  DIST=$again bash build/build.sh >"$again/log" 2>&1 || { cat "$again/log"; return 1; }
  if ! diff <(cd dist && find fluent-launch -type f | sort) <(cd "$again" && find fluent-launch -type f | sort); then
    differ=1
  fi
  while read -r file; do
    if [ -f "$again/$file" ] && ! cmp -s "dist/$file" "$again/$file"; then
      echo "$file: $(cmp -l "dist/$file" "$again/$file" | wc -l) bytes differ, the first at (offset, octal values):"
      cmp -l "dist/$file" "$again/$file" | head -n 5
      differ=1
    fi
  done < <(cd dist && find fluent-launch -type f | sort)
  rm -rf "$again"
  [ "$differ" = 0 ] && echo "two builds alike: $(find dist/fluent-launch -type f | wc -l) files"
}

# The frozen binary's loader path is absolute (the install path the deployment fixes), so the
# CLI suites and the benchmark run it there: the bundle $1 bind-mounted in a private mount
# namespace while command $2 runs.
install_dir=/var/alertlogic/lib/fluent-bit
at_install_path() {
  if [ "$(id -u)" != 0 ]; then
    echo "not root: cannot bind-mount the frozen binary at $install_dir"
    return 1
  fi
  mkdir -p "$install_dir"
  unshare -m sh -euc "mount --bind $1 $install_dir
    export FLUENT_LAUNCH_BIN=$install_dir/fluent-launch
    $2"
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

# The aarch64 bundle, built under emulation (build/emulated.sh, which fails saying why where
# this machine cannot emulate arm64): minutes, most of them making its Debian root on a
# machine's first run. It runs in the background at nice 10, for at most 900 s, from the first
# part on (downloads, then the CPU the other parts leave: the fuzzing parts take a fixed time
# on one CPU of the two); the arm64 part, after the fuzzing parts, waits for it.
build_arm64() {
  local start=$SECONDS status=0
  ARCH=arm64 timeout 900 nice -n 10 bash build/build.sh || status=$?
  echo "arm64 build: $((SECONDS - start)) s, exit $status"
  return $status
}
# Then what tests/test_frozen.py checks of a bundle (an empty read-only root included) and the
# CLI suites, under qemu's user-mode emulation. Left out: three hostile-input tests that each
# run the launcher 12 to 27 times on a 20,000-section config (5-10 s a run here, 280 s in all);
# what they check, the write protocol under kills and races, is the launcher's Python code,
# the same bytecode on both architectures, and the frozen-cli part runs them.
arm64() {
  local bundle=dist/arm64/fluent-launch status=0
  wait "$arm64_build" || status=$?
  cat "$arm64_log"
  rm -f "$arm64_log"
  [ $status = 0 ] || return 1
  if ! readelf --file-header "$bundle/fluent-launch" | grep -q 'Machine: *AArch64'; then
    echo "$bundle/fluent-launch is not an AArch64 program"
    return 1
  fi
  local hostile=tests/test_hostile.py::test_
  FLUENT_LAUNCH_DIST=$PWD/$bundle .venv/bin/pytest -q tests/test_frozen.py \
    && at_install_path "$bundle" ".venv/bin/pytest -q $cli_suites \
      --deselect ${hostile}sigkill_at_every_step_of_the_write_leaves_old_or_new \
      --deselect ${hostile}sigkill_at_random_moments_leaves_old_or_new \
      --deselect ${hostile}launchers_writing_the_same_output_at_once_both_succeed"
}

export FLUENT_LAUNCH_DIST=$PWD/dist/fluent-launch
# The suites that run the launcher as a program, run again by the frozen binary and Python 3.9.
cli_suites="tests/test_cli.py tests/test_hostile.py tests/test_diagnostics.py tests/test_overrides.py tests/test_memory_budget.py"
cli_suites="$cli_suites tests/test_buffer.py"
arm64_log=$(mktemp)
build_arm64 >"$arm64_log" 2>&1 &
arm64_build=$!
part lint sh -c '.venv/bin/ruff check . && .venv/bin/ruff format --check .'
part types .venv/bin/mypy
part pytest .venv/bin/pytest --durations=8 "$@"
part fuzzing fuzz classic
part fuzzing-yaml fuzz yaml
part reproducible-build reproducible
part arm64 arm64
# After the arm64 part, whose emulation would slow the benchmark.
part frozen-cli at_install_path dist/fluent-launch ".venv/bin/pytest -q $cli_suites"
part benchmark at_install_path dist/fluent-launch ".venv/bin/python bench/run.py --quick"
part python3.9 oldest_python

echo "test.sh: $((SECONDS - started)) s in all"
if [ ${#failed[@]} -gt 0 ]; then
  echo "test.sh: FAILED: ${failed[*]}"
  exit 1
fi
echo "test.sh: every part passed"
