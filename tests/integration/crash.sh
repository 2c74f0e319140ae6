#!/usr/bin/env bash
# Durability: four clients register people and submit applications while
# the daemon is killed with SIGKILL in the middle; after a restart every
# call that was answered OK is there, and nothing is half-written (every
# person has their history and audit row, every application its first
# transition, the database passes integrity_check, the audit chain
# verifies).  The clients and checks are in crash.py.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
acks=$SPISD_DIR/acks
: >"$acks"
"$SPIS_PYTHON" tests/integration/crash.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" load "$acks" >"$SPISD_DIR/load.out" 2>&1 &
load=$!
# Wait for a good number of answered calls, then kill the daemon mid-run.
enough() { [ "$(wc -l <"$acks")" -ge 60 ]; }
wait_for 120 enough && t_ok "the clients got answers before the kill" ||
	t_fail "the clients got answers before the kill" "$(wc -l <"$acks") acks"
kill -KILL "$SPISD_PID"
wait "$SPISD_PID" 2>/dev/null
wait "$load"
t_match "the clients saw the daemon go away mid-run" '^clients stopped: StatusCode\.' \
	"$(tail -n 1 "$SPISD_DIR/load.out")"

spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" ||
	{ t_fail "daemon restarts after SIGKILL" "see log"; exit 1; }
t_ok "daemon restarts after SIGKILL"
out=$SPISD_DIR/crash.out
"$SPIS_PYTHON" tests/integration/crash.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" check "$acks" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "crash.py ran to the end" ||
	t_fail "crash.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: the chain is intact after the kill" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
