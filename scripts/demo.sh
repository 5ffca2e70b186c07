#!/usr/bin/env bash
# The main job on a bundled FireLens config with the deployment guide's exact arguments.
# Fluent Bit is FLUENT_BIT_BIN when set (with --dry-run, so it checks the config and
# stops), otherwise a stand-in that prints the command line and config it was given.
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=$(mktemp -d)
if [ -n "${FLUENT_BIT_BIN:-}" ]; then
  run_path=$FLUENT_BIT_BIN
  check=(--dry-run)
else
  run_path=examples/fake-fluent-bit
  check=()
fi
PYTHONPATH=. exec python3 -m fluent_launch \
  -r "$run_path" \
  -c examples/firelens/fluent-bit.conf \
  -m "$out_dir/fluent-bit.conf" \
  -s Scheduler.Cap 60 \
  -i Mem_Buf_Limit 50M \
  -- \
  "${check[@]}" \
  -F record_modifier \
  -m '*' \
  -p "Record=pid 1" \
  -o syslog \
  -m '*' \
  -p Mode=tcp \
  -p Host=127.0.0.1 \
  -p Port=1514 \
  -p Retry_Limit=False \
  -p Syslog_Format=rfc3164 \
  -p Syslog_Maxsize=786432 \
  -p Syslog_Hostname_Key=container_id \
  -p Syslog_Appname_Key=container_name \
  -p Syslog_Procid_Key=pid \
  -p Syslog_Message_Key=log
