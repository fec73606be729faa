#!/usr/bin/env bash
# Runs every unit-test binary given and prints one closing total line.
set -uo pipefail
# a pointer into a returned function's frame is caught (ASan keeps frames apart for it): a borrowed
# string that outlived its query once read as the next call's bytes
export ASAN_OPTIONS="detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
passed=0 failed=0 status=0
for t in "$@"; do
  out=$("$t") || status=1
  echo "$out"
  line=$(grep -E '[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
  [[ -n "$line" ]] || { echo "$t printed no result line" >&2; status=1; continue; }
  p=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f))
done
echo "unit: $passed passed, $failed failed"
[[ $failed -eq 0 && $status -eq 0 ]]
