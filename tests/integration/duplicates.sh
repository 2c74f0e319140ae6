#!/usr/bin/env bash
# Duplicate detection and review (spis.v1.Duplicates): each reason found,
# no flag for unrelated people, the review list's paging and scope, a pair
# marked distinct, a merge (memberships, consents, documents, history,
# other flags), refusals.  The checks are in duplicates.py; each line it
# prints is one check.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
"$SPIS_PYTHON" tests/integration/duplicates.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$SPISD_DIR/out" 2>&1
rc=$?
t_report "$SPISD_DIR/out"
[ "$rc" -eq 0 ] && t_ok "duplicates.py ran to the end" ||
	t_fail "duplicates.py ran to the end" "exit $rc"

spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
out=$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify 2>&1)
t_match "audit trail intact after the merges" '^audit trail intact: [0-9]+ rows' "$out"
