#!/usr/bin/env bash
# Microsimulation: a candidate rule version evaluated over a small registry
# built through the RPCs, its counts and costs equal to a brute-force
# evaluation, overall and by municipality; bad candidates refused with the
# position; nothing in the registry changed; permissions and the audit.
# The checks are in simulation.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
"$SPIS_PYTHON" tests/integration/simulation.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$SPISD_DIR/simulation.out" 2>&1
rc=$?
t_report "$SPISD_DIR/simulation.out"
[ "$rc" -eq 0 ] && t_ok "simulation.py ran to the end" ||
	t_fail "simulation.py ran to the end" "exit $rc"
t_match "the job's end is logged" 'simulation [0-9]+: done' \
	"$(cat "$SPISD_LOG")"
spisd_stop && t_ok "daemon exits 0 with the simulation thread" ||
	t_fail "daemon exits 0 with the simulation thread" "rc=$?"
t_match "audit verify: chain intact after the simulations" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
