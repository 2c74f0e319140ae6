#!/usr/bin/env bash
# spis.v1.Households on a daemon with officers in two municipalities: every
# change and its bad inputs, history and as-of reads, scope, the audit
# trail of refused attempts, replay by request_id.  The checks are in
# households.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/households.out
"$SPIS_PYTHON" tests/integration/households.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "households.py ran to the end" ||
	t_fail "households.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the household changes" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
