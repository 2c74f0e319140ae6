#!/usr/bin/env bash
# Durability of the payment runs: the daemon is killed with SIGKILL while a
# CreateRun is choosing the payments of a few thousand benefits, while an
# ExportRun is writing its file, and while an ImportStatus is applying a
# status report.  Each call is killed at rising delays after the daemon
# logs that it began, until one is answered before the kill; after every
# kill the daemon restarts and crash_payments.py checks that no run is
# half-made (its payments are the count and control sum its audit row
# says), nobody is paid twice for a period, an export's file is whole and
# matches its digest or is written again, an import is applied with its
# audit row and notices or not at all, and that the interrupted call done
# again does nothing twice.  At least one kill of each kind must land
# before the change was committed, or the test proved nothing.
. "$(dirname "$0")/../lib.sh"

people=${CRASH_PAY_PEOPLE:-8000}
SPISD_DIR=$(t_tmpdir)
export SPISD_DIR
# The people come from the generator, through the store's own functions;
# crash_payments.py setup gives each an active benefit of one programme
# with a bank account.  (spis-gen --benefits spreads a fifth of the people
# over a dozen programmes: a run of one would need five times the people,
# and their generation time, to be as long.)
if "$SPIS_BUILD/bench/spis-gen" --db "$SPISD_DIR/spis.db" --people "$people" \
	--applications 0 >"$SPISD_DIR/gen.out" 2>"$SPISD_DIR/gen.log"; then
	t_ok "the generator makes $people people"
else
	t_fail "the generator makes $people people" "$(tail -n 3 "$SPISD_DIR/gen.log")"
	exit 1
fi
SPIS_OFFICERS="super:supervisor:" spisd_office ||
	{ t_fail "daemon starts" "see log"; exit 1; }
state=$SPISD_DIR/crash.json
py() {
	"$SPIS_PYTHON" tests/integration/crash_payments.py "$SPIS_PY" \
		"$SPISD_ADDR" "$SPISD_DIR/spis.db" "$SPISD_LOG" "$state" "$@"
}
out=$SPISD_DIR/setup.out
py setup >"$out" 2>&1 || t_fail "crash_payments.py setup ran to the end" "exit $?"
t_report "$out"

for kind in create export import; do
	k=0
	seen=killed
	while [ "$k" -lt 7 ]; do
		out=$SPISD_DIR/$kind.$k.out
		py attempt "$kind" "$k" "$SPISD_PID" >"$out" 2>&1
		rc=$?
		wait "$SPISD_PID" 2>/dev/null
		SPISD_PID=
		t_report "$out"
		[ "$rc" -eq 0 ] || t_fail "$kind attempt $k ran to the end" "exit $rc"
		grep -qx answered "$out" && seen=answered
		spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" || {
			t_fail "daemon restarts after the kill in $kind ($k)" "see log"
			exit 1
		}
		out=$SPISD_DIR/$kind.$k.check
		py check "$kind" >"$out" 2>&1
		rc=$?
		t_report "$out"
		[ "$rc" -eq 0 ] || t_fail "checks after the kill in $kind ($k) ran to the end" "exit $rc"
		[ "$seen" = answered ] && break
		k=$((k + 1))
	done
	read -r before after < <(py landed)
	if [ "${before:-0}" -ge 1 ]; then
		t_ok "a kill landed in $kind before its change was committed ($before of them; $after after)"
	else
		t_fail "a kill landed in $kind before its change was committed" \
			"every kill came after the commit: raise CRASH_PAY_PEOPLE ($people)"
	fi
	t_check "$kind was answered before a kill at last (after $k kills)" test "$seen" = answered
done

spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: the chain is intact after the kills" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
