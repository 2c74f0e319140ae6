#!/usr/bin/env bash
# The README's demo: scripts/demo.sh seed in a folder of its own (with the
# programs already built, a port the system picks), run twice.  The second
# run adds nothing; then what a new user should find: statistics with
# shown and withheld figures, a draft payment run the demo officer approves
# and exports, institutions with facts (and demo_feed.py feeding one more
# with the token the demo wrote), a research sample for the analyst role,
# and a kiosk citizen with a renewal to object to.  The checks on the
# daemon are in demo_seed.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

tmp=$(t_tmpdir)
dir=$tmp/demo
demo() {
	SPIS_DEMO_DIR=$dir SPIS_DEMO_PORT=0 SPIS_DEMO_BUILD=$SPIS_BUILD \
		SPIS_DEMO_STRICT=1 scripts/demo.sh "$@"
}
py() {
	"$SPIS_PYTHON" tests/integration/demo_seed.py "$dir/py" \
		"127.0.0.1:$(cat "$dir/rpcd.port")" "$dir/spis.db" "$@"
}

# run N: one demo.sh seed, recorded as a check.
run() {
	if demo seed </dev/null >"$tmp/run$1.out" 2>&1; then
		t_ok "demo.sh seed run $1 exits 0"
	else
		t_fail "demo.sh seed run $1 exits 0" "exit $?: $(tail -n 5 "$tmp/run$1.out";
			tail -n 5 "$dir/rpcd.log" 2>/dev/null)"
		exit 0
	fi
	# The daemon outlives demo.sh; the cleanup stops it if the test ends
	# early.
	T_PIDS+=("$(cat "$dir/rpcd.pid")")
}

run 1
counts1=$(py counts)
run 2
counts2=$(py counts)
if [ -n "$counts1" ] && [ "$counts1" = "$counts2" ]; then
	t_ok "a second run adds nothing ($counts2)"
else
	t_fail "a second run adds nothing" "first: $counts1; second: $counts2"
fi
t_match "the second run reuses the running daemon" 'using the daemon already running' \
	"$(cat "$tmp/run2.out")"
t_match "the second run decides no application again" \
	'sample registry: [0-9]+ people \(0 new\), [0-9]+ households \(0 new\), 0 applications' \
	"$(cat "$tmp/run2.out")"

guide=$(cat "$tmp/run2.out")
t_match "the guide tells the console's keys" 'y  payment runs: run [0-9]+ .* is a draft' "$guide"
t_match "the guide names shown and withheld statistics" \
	't  statistics: bars for [A-Z].* [0-9]+.*; .* show "<5"' "$guide"
t_match "the guide gives the institution's token file" 'token in .*institution-SODRA.token' "$guide"
t_check "the guide is kept in the demo folder" cmp -s <(sed -n 's/^demo: \{0,1\}//p' "$tmp/run2.out" |
	sed -n '/^sample registry/,/^Research sample/p') "$dir/guide.txt"
kiosk=$(sed -n 's/.*national ID \([0-9]\{11\}\) and PIN \([0-9]\{1,\}\).*/\1 \2/p' "$tmp/run2.out")
t_match "the guide prints the kiosk citizen's ID and PIN" '^[0-9]{11} [0-9]+$' "$kiosk"

# One more fact with the token the demo wrote, as the guide shows.
# shellcheck disable=SC2086
set -- $kiosk
month=$(date -u +%Y-%m)
out=$(SPIS_DEMO_DIR=$dir scripts/demo_feed.py income "${1:-0}" "$month" 210.50 2>&1)
t_match "demo_feed.py feeds an income fact with SODRA's token" '^feed-[0-9a-f]+: stored' "$out"
out=$(SPIS_DEMO_DIR=$dir scripts/demo_feed.py employment "${1:-0}" "$month" 2>&1)
t_match "demo_feed.py refuses an employment fact without a value" 'employment needs a value' "$out"
out=$(SPIS_DEMO_DIR=$dir scripts/demo_sample.py "$(date -u +%Y)-01-01" "$(date -u +%F)" 2>&1)
t_match "demo_sample.py gives the analyst a research sample" \
	'^key,sex,age_band,municipality' "$out"
t_match "the sample has rows" '# [1-9][0-9]* rows' "$out"

py check "${1:-0}" "${2:-0}" >"$tmp/check.out" 2>&1
rc=$?
t_report "$tmp/check.out"
[ "$rc" -eq 0 ] && t_ok "demo_seed.py ran to the end" ||
	t_fail "demo_seed.py ran to the end" "exit $rc"

t_match "demo.sh stop stops the daemon" 'daemon stopped' "$(demo stop 2>&1)"
t_match "audit verify: chain intact after the demo" '^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$dir/spis.db" audit verify)"
