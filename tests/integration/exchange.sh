#!/usr/bin/env bash
# spis.v1.Exchange: institutions registered by an admin with a token shown
# once; facts in batches and CSV files, each item validated (every error
# code), idempotent by (source, record id), good items kept beside bad ones;
# source permissions (kinds, officer sessions refused, tokens refused on
# officers' calls, disabled institutions, rotated tokens); the registry
# search by ID and by predicates with consent, paging and purposes; the
# audit rows.  The checks are in exchange.py; each line it prints is one
# check.
. "$(dirname "$0")/../lib.sh"

spisd_office || { t_fail "daemon starts" "see log"; exit 1; }
out=$SPISD_DIR/exchange.out
"$SPIS_PYTHON" tests/integration/exchange.py "$SPIS_PY" "$SPISD_ADDR" \
	"$SPISD_DIR/spis.db" >"$out" 2>&1
rc=$?
t_report "$out"
[ "$rc" -eq 0 ] && t_ok "exchange.py ran to the end" ||
	t_fail "exchange.py ran to the end" "exit $rc"
spisd_stop && t_ok "daemon exits 0" || t_fail "daemon exits 0" "rc=$?"
t_match "audit verify: chain intact after the exchange" \
	'^audit trail intact: [0-9]+ rows' \
	"$("$SPIS_BUILD/spis-rpcd" --db "$SPISD_DIR/spis.db" audit verify)"
