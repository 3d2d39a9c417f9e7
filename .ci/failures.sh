#!/usr/bin/env bash
# After a red test run: every failed assertion again, at the end of the log, with the file it is in
# and tap's diagnostic block under it (tap keeps each file's output in .tap/test-results).
# A CI log is often read from its tail, and a failure 5,000 lines up is easy to miss there.
set -uo pipefail
cd "$(dirname "$0")/.."

results=.tap/test-results
[ -d "$results" ] || { echo "no tap results in $results"; exit 0; }
mapfile -t failed < <(grep -rlE '^[[:space:]]*not ok' "$results" | sort)
echo
echo "=== ${#failed[@]} test file(s) with a failure ==="
for f in "${failed[@]}"; do
  echo "--- ${f#"$results"/}"
  # each `not ok` line and its YAML block (up to its closing `...`), at most 40 lines a failure
  awk '/^[[:space:]]*not ok/ { show = 1; n = 0 }
       show { print; n++ }
       show && (/^[[:space:]]*\.\.\.$/ || n >= 40) { show = 0 }' "$f"
done
