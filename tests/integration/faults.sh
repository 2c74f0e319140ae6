#!/usr/bin/env bash
# Faults: the daemon's disk fills up, fails, or turns read-only under it
# (a preloaded library, tests/faults/faultfs.c, makes the daemon's writes
# to its database fail on demand; the checks are in faults.py).  Changes
# are refused UNAVAILABLE and nothing half-written is left, reads go on
# being answered, and when the disk is back the daemon carries on without
# a restart, its audit trail intact.  A daemon asked to start on a
# database it may not write refuses, naming the file.
. "$(dirname "$0")/../lib.sh"

ctl=$(t_tmpdir)/fault
: >"$ctl"
SPISD_DIR=$(t_tmpdir)
export SPISD_DIR
env_words="LD_PRELOAD=$SPIS_BUILD/tests/faultfs.so SPIS_FAULT_CTL=$ctl SPIS_FAULT_PREFIX=$SPISD_DIR/spis.db"
# The sanitizers' runtime wants to come first; the fault library does not
# mind coming after it.
[ "${SPIS_SAN:-}" = 1 ] && env_words="$env_words ASAN_OPTIONS=verify_asan_link_order=0"
SPISD_ENV=$env_words spisd_office || { t_fail "daemon starts with the fault library" "see log"; exit 1; }
t_ok "daemon starts with the fault library"
out=$SPISD_DIR/faults.out
"$SPIS_PYTHON" tests/integration/faults.py "$SPIS_PY" "$SPISD_ADDR" "$SPISD_DIR/spis.db" "$ctl" \
	>"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "faults.py ran to the end" || t_fail "faults.py ran to the end" "exit $rc: $(tail -n 3 "$out")"
t_check "the daemon lived through every fault" kill -0 "$SPISD_PID"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify after the faults: intact" '^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"

echo EACCES >"$ctl"
SPISD_ENV=$env_words spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" 2>/dev/null &&
	t_fail "a database the daemon may not write: it refuses to start" "it started" ||
	t_ok "a database the daemon may not write: it refuses to start"
t_match "  naming the file and why" "cannot set up database $SPISD_DIR/spis.db: attempt to write a readonly database" \
	"$(tail -n 5 "$SPISD_LOG")"
: >"$ctl"
t_check "  and the database is unharmed" test ok = "$(sqlite3 "$SPISD_DIR/spis.db" 'PRAGMA integrity_check')"
