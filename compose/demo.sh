#!/usr/bin/env bash
# The compose demo (docs/compose-demo.md): the deployment guide's Fargate task on one
# machine. It builds every image the task uses, starts the task, waits until the agent has
# received the app's logs through Fluent Bit (or, with a stand-in Fluent Bit that exits at
# once, until log_router has exited), stops log_router with SIGTERM as ECS stops a task,
# prints what happened and removes the task's containers, network and volume.
#
# Every step has a time limit; a step that fails or overruns prints the compose tool's own
# output (its build, create and pull errors) and the demo exits 1. It exits 0 when log_router
# exited 0 and, with a real Fluent Bit, the agent received the app's logs.
#
#   FLUENT_BIT_IMAGE          the log router image (default: the guide's aws-for-fluent-bit:stable)
#   BASE_IMAGE, BUILDER_IMAGE Debian images for the agent and app, and the launcher's builder
#   COMPOSE                   the compose command (default podman-compose, from PATH or else
#                             from the checkout's .venv, where scripts/test.sh installs it;
#                             or "docker compose")
#   COMPOSE_PROJECT           the project name (default fluent-launch-demo)
set -euo pipefail
cd "$(dirname "$0")"
default=podman-compose
command -v "$default" >/dev/null || [ ! -x ../.venv/bin/podman-compose ] || default=$PWD/../.venv/bin/podman-compose
read -ra compose <<<"${COMPOSE:-$default}"
project=${COMPOSE_PROJECT:-fluent-launch-demo}
if [ "${compose[0]}" = docker ]; then
  engine=docker separator=-
else
  engine=podman separator=_
fi
router=$project${separator}log_router${separator}1
agent=$project${separator}agent${separator}1
log=$(mktemp)

say() { echo "demo: $*"; }

# step LIMIT WHAT ARG...: one compose call, quiet unless it fails or takes over LIMIT seconds
# (timeout signals the whole process group, so the podman calls compose waits on go too).
step() {
  local limit=$1 what=$2
  shift 2
  say "$what"
  local code=0
  timeout --kill-after=10 "$limit" "${compose[@]}" -f compose.yaml -p "$project" "$@" >"$log" 2>&1 || code=$?
  case $code in
    0) return 0 ;;
    124 | 137) say "'${compose[*]} $*' was stopped after $limit s; its output:" ;;
    *) say "'${compose[*]} $*' failed with exit code $code; its output:" ;;
  esac
  tail -n 60 "$log"
  return 1
}

finish() {
  local code=$?
  step 120 "removing the task" down --volumes || code=1
  rm -f "$log"
  exit "$code"
}
trap finish EXIT

state() { "$engine" inspect --format "{{.State.$1}}" "$2" 2>/dev/null || true; }

# A compose tool builds only the services it is asked to start, and log_router has nothing to
# build: so every image is built first, or `up` would try to pull the local ones.
step 900 "building the images" build
step 180 "starting the task" up -d

say "waiting (at most 120 s) for the agent to receive the app's logs, or for log_router to exit"
deadline=$((SECONDS + 120))
until "$engine" logs "$agent" 2>/dev/null | grep -q '^received ' || [ "$(state Status "$router")" = exited ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "timed out; log_router's output:"
    "$engine" logs "$router" 2>&1 | tail -n 40
    exit 1
  fi
  sleep 1
done

received=$("$engine" logs "$agent" 2>/dev/null | grep '^received ' | head -n 3 || true)
if [ -n "$received" ]; then
  say "the agent received over syslog:"
  echo "$received"
  say "log_router's processes (PID 1 receives ECS's SIGTERM):"
  "$engine" top "$router" pid args
  say "stopping log_router with SIGTERM"
  "$engine" stop --time 20 "$router" >/dev/null
fi
code=$(state ExitCode "$router")
say "log_router exited with $code; its standard output:"
"$engine" logs "$router" 2>/dev/null
say "log_router's standard error:"
"$engine" logs "$router" 2>&1 >/dev/null
say "end of log_router's output"
[ "$code" = 0 ]
