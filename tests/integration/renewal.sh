#!/usr/bin/env bash
# Yearly renewal: a job renews the benefits due of auto-renew programmes
# with an informative calculation each, objections inside the window and
# their resolution, renewals settled when the window closes, and a daemon
# killed part-way through a job over many batches that resumes after a
# restart without doing anything twice, and a benefit that cannot be read
# failing alone in its batch.  The checks are in renewal.py; each line it
# prints is one check.
. "$(dirname "$0")/../lib.sh"

conf=$(t_tmpdir)/spis.conf
cat >"$conf" <<CONF
[benefits]
objection_days = 30
renewal_poll_seconds = 1
CONF
SPIS_OFFICERS="case19:caseworker:19" spisd_office --config "$conf" ||
	{ t_fail "daemon starts" "see log"; exit 1; }
py() {
	"$SPIS_PYTHON" tests/integration/renewal.py "$SPIS_PY" "$SPISD_ADDR" \
		"$SPISD_DIR/spis.db" "$@" >"$SPISD_DIR/renewal.$1.out" 2>&1
	local rc=$?
	t_report "$SPISD_DIR/renewal.$1.out"
	[ "$rc" -eq 0 ] && t_ok "renewal.py $1 ran to the end" ||
		t_fail "renewal.py $1 ran to the end" "exit $rc"
}
py main
t_match "the job's progress is logged" 'renewal job [0-9]+: done' \
	"$(cat "$SPISD_LOG")"

# The crash: renewal.py kills the daemon (SIGKILL) part-way through a job
# over ${RENEWAL_BULK:-20000} benefits; the restarted daemon finishes it.
py crash "$SPISD_PID" "${RENEWAL_BULK:-20000}"
wait "$SPISD_PID" 2>/dev/null
SPISD_PID=
spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" --config "$conf" ||
	{ t_fail "daemon restarts after the kill" "see log"; exit 1; }
t_ok "daemon restarts after the kill"
py resume
t_match "the restarted daemon says it resumes the job" \
	'renewal job [0-9]+: as of .*, [1-9][0-9]* handled so far' \
	"$(cat "$SPISD_LOG")"
# A benefit that cannot be read in the middle of a batch fails alone; one
# that cannot be written stops the job just before it until it can.
py failing
t_match "the benefit that cannot be read is logged" \
	'renewal job [0-9]+: benefit [0-9]+: its programme or person cannot be read' \
	"$(cat "$SPISD_LOG")"
t_match "the benefit that cannot be written is logged, to be tried again" \
	'renewal job [0-9]+: benefit [0-9]+ could not be recorded; will try again' \
	"$(cat "$SPISD_LOG")"
spisd_stop && t_ok "daemon exits 0 with the renewal thread" ||
	t_fail "daemon exits 0 with the renewal thread" "rc=$?"
t_match "audit verify: chain intact after the renewals" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
