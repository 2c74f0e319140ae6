#!/usr/bin/env bash
# spis.v1.Payments on a daemon with national and municipal officers: runs
# made from the benefits approved applications create, four-eyes approval,
# the pain.001 file parsed back and its sums checked, cancel before export
# only, no person paid twice (a run re-created, a second run for a period,
# two runs made at once through two daemons on one database), CSV and
# pain.002 status reports with their bad lines named, returns after
# payment, reconciliation totals and the failures list.  The checks are in
# payments.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

SPIS_OFFICERS="super:supervisor: boss:clerk,supervisor: clerk2:clerk: case19:caseworker:19" \
	spisd_office || { t_fail "daemon starts" "see log"; exit 1; }

# A second daemon on the same database, for two runs made at once by two
# processes: only the database keeps them apart.
"$SPIS_BUILD/spis-rpcd" --listen 127.0.0.1:0 --db "$SPISD_DIR/spis.db" \
	--port-file "$SPISD_DIR/port2" --pam-confdir "$SPISD_DIR/pam.d" \
	>>"$SPISD_DIR/rpcd2.log" 2>&1 &
pid2=$!
T_PIDS+=("$pid2")
if wait_for 30 test -s "$SPISD_DIR/port2"; then
	addr2=127.0.0.1:$(cat "$SPISD_DIR/port2")
	t_ok "a second daemon starts on the same database"
else
	addr2=$SPISD_ADDR
	t_fail "a second daemon starts on the same database" "$(tail -n 5 "$SPISD_DIR/rpcd2.log")"
fi

out=$SPISD_DIR/payments.out
"$SPIS_PYTHON" tests/integration/payments.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" "$addr2" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "payments.py ran to the end" ||
	t_fail "payments.py ran to the end" "exit $rc"
kill -TERM "$pid2" 2>/dev/null
wait "$pid2" && t_ok "second daemon exits 0" || t_fail "second daemon exits 0" "rc=$?"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the payments" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"

# The paying agency's account is checked when the daemon starts.
printf '[payments]\ndebtor_iban = LT30 7300 0100 0000 0002\n' >"$SPISD_DIR/bad.conf"
err=$("$SPIS_BUILD/spis-rpcd" --config "$SPISD_DIR/bad.conf" --db "$SPISD_DIR/never.db" 2>&1 </dev/null)
rc=$?
[ "$rc" -ne 0 ] && [ ! -e "$SPISD_DIR/never.db" ] &&
	printf '%s' "$err" | grep -q 'line 2: debtor_iban: ' &&
	t_ok "a debtor_iban failing mod 97 stops the daemon, named" ||
	t_fail "a debtor_iban failing mod 97 stops the daemon, named" "rc=$rc: $err"
