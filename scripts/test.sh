#!/usr/bin/env bash
# npm test: build every board, run the AssemblyScript unit tests (as-pect) and the host tests (node:test),
# and end with one line counting all of them: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp -d)
node --import tsx scripts/build.ts || { echo "0 passed, 1 failed"; exit 1; }
export GLASSES_NO_AUTOBUILD=1

npx --no-install asp --summary 2>&1 | grep -v 'ExperimentalWarning\|trace-warnings\|nodedir' | tee "$log/asp.txt"
asp_rc=${PIPESTATUS[0]}
asp_line=$(sed 's/\x1b\[[0-9;]*m//g' "$log/asp.txt" | awk '/\[Tests\]:/{print $2, $4}' | tail -1)
asp_pass=${asp_line% *}; asp_total=${asp_line#* }
if [ -z "$asp_line" ]; then asp_pass=0; asp_total=1; fi   # a compile error counts as a failure
asp_fail=$((asp_total - asp_pass))
[ "$asp_rc" -ne 0 ] && [ "$asp_fail" -eq 0 ] && asp_fail=1

files=(tests/*.test.ts)
if [ -n "${TEST_FILES:-}" ]; then files=($TEST_FILES); fi
node --import tsx --test --test-reporter=spec --test-concurrency=2 "${files[@]}" 2>&1 | tee "$log/node.txt"
node_rc=${PIPESTATUS[0]}
node_pass=$(sed 's/\x1b\[[0-9;]*m//g' "$log/node.txt" | awk '/^ℹ pass /{print $3}' | tail -1)
node_fail=$(sed 's/\x1b\[[0-9;]*m//g' "$log/node.txt" | awk '/^ℹ fail /{print $3}' | tail -1)
node_pass=${node_pass:-0}; node_fail=${node_fail:-0}
[ "$node_rc" -ne 0 ] && [ "$node_fail" -eq 0 ] && node_fail=1
rm -rf "$log"

echo
echo "as-pect: $asp_pass passed, $asp_fail failed; node:test: $node_pass passed, $node_fail failed"
echo "$((asp_pass + node_pass)) passed, $((asp_fail + node_fail)) failed"
[ $((asp_fail + node_fail)) -eq 0 ]
