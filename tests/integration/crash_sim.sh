#!/usr/bin/env bash
# Durability of the microsimulation job: the daemon is killed with SIGKILL
# part-way through a job over a generated registry, once before anything
# was saved and once just after a checkpoint; after each restart the job
# resumes, covers everyone once, and its table is the one a clean run of
# the same job gives.  The kills and checks are in crash_sim.py.
. "$(dirname "$0")/../lib.sh"

people=${CRASH_SIM_PEOPLE:-10000}
SPISD_DIR=$(t_tmpdir)
export SPISD_DIR
# People and households only: the simulation reads no applications.
if "$SPIS_BUILD/bench/spis-gen" --db "$SPISD_DIR/spis.db" --people "$people" \
	--applications 0 >"$SPISD_DIR/gen.out" 2>"$SPISD_DIR/gen.log"; then
	t_ok "the generator makes $people people"
else
	t_fail "the generator makes $people people" "$(tail -n 3 "$SPISD_DIR/gen.log")"
	exit 1
fi
spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
py() {
	local out=$SPISD_DIR/sim.$1.$2.out
	"$SPIS_PYTHON" tests/integration/crash_sim.py "$SPIS_PY" "$SPISD_ADDR" \
		"$SPISD_DIR/spis.db" "$SPISD_LOG" "$SPISD_DIR/sim.json" "$@" \
		>"$out" 2>&1
	local rc=$?
	t_report "$out"
	[ "$rc" -eq 0 ] || t_fail "crash_sim.py $* ran to the end" "exit $rc"
}
for when in start checkpoint; do
	py kill "$when" "$SPISD_PID"
	wait "$SPISD_PID" 2>/dev/null
	SPISD_PID=
	spisd_start 0 --pam-confdir "$SPISD_DIR/pam.d" ||
		{ t_fail "daemon restarts after the kill ($when)" "see log"; exit 1; }
	t_ok "daemon restarts after the kill ($when)"
	py resume "$when"
done
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: the chain is intact after the kills" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
