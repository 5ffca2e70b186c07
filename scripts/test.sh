#!/usr/bin/env bash
# Installs what the checks need into .venv, then runs lint, types and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"

# The benchmark in its quick mode: it reports against its targets and fails only if a run fails.
.venv/bin/python bench/run.py --quick

# The oldest Python the package supports, where this machine has one (pyenv's): the CLI
# suite again, run by it.
oldest=$(ls -d "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/3.9*/bin/python3.9 2>/dev/null | head -n 1 || true)
if [ -n "$oldest" ]; then
  FLUENT_LAUNCH_PYTHON=$oldest .venv/bin/pytest -q tests/test_cli.py
else
  echo "no Python 3.9 on this machine: the CLI suite ran with $(.venv/bin/python --version) only"
fi
