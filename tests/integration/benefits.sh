#!/usr/bin/env bash
# spis.v1.Benefits: the lifecycle with its history, refusals, scope, bank
# accounts checked by mod 97, and the life events that suspend benefits (a
# death, a move away from a municipal programme).  The checks are in
# benefits.py; each line it prints is one check.
. "$(dirname "$0")/../lib.sh"

SPIS_OFFICERS="case19:caseworker:19" spisd_office ||
	{ t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/benefits.out
"$SPIS_PYTHON" tests/integration/benefits.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "benefits.py ran to the end" ||
	t_fail "benefits.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the benefit changes" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
