#!/usr/bin/env bash
# A fuzzing campaign of one format (classic or yaml) for SECONDS of wall time, at nice 19:
# libFuzzer runs again after each finding (saved under fuzz/findings/FORMAT/, with its log),
# until the time is up; then what the campaign grew is merged into fuzz/corpus/FORMAT, keeping
# only what adds coverage beyond the shared configs (which every run reads as well).
#
#   bash fuzz/campaign.sh yaml 3600
#
# Prints the runs, executions and findings, and the CPU time the runs took.
set -euo pipefail
cd "$(dirname "$0")/.."
format=$1 seconds=$2
shared=../shared/corpus/$format
grown=$(mktemp -d)
findings=fuzz/findings/$format
mkdir -p "$findings" "fuzz/corpus/$format"
export PATH=$PWD/.venv/bin:$PATH # libFuzzer's -merge runs the harness as a program
harness=fuzz/fuzz_$format.py

end=$((SECONDS + seconds)) runs=0 executions=0 cpu=0
while [ $SECONDS -lt $end ]; do
  runs=$((runs + 1))
  log=$findings/run-$runs.log
  started=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  nice -n 19 python "$harness" -dict="fuzz/$format.dict" -max_total_time=$((end - SECONDS)) -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$findings/" "$grown" "fuzz/corpus/$format" "$shared" >"$log" 2>&1 || true
  cpu=$((cpu + $(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat) - started))
  executions=$((executions + $(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 | grep . || echo 0)))
  if grep -q "^Done" "$log"; then
    rm "$log" # a run that found nothing leaves no log
  elif ! grep -q "artifact_prefix=.*Test unit written to" "$log"; then
    tail -n 20 "$log" # neither done nor a finding: the harness itself is broken
    exit 1
  fi
done

# Minimise: the shared configs first, then what adds coverage to them, of the old corpus and the new.
base=$(mktemp -d)
cp -r "$shared/." "$base/"
find "$base" -type f | sort >"$base.shared"
python "$harness" -merge=1 "$base" "fuzz/corpus/$format" "$grown" >"$base.log" 2>&1 || {
  tail -n 20 "$base.log"
  exit 1
}
rm -rf "fuzz/corpus/$format" && mkdir "fuzz/corpus/$format"
find "$base" -type f | sort | comm -13 "$base.shared" - | xargs -r cp -t "fuzz/corpus/$format"
rm -rf "$base" "$base.shared" "$base.log" "$grown"

echo "$format: $runs runs, $executions executions, $(ls "$findings" | grep -vc '\.log$') findings in $findings," \
  "$((cpu / $(getconf CLK_TCK))) CPU seconds; fuzz/corpus/$format: $(ls "fuzz/corpus/$format" | wc -l) files"
