#!/usr/bin/env bash
# spis.v1.Programmes and spis.v1.Applications on a daemon with officers in
# two municipalities: the catalogue and rule checks, the pre-check, every
# allowed and refused transition, decisions and their replay after the data
# changed, cross-municipality flags, the appeal window, status answers that
# reveal nothing else, the work queue, and the citizen applying at a kiosk.
# The checks are in applications.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

SPIS_OFFICERS="case19:caseworker:19 admin19:admin:19" spisd_office ||
	{ t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/applications.out
"$SPIS_PYTHON" tests/integration/applications.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "applications.py ran to the end" ||
	t_fail "applications.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the applications" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
