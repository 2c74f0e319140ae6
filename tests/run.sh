#!/usr/bin/env bash
# tests/run.sh: the whole suite.  Unit tests (cmocka, TAP output), then every
# integration and terminal script.  Ends with "N passed, N failed" counted
# over every single check.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export SPIS_BUILD=${SPIS_BUILD:-build}
export SPIS_TOP=$top
results=$(mktemp "${TMPDIR:-/tmp}/spis-results.XXXXXX")
export SPIS_RESULTS=$results
trap 'rm -f "$results"' EXIT

if [ "${SPIS_SAN:-0}" = 1 ]; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:halt_on_error=1}
	export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi

only=${1:-}

echo "== unit tests"
for t in "$SPIS_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	[ -z "$only" ] || [[ "$name" == *"$only"* ]] || continue
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(not )?ok ' | sed "s/^/$name: /"
	pass=$(printf '%s\n' "$out" | grep -cE '^ok ')
	fail=$(printf '%s\n' "$out" | grep -cE '^not ok ')
	for ((i = 0; i < pass; i++)); do printf 'ok\t%s\n' "$name" >>"$results"; done
	for ((i = 0; i < fail; i++)); do printf 'fail\t%s\n' "$name" >>"$results"; done
	# A crash before any result, or a non-zero exit with nothing failing,
	# is a failure of its own.
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		printf 'FAIL %s: exited %d\n%s\n' "$name" "$rc" "$(printf '%s\n' "$out" | tail -n 20)"
		printf 'fail\t%s: exit\n' "$name" >>"$results"
	fi
done

for dir in tests/integration tests/tui; do
	echo "== $dir"
	for s in "$dir"/*.sh; do
		[ -f "$s" ] || continue
		[ -z "$only" ] || [[ "$s" == *"$only"* ]] || continue
		before=$(wc -l <"$results")
		timeout 300 bash "$s"
		rc=$?
		after=$(wc -l <"$results")
		if [ "$rc" -ne 0 ]; then
			printf 'FAIL %s: script exited %d\n' "$s" "$rc"
			printf 'fail\t%s: script exit %d\n' "$s" "$rc" >>"$results"
		elif [ "$after" -eq "$before" ]; then
			printf 'FAIL %s: recorded no checks\n' "$s"
			printf 'fail\t%s: no checks\n' "$s" >>"$results"
		fi
	done
done

passed=$(grep -c '^ok' "$results")
failed=$(grep -c '^fail' "$results")
if [ "$failed" -gt 0 ]; then
	echo "== failures"
	grep '^fail' "$results" | cut -f2-
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
